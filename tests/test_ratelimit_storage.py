"""The default rate-limit storage: one SQLite file shared by the workers of a machine."""

from __future__ import annotations

import multiprocessing
import threading

from courseware.ratelimit_storage import SQLiteFileStorage, storage_uri

PROCESSES, THREADS = 2, 8
TRIES = 20  # new files: the race it guards against showed on about one in five


def _count_at_once(storage: SQLiteFileStorage, failures) -> None:
    """Each thread's first count, all at the same moment, as at a launch's first POSTs."""
    start = threading.Barrier(THREADS)

    def count() -> None:
        start.wait()
        try:
            storage.incr("login/1.2.3.4", expiry=60)
        except Exception as error:  # noqa: BLE001 - what a request would have met
            failures.put(repr(error))

    threads = [threading.Thread(target=count) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_the_first_counts_of_every_worker_at_once_all_succeed_on_a_new_file(tmp_path):
    # Built once in the parent, as the app is before gunicorn forks its workers. Each
    # worker switching a new file to WAL on its own first count made one of them fail
    # at once with "database is locked": the first sign-up of a launch got a 503.
    context = multiprocessing.get_context("fork")
    failures = context.Queue()
    for attempt in range(TRIES):
        storage = SQLiteFileStorage(storage_uri(tmp_path / f"ratelimits-{attempt}.db"))
        workers = [context.Process(target=_count_at_once, args=(storage, failures))
                   for _ in range(PROCESSES)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
        assert storage.get("login/1.2.3.4") == PROCESSES * THREADS, f"attempt {attempt}"
    found = []
    while not failures.empty():
        found.append(failures.get())
    assert found == []
