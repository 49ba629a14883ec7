"""After ``fork()``: children start with no connection and no thread claim of their parent.

A model used before a fork (gunicorn ``--preload``, Celery prefork, ``multiprocessing`` with the
fork start method) is copied into every child with its pooled keep-alive sockets, which the
children would then share with the parent and with each other: responses cross between
processes. So, in each child, right after the fork:

- every client lets go of its inherited pools (``sockets.release_pool_sockets``: this process's
  descriptors only, nothing sent on the parent's connections) and opens fresh ones on first use;
- every thread ledger forgets its threads and claims (the parent may continue those threads, and
  a claim held by a parent thread would never be released here), and gets a new lock.

Objects that must not be finalized in the child (an async generator registered with a parent's
event loop would, when collected, write to that loop's self-pipe, which the processes share)
are kept in ``_INHERITED`` for the child's life.
"""

from __future__ import annotations

import os
import weakref
from typing import Protocol

__all__ = ["keep_inherited", "track"]


class ForkAware(Protocol):
    def _after_fork_in_child(self) -> None: ...


_TRACKED: weakref.WeakSet[ForkAware] = weakref.WeakSet()
_INHERITED: list[object] = []


def track(obj: ForkAware) -> None:
    """Call ``obj._after_fork_in_child()`` in every child forked while ``obj`` lives."""
    _TRACKED.add(obj)


def keep_inherited(obj: object) -> None:
    """Keep ``obj`` alive for the rest of this (child) process, never finalized."""
    _INHERITED.append(obj)


def _after_fork_in_child() -> None:
    for obj in list(_TRACKED):
        obj._after_fork_in_child()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_after_fork_in_child)
