"""Which thread a conversation runs on, and which of its messages must be sent (protocol §4).

After a run on thread T, T holds the history that was sent plus the assistant's reply. The ledger
remembers a digest of that content. A later history whose prefix has the same digest, and whose
remaining messages may follow an assistant turn, continues T by sending only those messages;
anything else (edited, truncated or foreign histories) starts a fresh thread and is replayed whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import SecretStr

from .._types import Message

__all__ = ["ThreadLedger", "ThreadPlan", "default_ledger", "history_digests", "ledger_scope"]

Scope = tuple[str, str]
Mode = Literal["continue", "fresh", "pinned"]


def _canonical_arguments(arguments: str) -> object:
    try:
        return json.loads(arguments) if arguments.strip() else {}
    except ValueError:
        return arguments


def _message_bytes(message: Message) -> bytes:
    calls = [[c.id, c.name, _canonical_arguments(c.arguments)] for c in message.tool_calls]
    # ensure_ascii keeps lone surrogates representable; sort_keys makes argument order irrelevant.
    return json.dumps(
        [message.role, message.content, calls, message.tool_call_id],
        sort_keys=True,
        separators=(",", ":"),
    ).encode("ascii")


def _chain(previous: bytes, message: Message) -> bytes:
    return hashlib.blake2b(previous + _message_bytes(message), digest_size=16).digest()


def history_digests(history: Sequence[Message]) -> list[bytes]:
    """digests[i] identifies history[: i + 1]."""
    out: list[bytes] = []
    current = b""
    for message in history:
        current = _chain(current, message)
        out.append(current)
    return out


def ledger_scope(base_url: str, secret_id: SecretStr) -> Scope:
    """Threads belong to an endpoint and an account; the SecretId is kept only as a hash."""
    return base_url, hashlib.sha256(secret_id.get_secret_value().encode("utf-8")).hexdigest()[:32]


def _can_follow_assistant(history: Sequence[Message], k: int) -> bool:
    first = history[k]
    if first.role == "user":
        return True
    return first.role == "tool" and bool(history[k - 1].tool_calls)


@dataclass
class ThreadPlan:
    mode: Mode
    thread_id: str | None
    send: list[Message]
    history: list[Message]
    scope: Scope
    digests: list[bytes] = field(repr=False)
    claimed: bool = False


class ThreadLedger:
    """Process-wide, bounded (LRU), safe under threads and asyncio (no awaits while locked)."""

    def __init__(self, maxsize: int = 4096) -> None:
        self.maxsize = maxsize
        self._lock = threading.Lock()
        self._by_digest: OrderedDict[tuple[Scope, bytes], str] = OrderedDict()
        self._digest_of: dict[tuple[Scope, str], bytes] = {}
        self._pinned: OrderedDict[tuple[Scope, str], bytes] = OrderedDict()
        self._claimed: set[tuple[Scope, str]] = set()
        _LEDGERS.add(self)

    def _after_fork_in_child(self) -> None:
        # A forked child starts with no thread of its parent's: the parent may continue them,
        # and two processes extending one thread would each send a history the thread no longer
        # holds. The lock is new too (a parent thread may have held it at the fork).
        self._lock = threading.Lock()
        self._by_digest.clear()
        self._digest_of.clear()
        self._pinned.clear()
        self._claimed.clear()

    def __len__(self) -> int:
        return len(self._by_digest)

    def __repr__(self) -> str:
        return f"ThreadLedger(threads={len(self._by_digest)}, in_flight={len(self._claimed)})"

    def is_claimed(self, scope: Scope, thread_id: str) -> bool:
        return (scope, thread_id) in self._claimed

    def plan(
        self, scope: Scope, history: Sequence[Message], pinned: str | None = None
    ) -> ThreadPlan:
        history = list(history)
        digests = history_digests(history)
        if pinned is not None:
            with self._lock:
                held = self._pinned.get((scope, pinned))
            start = 0
            if held is not None:
                for k in range(len(history) - 1, 0, -1):
                    if digests[k - 1] == held and _can_follow_assistant(history, k):
                        start = k
                        break
            return ThreadPlan("pinned", pinned, history[start:], history, scope, digests)
        with self._lock:
            for k in range(len(history) - 1, 0, -1):
                if history[k - 1].role != "assistant":
                    continue
                thread_id = self._by_digest.get((scope, digests[k - 1]))
                if thread_id is None:
                    continue
                # Two runs may not extend one thread at once: the second replays on a fresh one.
                if (scope, thread_id) in self._claimed or not _can_follow_assistant(history, k):
                    break
                self._claimed.add((scope, thread_id))
                self._by_digest.move_to_end((scope, digests[k - 1]))
                return ThreadPlan(
                    "continue", thread_id, history[k:], history, scope, digests, claimed=True
                )
        return ThreadPlan("fresh", None, history, history, scope, digests)

    def commit(self, plan: ThreadPlan, thread_id: str, reply: Message) -> None:
        """The run succeeded: the thread now holds ``plan.history`` plus ``reply``."""
        held = _chain(plan.digests[-1] if plan.digests else b"", reply)
        key = (plan.scope, thread_id)
        with self._lock:
            self._claimed.discard(key)
            if plan.mode == "pinned":
                self._pinned[key] = held
                self._pinned.move_to_end(key)
                while len(self._pinned) > self.maxsize:
                    self._pinned.popitem(last=False)
                return
            self._forget_locked(key)
            previous = self._by_digest.get((plan.scope, held))
            if previous is not None and previous != thread_id:
                # Another thread holds the same content; this one takes the digest over, and the
                # other must not keep a reverse entry (unbounded, and forgetting it later would
                # drop this thread's entry).
                self._digest_of.pop((plan.scope, previous), None)
            self._by_digest[(plan.scope, held)] = thread_id
            self._digest_of[key] = held
            while len(self._by_digest) > self.maxsize:
                (scope, _), old_thread = self._by_digest.popitem(last=False)
                self._digest_of.pop((scope, old_thread), None)

    def release(self, plan: ThreadPlan, thread_id: str | None) -> None:
        """The run never reached the thread: it keeps its content and can be continued."""
        if thread_id is not None:
            with self._lock:
                self._claimed.discard((plan.scope, thread_id))

    def abandon(self, plan: ThreadPlan, thread_id: str | None) -> None:
        """The thread's content is unknown (a run broke, was cut short or cancelled).

        A pinned thread keeps what it surely held before the run (threads only grow): the
        caller's next call with the same history re-sends only the messages after it, never
        the whole conversation again."""
        if thread_id is None:
            return
        key = (plan.scope, thread_id)
        with self._lock:
            self._claimed.discard(key)
            self._forget_locked(key)

    def _forget_locked(self, key: tuple[Scope, str]) -> None:
        old = self._digest_of.pop(key, None)
        if old is not None:
            self._by_digest.pop((key[0], old), None)

    def clear(self) -> None:
        with self._lock:
            self._by_digest.clear()
            self._digest_of.clear()
            self._pinned.clear()
            self._claimed.clear()


_LEDGERS: weakref.WeakSet[ThreadLedger] = weakref.WeakSet()


def _forget_after_fork() -> None:
    for ledger in list(_LEDGERS):
        ledger._after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)

_DEFAULT = ThreadLedger()


def default_ledger() -> ThreadLedger:
    """The process-wide ledger every client shares unless given its own."""
    return _DEFAULT
