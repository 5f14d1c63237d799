"""content/live.py: the watcher thread sees real saves; a reload happens only after one."""

from __future__ import annotations

import time
from pathlib import Path

from courseware.content.live import LiveContent
from tests.helpers import write_course


def test_a_save_is_seen_by_the_watcher_and_reloads_once(tmp_path: Path):
    write_course(tmp_path / "basics")
    live = LiveContent(tmp_path)
    first = live.current()
    assert not first.is_broken and live.current() is first  # nothing changed: no reload
    live.start_watching()
    try:
        started = live.current()  # starting counts as a change (saves before it are not lost)
        assert started.generation == first.generation + 1
        time.sleep(0.5)  # let the watcher register (inotify) before the save
        (tmp_path / "basics" / "03-next.md").write_text("no front matter\n", encoding="utf-8")
        deadline = time.monotonic() + 20
        state = live.current()
        while not state.is_broken and time.monotonic() < deadline:
            time.sleep(0.1)
            state = live.current()
        assert state.is_broken
        assert [p.message for p in state.problems] == [
            "missing front matter: start with '---', a 'title:' line, '---'"]
        # The last good library is kept meanwhile (nothing reads it while broken).
        assert state.library is started.library
    finally:
        live.stop_watching()


def test_a_missing_content_folder_is_a_problem_not_a_crash(tmp_path: Path):
    live = LiveContent(tmp_path / "nope")
    live.start_watching()
    try:
        assert live.current().is_broken
    finally:
        live.stop_watching()
