"""Courses: Markdown folders parsed once into immutable objects."""

from .loader import ContentError, check_library, content_version, load_course, load_library
from .model import Chapter, Course, Heading, Library, Organisation, Problem

__all__ = [
    "Chapter", "ContentError", "Course", "Heading", "Library", "Organisation", "Problem",
    "check_library", "content_version", "load_course", "load_library",
]
