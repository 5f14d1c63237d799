"""Small counts stay hidden even where rows add up to a total (secondary suppression)."""

from __future__ import annotations

from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from courseware.reports import LARGE_COUNT, SMALL_COUNT
from courseware.reports.suppression import protect_column

HIGHEST = 14  # counts drawn up to this; "≥5" cells are tried up to the total


def possible_values(cells, total, rest_unknown) -> list[set[int]]:
    """By brute force, every value each cell can hold given what a reader sees."""
    totals = [total] if isinstance(total, int) else (
        range(1, 5) if total == SMALL_COUNT else range(5, HIGHEST * 5 + 1))
    choices = [[cell] if isinstance(cell, int) else
               (range(1, 5) if cell == SMALL_COUNT else range(5, HIGHEST * 5 + 1)) for cell in cells]
    seen: list[set[int]] = [set() for _cell in cells]
    for shown_total in totals:
        for combination in product(*choices):
            if sum(combination) == shown_total or (rest_unknown and sum(combination) <= shown_total):
                for index, value in enumerate(combination):
                    seen[index].add(value)
    return seen


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, HIGHEST), min_size=1, max_size=3), st.integers(0, 6), st.booleans())
def test_no_hidden_count_can_be_worked_out_from_the_others_and_the_total(values, rest, rest_unknown):
    total = sum(values) + (rest if rest_unknown else 0)
    cells, shown_total = protect_column(values, total, rest_unknown=rest_unknown)
    for value, cell in zip(values, cells, strict=True):
        # Shown counts are exact; hidden ones say honestly which side of 5 they are.
        assert (cell == value or (cell == SMALL_COUNT and 0 < value < 5)
                or (cell == LARGE_COUNT and value >= 5))
    assert shown_total in (total, SMALL_COUNT if 0 < total < 5 else LARGE_COUNT)
    possible = possible_values(cells, shown_total, rest_unknown)
    for value, cell, candidates in zip(values, cells, possible, strict=True):
        assert value in candidates
        if cell == SMALL_COUNT:
            assert len(candidates) >= 2, (values, total, cells, shown_total)


def test_a_lone_small_count_beside_a_total_hides_the_next_smallest_count():
    # 30 + 7 + 0 = 37 shows everything; 6 + 1 + 0 = 7 would give the 1 away.
    assert protect_column([30, 7, 0], 37) == ([30, 7, 0], 37)
    assert protect_column([6, 1, 0], 7) == ([LARGE_COUNT, SMALL_COUNT, 0], 7)
    # Two hidden counts that add up to 5 can be 1+4, 2+3...: nothing more to hide.
    assert protect_column([12, 3, 2], 17) == ([12, SMALL_COUNT, SMALL_COUNT], 17)
    # 5 + 1 = 6: even with the 5 hidden, 6 - "≥5" leaves only 1; the total goes too.
    assert protect_column([5, 1, 0], 6) == ([LARGE_COUNT, SMALL_COUNT, 0], LARGE_COUNT)
