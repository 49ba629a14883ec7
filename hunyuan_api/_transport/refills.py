"""Background refills of a client's thread reserve (``_run.reserve``; the flow is ``Flows.refill``).

Sync clients refill on a daemon thread, async clients on a task of the running event loop (a
connection pool belongs to one loop, so the refill uses that loop's pool and ends with it). The
reserve itself holds only thread ids, which any loop, thread or later ``asyncio.run`` may use.

A refill never delays or fails a conversation: it starts after a thread was taken, runs beside
the run that took it, and its failures are logged (at DEBUG) and forgotten. Held plus in flight
never exceeds ``thread_reserve``. A refill still in flight when its loop ends (``asyncio.run``
cancels it) or its process exits (a daemon thread) may have made threads the client never hears
of: at most ``thread_reserve`` each time (docs/threads.md, "What it costs").

At interpreter exit no refill starts any more, and the ones on daemon threads are given up to
``EXIT_WAIT`` seconds to end before finalization begins. A daemon thread still running then is
frozen wherever it stands, possibly holding a lock (an import's, a connection pool's) that the
main thread's own finalization may wait for, for ever: a script that exits right after its
first call must not hang because a refill was in flight.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterator

from .._run.reserve import ThreadReserve

__all__ = ["Refills"]

logger = logging.getLogger("hunyuan_api")

#: Seconds the interpreter's exit waits, at most, for refills in flight on daemon threads.
EXIT_WAIT = 2.0

_exiting = threading.Event()
_live: set[threading.Thread] = set()
_live_lock = threading.Lock()
_reserves: weakref.WeakSet[ThreadReserve] = weakref.WeakSet()


def _at_exit() -> None:
    _exiting.set()
    for reserve in list(_reserves):
        reserve.pause()  # a refill in flight ends after its current request
    deadline = time.monotonic() + EXIT_WAIT
    with _live_lock:
        threads = list(_live)
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))


atexit.register(_at_exit)


def _after_fork_in_child() -> None:
    # A refill thread of the parent may have held the lock at the fork: the child would wait
    # for it for ever. None of the parent's threads exists here.
    global _live_lock
    _live_lock = threading.Lock()
    _live.clear()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _failed(exc: Exception) -> None:
    logger.debug("thread reserve refill failed: %s: %s", type(exc).__name__, exc)


class Refills:
    """Starts refills of ``reserve``; ``drive`` runs ``Flows.refill`` to its end."""

    def __init__(self, reserve: ThreadReserve) -> None:
        self.reserve = reserve
        _reserves.add(reserve)
        # Tasks are only weakly held by their loop: these keep each alive until it ends.
        self._tasks: set[asyncio.Task[None]] = set()

    def in_thread(self, drive: Callable[[], Iterator[object]]) -> None:
        if _exiting.is_set() or not self.reserve.needs_refill():
            return

        def run() -> None:
            try:
                for _ in drive():
                    pass
            except Exception as exc:  # a refill only saves time: never an error of anyone's
                _failed(exc)
            finally:
                with _live_lock:
                    _live.discard(thread)

        thread = threading.Thread(target=run, name="hunyuan-thread-reserve", daemon=True)
        with _live_lock:
            _live.add(thread)
        thread.start()

    def in_task(self, drive: Callable[[], AsyncIterator[object]]) -> None:
        if not self.reserve.needs_refill():
            return

        async def run() -> None:
            try:
                async for _ in drive():
                    pass
            except Exception as exc:
                _failed(exc)

        task = asyncio.get_running_loop().create_task(run(), name="hunyuan-thread-reserve")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
