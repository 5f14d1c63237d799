"""Run pyHanko's coroutines from ordinary (blocking) code.

pyHanko's synchronous helpers call `asyncio.run()`, which refuses to work when
the calling thread already runs an event loop (an async server, Playwright's
sync API in the test suite): signing would fail and every check would report
"invalid". We call the async functions and drive them here instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to completion and return its result, whatever the thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    # A loop is running here: give the coroutine a loop of its own in another thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
