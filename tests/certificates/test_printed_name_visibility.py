"""The domain refuses names that would print differently from what was typed,
whoever calls it (web form, CLI, a future import). Issue 9, finding 11."""

from __future__ import annotations

import pytest

from courseware.certificates import validate_printed_name


@pytest.mark.parametrize("name", ["\u200b\u200b", "\u3164", "\u0301\u0301", "Ana\u200fDupont",
                                  "Ana\u00adDupont", "\ufeffAna", "\u2800\u2800"])
def test_invisible_or_letterless_names_are_refused(name):
    assert validate_printed_name(name)


@pytest.mark.parametrize("name", ["Ana Dupont", "Zoe\u0301 Martin", "محمد علي", "李小龙", "Ἀλέξανδρος"])
def test_ordinary_names_pass(name):
    assert validate_printed_name(name) == []
