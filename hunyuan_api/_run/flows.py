"""Every decision a client makes, as generators of I/O commands (sans-I/O, like httpx's auth flow).

A flow yields what to do next: ``Send`` a request, ``READ`` the next chunk of the open body,
``Sleep`` before a retry, ``Emit`` events to the caller. The client performs the command and sends
the reply back in (transport failures are thrown in as ``httpx.HTTPError``). The sync and async
clients are two small drivers of the same flows, so what to send, what a response means, whether
to retry and what the thread ledger learns are written once, here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import httpx

from .._errors import (
    APIConnectionError,
    APITimeoutError,
    ContentFilterError,
    HunyuanError,
    NotFoundError,
    PartialOutput,
    StreamError,
)
from .._retry import RetryPolicy
from .._types import Message, RunFinished, RunOptions, RunResult
from .._wire.bodies import build_run_thread_body
from .._wire.dialects import Dialect
from .._wire.embeddings import EmbeddingBatch, read_embeddings
from .._wire.frames import Thread
from .._wire.responses import is_event_stream, is_service_refusal
from .continuation import Placement, TokenSigner, check_tip, needs_check, verify_run
from .reserve import ThreadReserve
from .session import RunSession
from .threads import Scope, ThreadLedger, ThreadPlan

__all__ = [
    "READ",
    "READ_REST",
    "REFILL",
    "RELEASE",
    "Command",
    "Drain",
    "Emit",
    "Flow",
    "Flows",
    "JsonReply",
    "Reply",
    "Send",
    "Sleep",
]

logger = logging.getLogger("hunyuan_api")

_T = TypeVar("_T")

# -- commands and replies ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Send:
    """Send one action. Reply: a ``Reply``, with the body unless ``stream`` (then ``READ``)."""

    action: str
    body: Mapping[str, Any]
    stream: bool


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


@dataclass(frozen=True, slots=True)
class Drain:
    """Read what is left of the open body if it ends within ``seconds`` (and ``max_bytes``),
    then close it (no reply). A body read to its end leaves its connection in the pool; one
    closed early costs the next request a new connection (TCP and TLS handshakes)."""

    seconds: float
    max_bytes: int


#: After a run ended, the server ends its body at once (at most a ``[DONE]`` is left): waiting a
#: little for that keeps the connection, and the bound keeps a server that goes on sending
#: (heartbeats) from holding the call open.
_DRAIN_AFTER_RUN = Drain(seconds=0.05, max_bytes=64 * 1024)


@dataclass(frozen=True, slots=True)
class Emit:
    """Hand these to the caller, in order (no reply)."""

    events: Sequence[object]


class _BodyCommand:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: The next chunk of the open body; reply ``b""`` at its end.
READ = _BodyCommand("READ")
#: The rest of the open body at once; reply the bytes.
READ_REST = _BodyCommand("READ_REST")
#: Close the open body now (its connection goes back to the pool).
RELEASE = _BodyCommand("RELEASE")
#: Top up the thread reserve in the background (``Flows.refill``); no reply.
REFILL = _BodyCommand("REFILL")

Command = Send | Sleep | Emit | Drain | _BodyCommand


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class JsonReply:
    """What a JSON action flow emits: the ``Response`` object of a successful answer."""

    response: dict[str, Any]


Flow = Generator[Command, Any, None]

#: The service's refusal of a run on a thread that has a run in progress.
_BUSY = "UnsupportedOperation"

# httpx failures that prove the request never reached the service.
_NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)


def transport_error(
    exc: httpx.HTTPError, *, partial: PartialOutput | None, request_id: str | None
) -> HunyuanError:
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"the request timed out ({detail}); raise `timeout` if the model needs longer",
            code="ClientTimeout",
            request_id=request_id,
            partial=partial,
        )
    if partial is not None:
        return StreamError(
            f"the connection dropped mid-stream ({detail})",
            code="StreamInterrupted",
            request_id=request_id,
            partial=partial,
        )
    return APIConnectionError(
        f"could not reach the Hunyuan API ({detail})",
        code="ClientConnection",
        request_id=request_id,
    )


def _thread_unusable(exc: HunyuanError, attempt: _Attempt) -> bool:
    """The service says the attempt's thread is gone, or (before acting) busy with another run."""
    return isinstance(exc, NotFoundError) or (attempt.unprocessed and exc.code == _BUSY)


def _check_not_withdrawn(result: RunResult) -> None:
    """A moderated reply is never an answer: Tencent asks clients to withdraw the text already
    shown ("需要自行撤回已上屏的内容"), so it raises, with that text as ``partial``."""
    if result.finish_reason == "content_filter":
        raise ContentFilterError(
            "the service's moderation stopped the reply (finish reason sensitive); withdraw "
            "any of its text already shown",
            code="FinishReason.sensitive",
            request_id=result.request_id,
            partial=PartialOutput(
                text=result.text,
                reasoning=result.reasoning,
                tool_calls=result.tool_calls,
                thread_id=result.thread_id,
                run_id=result.run_id,
                request_id=result.request_id,
            ),
        )


class _Attempt:
    """Book-keeping for one try of a run."""

    __slots__ = (
        "checked",
        "plan",
        "refill",
        "reserved",
        "result",
        "session",
        "thread_id",
        "unprocessed",
        "use_reserve",
    )

    def __init__(
        self,
        plan: ThreadPlan | None = None,
        thread_id: str | None = None,
        *,
        use_reserve: bool = True,
    ) -> None:
        self.plan = plan
        self.thread_id = thread_id
        #: A new thread may come from the reserve (not after a reserved one proved gone).
        self.use_reserve = use_reserve
        #: When ``thread_id``, taken from the reserve, was made; None: not from the reserve.
        self.reserved: float | None = None
        #: The reserve is to be topped up once this attempt's request is out.
        self.refill = False
        self.session: RunSession | None = None
        self.result: RunResult | None = None
        #: The service provably did not act on the request, so the thread is unchanged.
        self.unprocessed = False
        #: The thread's newest message was checked just before this attempt (continuation.py).
        self.checked = False


class RunState:
    """What a run has delivered so far, readable while it streams (``RunStream.partial``)."""

    __slots__ = ("session",)

    def __init__(self) -> None:
        self.session: RunSession | None = None

    def partial(self) -> PartialOutput:
        return self.session.partial() if self.session is not None else PartialOutput()


class Flows:
    """The flows of a client that speaks ``dialect``, with these retry rules and thread ledger."""

    def __init__(
        self,
        *,
        dialect: Dialect,
        max_retries: int,
        retry_policy: RetryPolicy,
        ledger: ThreadLedger,
        scope: Scope,
        tokens: TokenSigner | None = None,
        stall_timeout: float | None = None,
        reserve: ThreadReserve | None = None,
    ) -> None:
        #: Issues and trusts thread tokens; None: threads stay with the process (no tokens).
        self.tokens: TokenSigner | None = tokens
        #: Threads made ahead of need for new conversations; None: each is made inline.
        self.reserve = reserve
        self.dialect = dialect
        self.max_retries = max_retries
        self.retry_policy = retry_policy
        self.ledger = ledger
        self.scope = scope
        #: Seconds a stream may go without a complete frame (``RunSession``).
        self.stall_timeout = stall_timeout

    # -- JSON actions --------------------------------------------------------------------------

    def json_action(self, action: str, body: Mapping[str, Any]) -> Flow:
        """One JSON action, retried while its error is transient; emits a ``JsonReply``."""
        response, _ = yield from self._retrying(lambda: self._send_json(action, body))
        yield Emit((JsonReply(response),))

    def embedding(self, texts: list[str], model: str) -> Flow:
        """One embedding request for ``texts``, retried like a JSON action (an answer that does
        not fit the texts is a transient server error); emits one ``EmbeddingBatch``."""
        body = self.dialect.embedding_body(texts, model)

        def once() -> Generator[Command, Any, EmbeddingBatch]:
            response, request_id = yield from self._send_json(self.dialect.embedding_action, body)
            return read_embeddings(response, len(texts), request_id)

        batch = yield from self._retrying(once)
        yield Emit((batch,))

    def completion(self, history: list[Message], options: RunOptions) -> Flow:
        """A non-stream chat call, read like one stream frame: the same finish reasons, errors
        and client-side stop cut; emits one ``RunFinished``."""
        body = self.dialect.build_chat(history, options, stream=False)
        result = yield from self._retrying(lambda: self._completion_once(body, options))
        _check_not_withdrawn(result)
        yield Emit((RunFinished(result),))

    def _completion_once(
        self, body: Mapping[str, Any], options: RunOptions
    ) -> Generator[Command, Any, RunResult]:
        response, request_id = yield from self._send_json(self.dialect.chat_action, body)
        session = RunSession(
            model=options.model,
            request_id=response.get("RequestId") or request_id,
            thread_id=None,
            stop=options.stop,
            single_tool_call=options.parallel_tool_calls is False,
        )
        session.feed_frame(self.dialect.completion_frame(response))
        return session.result()

    def _retrying(
        self, once: Callable[[], Generator[Command, Any, _T]]
    ) -> Generator[Command, Any, _T]:
        """``once()``, again after a backoff while its error is transient (nothing of a JSON
        answer reaches the caller before it is whole, so every transient failure qualifies)."""
        tries = 0
        while True:
            try:
                return (yield from once())
            except HunyuanError as exc:
                self._check_retry(exc, tries)
                yield self._backoff(exc, tries)
                tries += 1

    def _send_json(
        self, action: str, body: Mapping[str, Any]
    ) -> Generator[Command, Any, tuple[dict[str, Any], str | None]]:
        try:
            answer: Reply = yield Send(action, body, stream=False)
        except httpx.HTTPError as exc:
            raise transport_error(exc, partial=None, request_id=None) from exc
        response = self.dialect.parse_answer(answer.status, answer.headers, answer.body)
        return response, self.dialect.request_id(answer.headers)

    def _backoff(self, exc: HunyuanError, tries: int) -> Sleep:
        # The service's Retry-After, when it sent one, is the least it asked for.
        return Sleep(max(self.retry_policy.delay(tries), exc.retry_after or 0.0))

    def _check_retry(self, exc: HunyuanError, tries: int) -> None:
        """Raise ``exc`` unless it may be retried."""
        if not exc.retryable or tries >= self.max_retries:
            raise exc
        self._log_retry(exc, tries)

    def _log_retry(self, exc: HunyuanError, tries: int) -> None:
        logger.info(
            "retrying after %s (code %s, RequestId %s), attempt %d of %d",
            type(exc).__name__,
            exc.code,
            exc.request_id,
            tries + 1,
            self.max_retries,
        )

    # -- streamed runs -------------------------------------------------------------------------

    def run(self, history: list[Message], options: RunOptions, state: RunState) -> Flow:
        """A streamed run on RunThread or ChatCompletions: its events, then one ``RunFinished``.

        Transient failures are retried until output reaches the caller; after that they raise
        with ``partial`` attached. A retry that may have touched a thread goes to a fresh one.
        """
        attempt = _Attempt()
        tries = 0
        while True:
            try:
                if options.api != "run_thread":
                    action = self.dialect.chat_action
                    body = self.dialect.build_chat(history, options, stream=True)
                else:
                    action = "RunThread"
                    plan = attempt.plan
                    if plan is None:
                        plan = attempt.plan = self._plan(history, options)
                        attempt.thread_id = plan.thread_id
                    if needs_check(plan, self.tokens) and not attempt.checked:
                        plan = attempt.plan = yield from check_tip(
                            self._send_json, self.ledger, plan
                        )
                        attempt.thread_id, attempt.checked = plan.thread_id, True
                    if attempt.thread_id is None:
                        attempt.thread_id = yield from self._new_thread(attempt)
                    body = build_run_thread_body(attempt.thread_id, plan.send, options)
                yield from self._stream_once(action, body, options, attempt, state)
                break
            except HunyuanError as exc:
                if self._reserved_gone(exc, attempt):
                    # Not a retry: nothing was sent that could have reached a thread of ours.
                    attempt = _Attempt(attempt.plan, use_reserve=False)
                    continue
                attempt = self._after_error(exc, attempt, tries)
                yield self._backoff(exc, tries)
                tries += 1
            except BaseException:
                # Closed by the caller, cancelled, or a bug: the thread's content is unknown
                # (and a reserved thread, once its run may have been sent, is never reused).
                if attempt.plan is not None:
                    self.ledger.abandon(attempt.plan, attempt.thread_id)
                raise
        placed: Placement = "ours"
        if attempt.checked and attempt.plan is not None:
            try:
                placed = yield from verify_run(
                    self._send_json, self.ledger, attempt.plan, attempt.result, attempt.session
                )
            except BaseException:
                self.ledger.abandon(attempt.plan, attempt.thread_id)
                raise
        finished = self._finish(attempt, placed)
        yield Emit((finished,))
        # After the final event, so a stream shows how it ended before it raises.
        _check_not_withdrawn(finished.result)

    def _stream_once(
        self,
        action: str,
        body: Mapping[str, Any],
        options: RunOptions,
        attempt: _Attempt,
        state: RunState,
    ) -> Flow:
        try:
            opened: Reply = yield Send(action, body, stream=True)
        except httpx.HTTPError as exc:
            attempt.unprocessed = isinstance(exc, _NEVER_SENT)
            raise transport_error(exc, partial=None, request_id=None) from exc
        if not is_event_stream(opened.status, opened.headers.get("content-type", "")):
            try:
                rest: bytes = yield READ_REST
            except httpx.HTTPError as exc:
                raise transport_error(exc, partial=None, request_id=None) from exc
            error = self.dialect.error(opened.status, opened.headers, rest)
            # The service's own refusal proves it did not act; a gateway's page proves nothing.
            attempt.unprocessed = is_service_refusal(error)
            raise error
        if attempt.refill:  # only beside a run the service took (not a refused one's retries)
            yield REFILL
        session = attempt.session = state.session = RunSession(
            model=options.model,
            request_id=self.dialect.request_id(opened.headers),
            thread_id=attempt.thread_id,
            stop=options.stop,
            # ChatCompletions has no MaxTokens field: the cap is enforced on its cumulative usage.
            completion_token_limit=(
                options.max_tokens if options.api == "chat_completions" else None
            ),
            single_tool_call=options.parallel_tool_calls is False,
            stall_timeout=self.stall_timeout,
        )
        while not session.done:
            try:
                chunk: bytes = yield READ
            except httpx.HTTPError as exc:
                if session.acc.finished:
                    break  # the connection broke after the terminal frame: nothing is lost
                raise transport_error(
                    exc, partial=session.partial(), request_id=session.acc.request_id
                ) from exc
            if not chunk:
                yield Emit(session.end())
                break
            events = session.feed(chunk)
            if events:
                yield Emit(events)
        yield _DRAIN_AFTER_RUN if session.ended_by_server else RELEASE
        # Inside the retry loop: a stream that ended early is an error retried like others.
        attempt.result = session.result()

    # -- the thread reserve ----------------------------------------------------------------

    def _new_thread(self, attempt: _Attempt) -> Generator[Command, Any, str]:
        """A thread for a fresh run: one from the reserve, else one made inline."""
        reserve = self.reserve
        if reserve is not None:
            taken = reserve.take_stamped() if attempt.use_reserve else None
            # Refilled whether or not one was there (an empty reserve is a cold or discarded
            # one), once the run's stream is open: the refill runs beside it, never before it.
            attempt.refill = True
            if taken is not None:
                thread_id, attempt.reserved = taken
                return thread_id
        # No retries inside: the run's loop decides for the whole run.
        created, _ = yield from self._send_json("CreateThread", {})
        return Thread.model_validate(created).id

    def _reserved_gone(self, exc: HunyuanError, attempt: _Attempt) -> bool:
        """Whether ``exc`` says the reserved thread of ``attempt`` is unusable before anything
        was delivered (the run then starts over on a thread made inline)."""
        if attempt.reserved is None or self.reserve is None:
            return False
        if attempt.session is not None and attempt.session.delivered:
            return False
        if not _thread_unusable(exc, attempt):
            return False
        logger.info(
            "reserved thread %s is unusable (%s); making one inline", attempt.thread_id, exc.code
        )
        self.reserve.discard()
        return True

    def refill(self) -> Flow:
        """Make threads until the reserve is full: one ``CreateThread`` at a time, never
        retried (a reserve only saves time; a failure leaves it short and quiet a while)."""
        reserve = self.reserve
        while reserve is not None and reserve.claim():
            try:
                created, _ = yield from self._send_json("CreateThread", {})
                thread_id = Thread.model_validate(created).id
            except Exception:
                reserve.unclaim(failed=True)
                raise
            except BaseException:
                reserve.unclaim(failed=False)
                raise
            reserve.put(thread_id)

    def _plan(self, history: list[Message], options: RunOptions) -> ThreadPlan:
        trust = self.tokens.trusts if self.tokens is not None else None
        plan = self.ledger.plan(self.scope, history, options.thread_id, trust)
        logger.debug(
            "RunThread plan: %s thread %s, sending %d of %d messages",
            plan.mode,
            plan.thread_id or "(new)",
            len(plan.send),
            len(history),
        )
        return plan

    def _after_error(self, exc: HunyuanError, attempt: _Attempt, tries: int) -> _Attempt:
        """Raise ``exc``, or return the attempt to make next (after the backoff)."""
        plan = attempt.plan
        session = attempt.session
        delivered = session is not None and session.delivered
        if (
            plan is not None
            and plan.mode in ("continue", "resume")
            and _thread_unusable(exc, attempt)
        ):
            # The service dropped the thread, or refused a second run on it (another process is
            # running there): replaying on a fresh one loses nothing.
            self.ledger.abandon(plan, attempt.thread_id)
            logger.info(
                "thread %s is gone or busy (%s); replaying on a fresh thread",
                attempt.thread_id,
                exc.code,
            )
            # Not planned again: the reply's token would name the same thread.
            return _Attempt(plan.fresh())
        retry = (
            exc.retryable
            and not delivered
            and tries < self.max_retries
            and (plan is None or plan.mode != "pinned" or attempt.unprocessed)
        )
        if plan is not None:
            if attempt.unprocessed:
                if not retry:
                    self.ledger.release(plan, attempt.thread_id)
                    if attempt.reserved is not None and self.reserve is not None:
                        assert attempt.thread_id is not None
                        self.reserve.give_back(attempt.thread_id, attempt.reserved)
            else:
                self.ledger.abandon(plan, attempt.thread_id)
        if not retry:
            raise exc
        self._log_retry(exc, tries)
        if not attempt.unprocessed:
            return _Attempt()
        # The service never touched the thread: the same plan and thread again.
        again = _Attempt(plan, attempt.thread_id, use_reserve=attempt.use_reserve)
        again.reserved, again.refill = attempt.reserved, attempt.refill
        return again

    def _finish(self, attempt: _Attempt, placed: Placement) -> RunFinished:
        session = attempt.session
        result = attempt.result
        assert session is not None
        assert result is not None
        plan = attempt.plan
        if plan is not None and attempt.thread_id is not None:
            token = None
            if (
                placed == "ours"
                and session.cut is None
                and not session.dropped_calls
                and result.finish_reason != "content_filter"
            ):
                reply = Message("assistant", result.text, result.tool_calls)
                held = self.ledger.commit(plan, attempt.thread_id, reply, result.message_id)
                if self.tokens is not None and plan.mode != "pinned" and result.message_id:
                    token = self.tokens.issue(attempt.thread_id, result.message_id, held)
            else:
                # The thread holds more than the caller saw (cut short, or tool calls withheld
                # for parallel_tool_calls=False), was moderated, or was written to by another run
                # after this one.
                self.ledger.abandon(plan, attempt.thread_id)
            result = replace(
                result,
                thread_id=attempt.thread_id,
                continued_thread=plan.mode in ("continue", "resume"),
                messages_sent=len(plan.send),
                thread_token=token,
            )
        return RunFinished(result)
