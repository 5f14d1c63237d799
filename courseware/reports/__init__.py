"""Funnel reports per organisation and for the platform. No Flask here.

funnel.py reads the counters into frozen dataclasses; counters.py writes them;
the renderers (csv_export.py, pdf.py, charts.py) all take the same dataclasses.
"""

from .funnel import (
    SMALL_COUNT,
    ChapterRow,
    FunnelRow,
    OrganisationReport,
    PlatformReport,
    RankedOrganisation,
    WeekCount,
    default_period,
    organisation_report,
    platform_report,
)
from .suppression import LARGE_COUNT, suppress_small_counts

__all__ = [
    "LARGE_COUNT", "SMALL_COUNT", "ChapterRow", "FunnelRow", "OrganisationReport", "PlatformReport",
    "RankedOrganisation", "WeekCount", "default_period", "organisation_report",
    "platform_report", "suppress_small_counts",
]
