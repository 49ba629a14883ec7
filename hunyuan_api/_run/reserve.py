"""A small reserve of RunThread threads created ahead of need (the ``thread_reserve`` setting).

A new conversation on RunThread needs a thread: ``CreateThread``, then ``RunThread``, two round
trips before the first token. A client that keeps a few empty threads made in the background
starts a new conversation with ``RunThread`` alone. This module only decides (which thread to
hand out, how many to make, when to give up on the ones held); the flows (``flows``) take and
refill through it, and the clients (``_transport``) run the refills in the background.

Rules, each because a reserved thread is a thread nobody else may touch:

- a thread is handed out once (``take`` removes it), so two conversations never share one;
- a thread older than ``max_age`` is never handed out: the service does not document how long an
  unused thread lives, and one that vanished costs a failed ``RunThread`` before the fallback;
- any sign that a reserved thread is gone discards them all (they were made alike, and likely
  went alike);
- held plus being made never exceeds ``capacity``, so an idle or exiting process leaves at most
  that many unused threads (plus none: a refill's thread is counted from the moment it is asked
  for); a request asked for longer ago than ``claim_expiry`` stops counting (its refill died
  unseen, e.g. with an event loop closed without cancelling its tasks) so the reserve is never
  full of requests that will not answer;
- after a failed refill nothing is asked for during ``QUIET_AFTER_FAILURE`` seconds (a reserve
  only saves time; a broken credential must not double every conversation's errors);
- a forked child starts empty (its parent may hand out the same threads).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["CLAIM_EXPIRY", "MAX_AGE", "QUIET_AFTER_FAILURE", "ThreadReserve"]

#: Seconds a reserved thread may wait for a conversation. Tencent documents no lifetime for an
#: unused thread; ten minutes is far below any retention a service that keeps conversations
#: could use, and well above the gap between conversations of a busy application. A thread that
#: vanished sooner costs one inline ``CreateThread`` (the fallback), never a wrong answer.
MAX_AGE = 600.0

#: Seconds after which a refill's CreateThread that never answered stops counting against the
#: reserve (the client passes the longest one request may take under its timeout).
CLAIM_EXPIRY = 300.0

#: Seconds without refills after one failed (``ThreadReserve.unclaim(failed=True)``).
QUIET_AFTER_FAILURE = 30.0


class ThreadReserve:
    """Unused thread ids of one endpoint and credential pair; safe under threads and asyncio
    (no awaits while locked)."""

    def __init__(
        self,
        capacity: int,
        *,
        max_age: float = MAX_AGE,
        claim_expiry: float = CLAIM_EXPIRY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.max_age = max_age
        self.claim_expiry = claim_expiry
        self._clock = clock
        self._lock = threading.Lock()
        #: (thread id, when it was made), oldest first.
        self._held: deque[tuple[str, float]] = deque()
        #: When each CreateThread asked for and not yet answered was claimed, oldest first.
        self._claims: deque[float] = deque()
        self._quiet_until = 0.0
        #: The client was closed: no refill until a conversation uses it again.
        self._paused = False

    def __repr__(self) -> str:
        return f"ThreadReserve(held={len(self._held)}, pending={len(self._claims)})"

    def __len__(self) -> int:
        return len(self._held)

    @property
    def pending(self) -> int:
        with self._lock:
            self._expire_claims_locked()
            return len(self._claims)

    def take(self) -> str | None:
        """A thread no conversation has used, or None (the caller creates one inline)."""
        taken = self.take_stamped()
        return taken[0] if taken is not None else None

    def take_stamped(self) -> tuple[str, float] | None:
        """``take``, with when the thread was made (for ``give_back``)."""
        now = self._clock()
        with self._lock:
            self._paused = False
            while self._held:
                thread_id, made = self._held.popleft()
                if now - made < self.max_age:
                    return thread_id, made
            return None

    def give_back(self, thread_id: str, made: float | None = None) -> None:
        """A taken thread the service provably never ran on: it is still unused. ``made``: when
        it was made, as ``take_stamped`` said, so that its age keeps counting from then."""
        with self._lock:
            self._expire_claims_locked()
            if len(self._held) + len(self._claims) < self.capacity:
                self._held.appendleft((thread_id, self._clock() if made is None else made))

    def needs_refill(self) -> bool:
        with self._lock:
            return self._room_locked()

    def claim(self) -> bool:
        """Count one ``CreateThread`` about to be sent for the reserve; False: it is full (or
        resting after a failure), send nothing."""
        with self._lock:
            if not self._room_locked():
                return False
            self._claims.append(self._clock())
            return True

    def put(self, thread_id: str) -> None:
        """A claimed ``CreateThread`` answered with this thread."""
        with self._lock:
            self._settle_claim_locked()
            self._held.append((thread_id, self._clock()))

    def unclaim(self, *, failed: bool) -> None:
        """A claimed ``CreateThread`` gave no thread (``failed``: the service or the network
        refused it, rather than the request being cancelled)."""
        with self._lock:
            self._settle_claim_locked()
            # A request cut by the client's own close says nothing about the service.
            if failed and not self._paused:
                self._quiet_until = self._clock() + QUIET_AFTER_FAILURE

    def pause(self) -> None:
        """The client is closing: a refill in progress stops after its current request (and
        so never reopens the connections just closed); the next ``take`` resumes."""
        with self._lock:
            self._paused = True

    def discard(self) -> None:
        """A reserved thread turned out to be gone: the others are suspect too."""
        with self._lock:
            self._held.clear()

    def _settle_claim_locked(self) -> None:
        if self._claims:  # an expired claim was already let go
            self._claims.popleft()

    def _expire_claims_locked(self) -> None:
        horizon = self._clock() - self.claim_expiry
        while self._claims and self._claims[0] < horizon:
            self._claims.popleft()

    def _room_locked(self) -> bool:
        self._expire_claims_locked()
        return (
            not self._paused
            and len(self._held) + len(self._claims) < self.capacity
            and self._clock() >= self._quiet_until
        )

    def _after_fork_in_child(self) -> None:
        # The parent may hand out the same threads, and its pending requests are not ours.
        self._lock = threading.Lock()
        self._held.clear()
        self._claims.clear()
