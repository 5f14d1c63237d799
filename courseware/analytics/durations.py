"""Opening-to-completion times as a histogram of fixed buckets, and the median read from it.

Keeping every learner's duration would make the median a scan of millions of
rows; a fixed set of buckets makes it a sum of a few counters per chapter and
day. The price is precision: the median is only known to lie in one bucket,
and is estimated inside it by linear interpolation (the usual grouped-data
median), so pages say "about". The buckets are narrow where reading a chapter
usually ends (a few minutes) and wide where it means "came back another day".
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

MINUTE, HOUR, DAY = 60, 3600, 86400
# Upper bounds (exclusive) of every bucket but the last, which has none: bucket i holds
# durations from BUCKET_UPPER_SECONDS[i - 1] (0 for the first) up to BUCKET_UPPER_SECONDS[i].
# Append only: a stored counter names its bucket by position.
BUCKET_UPPER_SECONDS = (
    30, MINUTE, 2 * MINUTE, 3 * MINUTE, 5 * MINUTE, 7 * MINUTE, 10 * MINUTE, 15 * MINUTE,
    20 * MINUTE, 30 * MINUTE, 45 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, DAY, 2 * DAY,
    7 * DAY, 30 * DAY,
)
BUCKET_COUNT = len(BUCKET_UPPER_SECONDS) + 1


def bucket_for(seconds: float) -> int:
    """The bucket a duration falls in (negative durations, from clock skew, count as 0)."""
    return bisect_right(BUCKET_UPPER_SECONDS, max(seconds, 0))


def bucket_bounds(bucket: int) -> tuple[int, int | None]:
    """(lower, upper) seconds of a bucket; upper is None for the last, open-ended one."""
    lower = BUCKET_UPPER_SECONDS[bucket - 1] if bucket > 0 else 0
    upper = BUCKET_UPPER_SECONDS[bucket] if bucket < len(BUCKET_UPPER_SECONDS) else None
    return lower, upper


def median_seconds(counts: Sequence[int]) -> float | None:
    """The estimated median duration from per-bucket counts (index = bucket), or None
    when nothing was counted.

    Interpolates linearly inside the bucket that holds the middle learner; in the
    open-ended last bucket, whose width is unknown, it is that bucket's lower bound.
    """
    total = sum(counts)
    if total <= 0:
        return None
    half = total / 2
    below = 0
    for bucket, count in enumerate(counts):
        if count and below + count >= half:
            lower, upper = bucket_bounds(bucket)
            if upper is None:
                return float(lower)
            return lower + (half - below) / count * (upper - lower)
        below += count
    return None  # unreachable: the counts reach `total`
