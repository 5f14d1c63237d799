"""Prometheus metrics: request latency per route and the platform's business events.

Under `courseware serve` every gunicorn worker writes its samples to files in
`instance/metrics/` (prometheus_client's multiprocess mode, which
`server.prepare_metrics_folder` turns on before this module is first imported)
and `/metrics` on any worker reports the whole server. Another
WSGI server: set PROMETHEUS_MULTIPROC_DIR yourself, or each process reports its own.
No Flask here.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUEST_SECONDS = Histogram(
    "courseware_request_duration_seconds",
    "Time to the response's first byte, per route template (never the raw path: it may hold a token).",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SIGNUPS = Counter("courseware_signups_total", "Accounts created.")
COMPLETIONS = Counter("courseware_chapter_completions_total", "Chapters marked complete for the first time.")
CERTIFICATES = Counter("courseware_certificates_issued_total", "Certificates issued (re-issues included).")
UPLOADS = Counter("courseware_certificate_uploads_total", "Certificate PDFs checked by upload, by outcome.",
                  ["outcome"])


def exposition() -> bytes:
    """The metrics in Prometheus' text format: the whole server in multiprocess mode."""
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()
