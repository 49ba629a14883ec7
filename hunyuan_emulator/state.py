"""Everything the emulator remembers, behind one lock (tests touch it from another thread)."""

from __future__ import annotations

import itertools
import random
import string
import threading
from collections import OrderedDict, deque
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import RuleError
from .faults import MODEL_ACTIONS, Fault
from .model import ConvMessage, ToolCallSpec
from .replies import QueuedReply, ReplyOrder, build_reply
from .settings import EmulatorCredential, EmulatorSettings

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "EmulatorState",
    "RecordedRequest",
    "StoredMessage",
    "Thread",
    "new_id",
    "new_message_id",
]

_ALNUM = string.ascii_letters + string.digits
# Ids only need to be unique; a private RNG keeps the fault RNG's sequence reproducible.
_ids = random.Random()
_REDACTED_HEADERS = frozenset({"authorization", "x-tc-token"})


def _thread_not_found(thread_id: str) -> RuleError:
    return RuleError("ResourceNotFound", f"资源不存在。Thread {thread_id!r} not found.")


def new_id(prefix: str) -> str:
    return prefix + "".join(_ids.choices(_ALNUM, k=24))


_message_numbers = itertools.count(1)
_message_lock = threading.Lock()


def new_message_id() -> str:
    """A thread message id: unique, and ordered like the messages were stored (a sequence number
    first), so a listing shows at once which run wrote after which."""
    with _message_lock:
        number = next(_message_numbers)
    return f"msg_{number:012d}" + "".join(_ids.choices(_ALNUM, k=12))


@dataclass
class StoredMessage:
    id: str
    thread_id: str
    role: str
    content: str
    created_at: int
    run_id: str = ""
    status: str = "completed"
    completed_at: int = 0
    incomplete_at: int = 0
    incomplete_reason: str | None = None
    tool_calls: tuple[ToolCallSpec, ...] = ()
    attachments: list[dict[str, Any]] = field(default_factory=list)

    def to_wire(self) -> dict[str, Any]:
        """A ThreadMessage as the SDK models it."""
        return {
            "ID": self.id,
            "Object": "thread.message",
            "CreatedAt": self.created_at,
            "ThreadID": self.thread_id,
            "Status": self.status,
            "InCompleteDetails": (
                {"Reason": self.incomplete_reason} if self.incomplete_reason is not None else None
            ),
            "CompletedAt": self.completed_at,
            "InCompleteAt": self.incomplete_at,
            "Role": self.role,
            "Content": self.content,
            "AssistantID": "",
            "RunID": self.run_id,
            "Attachments": list(self.attachments),
        }

    def as_conv(self) -> ConvMessage:
        return ConvMessage(self.role, self.content, self.tool_calls)


@dataclass
class Thread:
    id: str
    created_at: int
    messages: list[StoredMessage] = field(default_factory=list)
    active_run: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "ID": self.id,
            "Object": "thread",
            "CreatedAt": self.created_at,
            "ToolResources": None,
        }


@dataclass
class RecordedRequest:
    time: float
    action: str
    headers: dict[str, str]
    body: Any
    secret_id: str | None
    request_id: str
    #: "stream", "ok", an error code, or "fault:<spec>".
    outcome: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _ScriptedFault:
    fault: Fault
    action: str | None
    remaining: int


class EmulatorState:
    """Threads, queued replies, faults, the request log and the concurrency counters."""

    def __init__(self, settings: EmulatorSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._threads: OrderedDict[str, Thread] = OrderedDict()
        self._replies: deque[QueuedReply] = deque()
        self._thread_replies: dict[str, deque[QueuedReply]] = {}
        self._script: list[_ScriptedFault] = []
        self._requests: deque[RecordedRequest] = deque(maxlen=settings.max_logged_requests)
        self._active: dict[str, int] = {}
        self._max_seen = 0
        self._fault_rate = settings.fault_rate
        self._rate_faults = settings.rate_faults
        self._rng = random.Random(settings.seed)

    # ------------------------------------------------------------------ credentials, clock

    def credential(self, secret_id: str) -> EmulatorCredential | None:
        return next((c for c in self.settings.credentials if c.secret_id == secret_id), None)

    def now(self) -> float:
        return self.settings.clock()

    # ------------------------------------------------------------------ threads

    def create_thread(self) -> Thread:
        thread = Thread(new_id("thread_"), int(self.now()))
        with self._lock:
            self._threads[thread.id] = thread
            while len(self._threads) > self.settings.max_threads:
                victim = next((t for t in self._threads.values() if t.active_run is None), None)
                if victim is None:
                    break
                del self._threads[victim.id]
                self._thread_replies.pop(victim.id, None)
        return thread

    def get_thread(self, thread_id: str) -> Thread | None:
        with self._lock:
            thread = self._threads.get(thread_id)
            if thread is not None:
                self._threads.move_to_end(thread_id)
            return thread

    def require_thread(self, thread_id: str) -> Thread:
        thread = self.get_thread(thread_id)
        if thread is None:
            raise _thread_not_found(thread_id)
        return thread

    @property
    def threads(self) -> Mapping[str, Thread]:
        """A snapshot of the threads, oldest first (read access only)."""
        with self._lock:
            return dict(self._threads)

    def expire_threads(self, empty_only: bool = True) -> list[str]:
        """Delete threads as the service may when they expire (every thread with no run in
        progress; with ``empty_only``, those that hold no message yet). Returns their ids."""
        with self._lock:
            gone = [
                t.id
                for t in self._threads.values()
                if t.active_run is None and not (empty_only and t.messages)
            ]
            for thread_id in gone:
                del self._threads[thread_id]
                self._thread_replies.pop(thread_id, None)
        return gone

    def thread_messages(self, thread_id: str) -> list[StoredMessage]:
        with self._lock:
            thread = self._threads.get(thread_id)
            return list(thread.messages) if thread is not None else []

    def begin_run(self, thread_id: str, run_id: str) -> list[StoredMessage]:
        """Locks the thread for one run; returns the messages it holds."""
        with self._lock:
            thread = self._threads.get(thread_id)
            if thread is None:
                raise _thread_not_found(thread_id)
            if thread.active_run is not None:
                raise RuleError("UnsupportedOperation", "thread has an active run")
            self._threads.move_to_end(thread_id)
            thread.active_run = run_id
            return list(thread.messages)

    def end_run(
        self, thread_id: str, run_id: str, commit: Sequence[StoredMessage] | None = None
    ) -> None:
        """Unlocks the thread; ``commit`` (the run's new messages) is stored on success only."""
        with self._lock:
            thread = self._threads.get(thread_id)
            if thread is None or thread.active_run != run_id:
                return
            thread.active_run = None
            if commit:
                thread.messages.extend(commit)

    # ------------------------------------------------------------------ queued replies

    def queue_reply(self, **order: Unpack[ReplyOrder]) -> None:
        """Queue the exact reply of the next run/completion (or the next run on ``thread_id``):
        ``text``, ``tool_calls``, ``error``, ``finish_reason``, ``reasoning``, ``thread_id``,
        ``times``, as ``replies.ReplyOrder`` describes them."""
        reply = build_reply(order)
        thread_id = order.get("thread_id")
        with self._lock:
            queue = (
                self._replies
                if thread_id is None
                else self._thread_replies.setdefault(thread_id, deque())
            )
            queue.extend([reply] * max(1, order.get("times", 1)))

    def take_reply(self, thread_id: str | None) -> QueuedReply | None:
        with self._lock:
            if thread_id is not None:
                queue = self._thread_replies.get(thread_id)
                if queue:
                    return queue.popleft()
            return self._replies.popleft() if self._replies else None

    # ------------------------------------------------------------------ faults

    def add_fault(
        self, fault: Fault | str, action: str | None = "RunThread", count: int = 1
    ) -> None:
        """Script ``fault`` for the next ``count`` requests of ``action`` (None: any action)."""
        if isinstance(fault, str):
            fault = Fault.parse(fault)
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._script.append(_ScriptedFault(fault, action, count))

    def set_fault_rate(
        self, rate: float, faults: Sequence[Fault | str] | None = None, seed: int | None = None
    ) -> None:
        """Inject a fault into each model call (``MODEL_ACTIONS``) with probability ``rate``."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        parsed = (
            tuple(Fault.parse(f) if isinstance(f, str) else f for f in faults)
            if faults is not None
            else None
        )
        if parsed is not None and not parsed:
            raise ValueError("faults must not be empty")
        with self._lock:
            self._fault_rate = rate
            if parsed is not None:
                self._rate_faults = parsed
            if seed is not None:
                self._rng = random.Random(seed)

    def take_fault(self, action: str, streaming: bool) -> tuple[Fault, str] | None:
        """The fault for this request, if any, and where it came from ("script" or "rate")."""
        with self._lock:
            for entry in self._script:
                if entry.action not in (None, action):
                    continue
                if entry.fault.stream_only and not streaming:
                    continue
                entry.remaining -= 1
                if entry.remaining <= 0:
                    self._script.remove(entry)
                return entry.fault, "script"
            if action not in MODEL_ACTIONS or self._fault_rate <= 0:
                return None
            if self._rng.random() >= self._fault_rate:
                return None
            eligible = [f for f in self._rate_faults if streaming or not f.stream_only]
            if not eligible:
                return None
            return self._rng.choice(eligible), "rate"

    @property
    def pending_faults(self) -> list[tuple[Fault, str | None, int]]:
        with self._lock:
            return [(e.fault, e.action, e.remaining) for e in self._script]

    # ------------------------------------------------------------------ concurrency

    def try_acquire(self, secret_id: str) -> bool:
        with self._lock:
            active = self._active.get(secret_id, 0)
            if active >= self.settings.concurrency_limit:
                return False
            self._active[secret_id] = active + 1
            self._max_seen = max(self._max_seen, active + 1)
            return True

    def release(self, secret_id: str) -> None:
        with self._lock:
            active = self._active.get(secret_id, 0) - 1
            if active > 0:
                self._active[secret_id] = active
            else:
                self._active.pop(secret_id, None)

    def active_runs(self, secret_id: str | None = None) -> int:
        """Model calls in flight for ``secret_id`` (all SecretIds when None)."""
        with self._lock:
            if secret_id is None:
                return sum(self._active.values())
            return self._active.get(secret_id, 0)

    @property
    def max_concurrent_seen(self) -> int:
        """The most model calls one SecretId had in flight at once since the last reset."""
        with self._lock:
            return self._max_seen

    # ------------------------------------------------------------------ request log

    def record(
        self,
        *,
        action: str,
        headers: Mapping[str, str],
        body: Any,
        secret_id: str | None,
        request_id: str,
    ) -> RecordedRequest:
        entry = RecordedRequest(
            time=self.now(),
            action=action,
            headers={
                k: ("<redacted>" if k.lower() in _REDACTED_HEADERS else v)
                for k, v in headers.items()
            },
            body=body,
            secret_id=secret_id,
            request_id=request_id,
        )
        with self._lock:
            self._requests.append(entry)
        return entry

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    # ------------------------------------------------------------------ reset

    def reset(self) -> None:
        """Forget threads, queued replies, scripted faults and the log; restore the fault rate."""
        with self._lock:
            self._threads.clear()
            self._replies.clear()
            self._thread_replies.clear()
            self._script.clear()
            self._requests.clear()
            self._max_seen = max(self._active.values(), default=0)
            self._fault_rate = self.settings.fault_rate
            self._rate_faults = self.settings.rate_faults
            self._rng = random.Random(self.settings.seed)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "active_runs": dict(self._active),
                "max_concurrent_seen": self._max_seen,
                "threads": len(self._threads),
                "queued_replies": len(self._replies)
                + sum(len(q) for q in self._thread_replies.values()),
                "pending_faults": len(self._script),
                "fault_rate": self._fault_rate,
            }
