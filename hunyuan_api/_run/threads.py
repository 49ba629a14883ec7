"""Which thread a conversation runs on, and which of its messages must be sent (protocol §4).

After a run on thread T, T holds the history that was sent plus the assistant's reply. The ledger
remembers a digest of that content. A later history whose prefix has the same digest, and whose
remaining messages may follow an assistant turn, continues T by sending only those messages;
anything else (edited, truncated or foreign histories) starts a fresh thread and is replayed whole.

The ledger lives in one process. A reply also carries a token with the same digest
(``continuation``): a history the ledger does not know may *resume* the thread its last matching
reply names, in any process, once the caller (``flows``) has checked the thread is unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import SecretStr

from .._types import Message, ThreadToken

__all__ = ["ThreadLedger", "ThreadPlan", "default_ledger", "history_digests", "ledger_scope"]

Scope = tuple[str, str]
Mode = Literal["continue", "resume", "fresh", "pinned"]
#: Whether a token on the message whose history has this digest may be trusted.
Trust = Callable[[ThreadToken, bytes], bool]


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


def ledger_scope(base_url: str, account: SecretStr | str) -> Scope:
    """Threads belong to an endpoint and an account (a SecretId, or an API key), which is kept
    only as a hash (and, given as ``SecretStr``, never bound to a name in plain text)."""
    digest = hashlib.sha256(
        (account.get_secret_value() if isinstance(account, SecretStr) else account).encode()
    )
    return base_url, digest.hexdigest()[:32]


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
    #: The id of the thread's newest message when it held this history's prefix, if known
    #: ("continue" from the ledger, "resume" from a token).
    expect: str | None = None

    def fresh(self) -> ThreadPlan:
        """The same history, replayed whole on a new thread."""
        return ThreadPlan("fresh", None, self.history, self.history, self.scope, self.digests)


class ThreadLedger:
    """Process-wide, bounded (LRU), safe under threads and asyncio (no awaits while locked)."""

    def __init__(self, maxsize: int = 4096) -> None:
        self.maxsize = maxsize
        self._lock = threading.Lock()
        self._by_digest: OrderedDict[tuple[Scope, bytes], str] = OrderedDict()
        self._digest_of: dict[tuple[Scope, str], bytes] = {}
        self._pinned: OrderedDict[tuple[Scope, str], bytes] = OrderedDict()
        self._claimed: set[tuple[Scope, str]] = set()
        #: The id of each known thread's newest message (the last reply), when the run gave one.
        self._tip: dict[tuple[Scope, str], str] = {}
        _LEDGERS.add(self)

    def __reduce__(self) -> tuple[Any, ...]:
        # What a ledger knows is this process's threads and claims: an unpickled ledger starts
        # empty, and conversations replay on fresh threads until it learns them again. (A
        # model's deep copy shares its ledger rather than copying it.)
        return (ThreadLedger, (self.maxsize,))

    def _after_fork_in_child(self) -> None:
        # A forked child starts with no thread of its parent's: the parent may continue them,
        # and two processes extending one thread would each send a history the thread no longer
        # holds. The lock is new too (a parent thread may have held it at the fork).
        self._lock = threading.Lock()
        self.clear()

    def __len__(self) -> int:
        return len(self._by_digest)

    def __repr__(self) -> str:
        return f"ThreadLedger(threads={len(self._by_digest)}, in_flight={len(self._claimed)})"

    def is_claimed(self, scope: Scope, thread_id: str) -> bool:
        return (scope, thread_id) in self._claimed

    def plan(
        self,
        scope: Scope,
        history: Sequence[Message],
        pinned: str | None = None,
        trust: Trust | None = None,
    ) -> ThreadPlan:
        """Continue the thread of the latest assistant turn that this ledger knows or whose
        token ``trust`` accepts (None: tokens are ignored); otherwise start a fresh thread."""
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
                reply = history[k - 1]
                if reply.role != "assistant":
                    continue
                mode: Mode = "continue"
                thread_id = self._by_digest.get((scope, digests[k - 1]))
                if thread_id is not None:
                    expect = self._tip.get((scope, thread_id))
                else:
                    token = reply.thread_token
                    if token is None or trust is None or not trust(token, digests[k - 1]):
                        continue
                    mode, thread_id, expect = "resume", token.thread_id, token.message_id
                # Two runs may not extend one thread at once: the second replays on a fresh one.
                if (scope, thread_id) in self._claimed or not _can_follow_assistant(history, k):
                    break
                self._claimed.add((scope, thread_id))
                if mode == "continue":
                    self._by_digest.move_to_end((scope, digests[k - 1]))
                return ThreadPlan(
                    mode, thread_id, history[k:], history, scope, digests, True, expect
                )
        return ThreadPlan("fresh", None, history, history, scope, digests)

    def commit(
        self, plan: ThreadPlan, thread_id: str, reply: Message, message_id: str | None = None
    ) -> bytes:
        """The run succeeded: the thread now holds ``plan.history`` plus ``reply``, and
        ``message_id`` (the reply's id) is its newest message. Returns the digest of that."""
        held = _chain(plan.digests[-1] if plan.digests else b"", reply)
        key = (plan.scope, thread_id)
        with self._lock:
            self._claimed.discard(key)
            if plan.mode == "pinned":
                self._pinned[key] = held
                self._pinned.move_to_end(key)
                while len(self._pinned) > self.maxsize:
                    self._pinned.popitem(last=False)
                return held
            self._forget_locked(key)
            previous = self._by_digest.get((plan.scope, held))
            if previous is not None and previous != thread_id:
                # Another thread holds the same content; this one takes the digest over, and the
                # other must not keep a reverse entry (unbounded, and forgetting it later would
                # drop this thread's entry).
                self._digest_of.pop((plan.scope, previous), None)
                self._tip.pop((plan.scope, previous), None)
            self._by_digest[(plan.scope, held)] = thread_id
            self._digest_of[key] = held
            if message_id is not None:
                self._tip[key] = message_id
            while len(self._by_digest) > self.maxsize:
                (scope, _), old_thread = self._by_digest.popitem(last=False)
                self._digest_of.pop((scope, old_thread), None)
                self._tip.pop((scope, old_thread), None)
        return held

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
        self._tip.pop(key, None)
        old = self._digest_of.pop(key, None)
        if old is not None:
            self._by_digest.pop((key[0], old), None)

    def clear(self) -> None:
        with self._lock:
            self._by_digest.clear()
            self._digest_of.clear()
            self._pinned.clear()
            self._claimed.clear()
            self._tip.clear()


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
