"""The histogram's buckets and the median read from them."""

from __future__ import annotations

from courseware.analytics.durations import (
    BUCKET_COUNT,
    BUCKET_UPPER_SECONDS,
    bucket_bounds,
    bucket_for,
    median_seconds,
)


def test_every_duration_falls_in_the_bucket_whose_bounds_hold_it():
    for seconds in (0, 1, 29, 30, 59, 60, 299, 300, 3599, 3600, 86400 * 29, 86400 * 30, 10**9):
        lower, upper = bucket_bounds(bucket_for(seconds))
        assert lower <= seconds and (upper is None or seconds < upper), seconds
    assert bucket_for(-5) == 0  # a clock that went backwards
    assert bucket_for(10**9) == BUCKET_COUNT - 1 == len(BUCKET_UPPER_SECONDS)


def test_the_median_is_interpolated_inside_its_bucket():
    counts = [0] * BUCKET_COUNT
    counts[bucket_for(4 * 60)] = 1  # 3-5 min
    counts[bucket_for(8 * 60)] = 1  # 7-10 min
    counts[bucket_for(3600)] = 1  # 1-2 h
    assert median_seconds(counts) == 7 * 60 + 90  # half-way through 7-10 min


def test_no_completion_has_no_median_and_the_open_bucket_gives_its_lower_bound():
    assert median_seconds([0] * BUCKET_COUNT) is None
    counts = [0] * BUCKET_COUNT
    counts[-1] = 3
    assert median_seconds(counts) == BUCKET_UPPER_SECONDS[-1]
