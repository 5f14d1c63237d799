"""Log records collected in memory and written by one thread, a few times a second.

Every request logs a line (web/observability.py). A stream handler holds its
lock for the write to stderr, and the 8 threads of a gunicorn worker queued on
that lock, handing the GIL back and forth (py-spy under wrk: 29% of a worker's
time on the chapter page in `Logger.info`, 23% waiting for the lock). A
`QueueHandler` fixed the waiting but still took its own lock and woke the
writer thread for every line: 20% of the GIL-holding samples on the fast
chapter page were in `QueueHandler.enqueue`. Appending to a deque takes no
lock and wakes nobody; the writer drains it every FLUSH_SECONDS. Lines keep
their order, and whatever is still buffered is written when the process exits.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import deque
from collections.abc import Sequence

FLUSH_SECONDS = 0.05


class BufferedHandler(logging.Handler):
    """Hands records to `handlers` from a writer thread of its own."""

    def __init__(self, handlers: Sequence[logging.Handler], interval: float = FLUSH_SECONDS) -> None:
        super().__init__()
        self.targets = tuple(handlers)
        self.interval = interval
        self._records: deque[logging.LogRecord] = deque()
        self._draining = threading.Lock()  # the writer and a final flush at exit
        self._stopped = threading.Event()
        self._writer = threading.Thread(target=self._write_until_stopped, name="log-writer",
                                        daemon=True)

    def start(self) -> None:
        self._writer.start()

    def handle(self, record: logging.LogRecord) -> bool:  # type: ignore[override]
        # No handler lock: deque.append is atomic. The message is formatted now,
        # so arguments changed later cannot change what is logged.
        if record.args:
            record.msg, record.args = record.getMessage(), None
        self._records.append(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:
        self.handle(record)

    def flush(self) -> None:
        with self._draining:
            while self._records:
                record = self._records.popleft()
                for target in self.targets:
                    if record.levelno >= target.level:
                        target.handle(record)
            for target in self.targets:
                target.flush()

    def close(self) -> None:
        self._stopped.set()
        if self._writer.is_alive() and self._writer is not threading.current_thread():
            self._writer.join(timeout=2)
        self.flush()
        super().close()

    def _write_until_stopped(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                self.flush()
            except Exception:  # noqa: BLE001, S110 - each target reports its own errors (handleError)
                pass


def log_through_a_buffer() -> None:
    """Route the root logger's handlers through a BufferedHandler (once per process)."""
    root = logging.getLogger()
    handlers = [h for h in root.handlers if not isinstance(h, BufferedHandler)]
    if not handlers or len(handlers) != len(root.handlers):
        return
    buffered = BufferedHandler(handlers)
    for handler in handlers:
        root.removeHandler(handler)
    root.addHandler(buffered)
    buffered.start()
    atexit.register(buffered.close)
