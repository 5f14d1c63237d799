"""What instructors learn from learners: per-chapter and per-question figures (domain, no Flask).

- `models`: the counter tables the dashboard reads (never the learners' own rows).
- `durations`: the fixed buckets of opening-to-completion times, and the median read from them.
- `events`: progress and quiz events that also add to these counters, in one transaction.
- `dashboard`: a course's figures for a language and a date range, as plain dataclasses.
- `csv_export`: the same figures as CSV.

This module imports nothing on purpose: `courseware.models` imports
`analytics.models`, and `events` imports the progress and reports modules, so a
package-level import here would create an import cycle.
"""
