"""Continuing a thread from a token that a reply carried, in any process (docs/threads.md).

After a run on thread T, the reply carries a ``ThreadToken``: T, the id of the last message the
run wrote there, the digest of everything T then holds (``threads.history_digests``, the ledger's
own digest) and a MAC. A later history whose prefix up to that reply has the same digest may
continue T, sending only the newer messages, once two checks on the thread pass:

- before the run, T's newest message must still be the recorded one (``tip_query``/``tip_is``):
  nobody has written to T since;
- after the run, the run's messages must sit right after that message (``placement``): nobody
  wrote to T between the first check and the run, so the reply was made with the right context.

The MAC is keyed by the account's SecretKey (through a derived key) and covers the endpoint, so a
token forged or copied from another account, or from another endpoint, is never trusted: a client
can only continue threads that its own credentials' replies pointed to.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Generator, Mapping
from typing import Any, Literal

from pydantic import SecretStr

from .._errors import HunyuanError, PartialOutput, StreamError
from .._types import RunResult, ThreadToken
from .._wire.frames import ThreadMessageList
from .session import RunSession
from .threads import ThreadLedger, ThreadPlan

__all__ = [
    "Placement",
    "TokenSigner",
    "check_tip",
    "needs_check",
    "parse_token",
    "placement",
    "tip_is",
    "tip_query",
    "verify_run",
]

logger = logging.getLogger("hunyuan_api")

#: Bumped if the digest or the MAC input ever changes: older tokens then simply do not verify.
_KEY_LABEL = b"hunyuan_api thread token v1"
_DIGEST_HEX = 32
_MAC_HEX = 32
#: Ids longer than this are not ids (a token is untrusted input).
_MAX_ID = 200
#: GetThreadMessageList returns at most this many messages.
MAX_PAGE = 100

Placement = Literal["ours", "moved", "conflict", "unknown"]
#: ``Flows._send_json``: a sub-flow that sends one JSON action and returns its ``Response`` and
#: the request id.
SendJson = Callable[
    [str, Mapping[str, Any]], Generator[Any, Any, tuple[dict[str, Any], str | None]]
]


class TokenSigner:
    """Issues and checks the tokens of one endpoint and credential pair. The derived key is
    never shown (no repr) and never leaves this object."""

    __slots__ = ("_endpoint", "_key")

    def __init__(self, endpoint: str, secret_key: SecretStr) -> None:
        self._endpoint = endpoint.encode("utf-8")
        self._key = hmac.new(
            secret_key.get_secret_value().encode("utf-8"), _KEY_LABEL, hashlib.sha256
        ).digest()

    def __repr__(self) -> str:
        return "TokenSigner(...)"

    def __reduce__(self) -> Any:
        raise TypeError("a TokenSigner holds key material and cannot be pickled")

    def _mac(self, thread_id: str, message_id: str, digest: str) -> str:
        payload = b"\0".join(
            (self._endpoint, thread_id.encode(), message_id.encode(), digest.encode())
        )
        return hmac.new(self._key, payload, hashlib.sha256).hexdigest()[:_MAC_HEX]

    def issue(self, thread_id: str, message_id: str, digest: bytes) -> ThreadToken:
        hexdigest = digest.hex()
        return ThreadToken(
            thread_id, message_id, hexdigest, self._mac(thread_id, message_id, hexdigest)
        )

    def trusts(self, token: ThreadToken, digest: bytes) -> bool:
        """The token names this exact history, and these credentials issued it here."""
        if not hmac.compare_digest(token.digest, digest.hex()):
            return False
        expected = self._mac(token.thread_id, token.message_id, token.digest)
        return hmac.compare_digest(token.mac, expected)


def _id(value: object) -> str | None:
    if isinstance(value, str) and 0 < len(value) <= _MAX_ID and value.isprintable():
        return value
    return None


def _hex(value: object, length: int) -> str | None:
    if isinstance(value, str) and len(value) == length:
        try:
            bytes.fromhex(value)
        except ValueError:
            return None
        return value.lower()
    return None


def parse_token(raw: object) -> ThreadToken | None:
    """A token from message metadata (a ``ThreadToken`` or its ``as_metadata()`` dict, as a
    store gave it back); anything else, malformed or truncated, is no token."""
    if isinstance(raw, ThreadToken):
        return raw
    if not isinstance(raw, Mapping):
        return None
    thread_id = _id(raw.get("thread_id"))
    message_id = _id(raw.get("message_id"))
    digest = _hex(raw.get("digest"), _DIGEST_HEX)
    mac = _hex(raw.get("mac"), _MAC_HEX)
    if thread_id is None or message_id is None or digest is None or mac is None:
        return None
    return ThreadToken(thread_id, message_id, digest, mac)


def tip_query(thread_id: str, limit: int = 1) -> dict[str, Any]:
    """The GetThreadMessageList body for the thread's newest ``limit`` messages."""
    return {"ThreadID": thread_id, "Limit": max(1, min(limit, MAX_PAGE)), "Order": "desc"}


def tip_is(listing: ThreadMessageList, message_id: str) -> bool:
    """The thread's newest message is ``message_id`` (``listing`` is newest first)."""
    return bool(listing.data) and listing.data[0].id == message_id


def placement(
    listing: ThreadMessageList, reply_id: str, previous_id: str, sent: int, limit: int
) -> Placement:
    """Where a run's messages sit in ``listing`` (newest first, asked with ``limit``): the run
    sent ``sent`` messages to a thread whose newest message was ``previous_id`` and wrote the
    reply ``reply_id``.

    ``ours``: the reply is the newest message and exactly the run's messages separate it from
    ``previous_id``, so the run saw the expected context. ``moved``: the same, but others wrote
    after the reply. ``conflict``: something else came between, so the run's context was not
    the expected one. ``unknown``: the listing does not reach far enough to tell.
    """
    ids = [message.id for message in listing.data]
    if reply_id not in ids:
        return "unknown"
    at = ids.index(reply_id)
    before = at + sent + 1
    if before >= len(ids):
        # The listing ends first. A short page is the whole thread: ``previous_id`` is gone.
        return "unknown" if listing.has_more or len(ids) >= limit else "conflict"
    if ids[before] != previous_id:
        return "conflict"
    return "ours" if at == 0 else "moved"


# -- the two checks, as sub-flows of ``Flows.run`` ---------------------------------------------


def needs_check(plan: ThreadPlan, tokens: TokenSigner | None) -> bool:
    """Whether continuing ``plan``'s thread needs its newest message checked first.

    Once replies carry tokens, any process holding a conversation may extend its thread, so a
    new turn checks. A call that sends nothing but the results of the tool calls of the reply
    this process's ledger recorded is one agent step in progress: only the run that made those
    calls holds that state, so agent loops keep one request per step.
    """
    if tokens is None or plan.expect is None:
        return False
    agent_step = plan.mode == "continue" and all(m.role == "tool" for m in plan.send)
    return plan.mode in ("continue", "resume") and not agent_step


def check_tip(
    send_json: SendJson, ledger: ThreadLedger, plan: ThreadPlan
) -> Generator[Any, Any, ThreadPlan]:
    """``plan`` while its thread's newest message is still ``plan.expect``, else a fresh plan:
    a thread that moved on, vanished or cannot be checked is never continued."""
    thread_id, expect = plan.thread_id, plan.expect
    assert thread_id is not None
    assert expect is not None
    try:
        answer, _ = yield from send_json("GetThreadMessageList", tip_query(thread_id))
        unchanged = tip_is(ThreadMessageList.model_validate(answer), expect)
    except (HunyuanError, ValueError) as exc:
        # ValueError: a listing that is not one (pydantic's ValidationError).
        logger.info("could not check thread %s (%s)", thread_id, exc)
        unchanged = False
    if unchanged:
        return plan
    ledger.abandon(plan, thread_id)
    logger.info(
        "thread %s moved on from message %s; replaying on a fresh thread", thread_id, expect
    )
    return plan.fresh()


def verify_run(
    send_json: SendJson,
    ledger: ThreadLedger,
    plan: ThreadPlan,
    result: RunResult | None,
    session: RunSession | None,
) -> Generator[Any, Any, Placement]:
    """After a checked run: whether its messages sit right after the message the check saw.
    Only then was the reply made with the history the caller sent. A run placed elsewhere
    raises ``StreamError`` (code ``ThreadConflict``) with the output the caller already has."""
    if plan.mode not in ("continue", "resume"):
        return "ours"
    thread_id, expect = plan.thread_id, plan.expect
    assert thread_id is not None
    assert expect is not None
    assert result is not None
    if not result.message_id:
        return "unknown"
    sent = len(plan.send)
    placed: Placement = "unknown"
    # Usually the first page decides; a second, longer one only if others wrote after the run.
    for limit in dict.fromkeys((min(sent + 2, MAX_PAGE), MAX_PAGE)):
        try:
            answer, _ = yield from send_json("GetThreadMessageList", tip_query(thread_id, limit))
            listing = ThreadMessageList.model_validate(answer)
        except (HunyuanError, ValueError) as exc:
            logger.warning("could not verify the run on thread %s (%s)", thread_id, exc)
            return "unknown"
        placed = placement(listing, result.message_id, expect, sent, limit)
        if placed != "unknown":
            break
    if placed == "conflict":
        ledger.abandon(plan, thread_id)
        raise StreamError(
            f"thread {thread_id} was written to by another run between the check and this run, "
            "so this reply was made with a different history. Calling again replays the history "
            "on a fresh thread.",
            code="ThreadConflict",
            request_id=result.request_id,
            partial=session.partial() if session is not None else PartialOutput(),
        )
    return placed
