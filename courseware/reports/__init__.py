"""Funnel reports per organisation and for the platform. No Flask here."""
