"""Demonstration data at scale (`courseware demo seed`). No Flask here."""

from .seed import CourseFacts, DatabaseNotEmpty, SeedOptions, SeedSummary, course_facts, seed_demo

__all__ = ["CourseFacts", "DatabaseNotEmpty", "SeedOptions", "SeedSummary", "course_facts", "seed_demo"]
