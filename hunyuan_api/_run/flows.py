"""Every decision a client makes, as generators of I/O commands (sans-I/O, like httpx's auth flow).

A flow yields what to do next: ``Send`` a request, ``READ`` the next chunk of the open body,
``Sleep`` before a retry, ``Emit`` events to the caller. The client performs the command and sends
the reply back in (transport failures are thrown in as ``httpx.HTTPError``). The sync and async
clients are two small drivers of the same flows, so what to send, what a response means, whether
to retry and what the thread ledger learns are written once, here.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import httpx

from .._errors import (
    APIConnectionError,
    APITimeoutError,
    HunyuanError,
    NotFoundError,
    PartialOutput,
    StreamError,
)
from .._retry import RetryPolicy
from .._types import Message, RunFinished, RunOptions, RunResult
from .._wire.bodies import build_chat_completions_body, build_run_thread_body
from .._wire.frames import ChatCompletionChunk, Thread, error_in_response
from .._wire.responses import (
    error_from_response,
    is_event_stream,
    is_service_refusal,
    parse_json_response,
)
from .session import RunSession
from .threads import Scope, ThreadLedger, ThreadPlan

__all__ = [
    "READ",
    "READ_REST",
    "RELEASE",
    "Answer",
    "Command",
    "Emit",
    "Flow",
    "Flows",
    "JsonReply",
    "Opened",
    "Send",
    "Sleep",
]

logger = logging.getLogger("hunyuan_api")

# -- commands and replies ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Send:
    """Send one API 3.0 action. Reply: ``Opened`` (``stream``) or ``Answer``."""

    action: str
    body: Mapping[str, Any]
    stream: bool


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


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

Command = Send | Sleep | Emit | _BodyCommand


@dataclass(frozen=True, slots=True)
class Opened:
    status: int
    headers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class JsonReply:
    """What a JSON action flow emits: the ``Response`` object of a successful answer."""

    response: dict[str, Any]


Flow = Generator[Command, Any, None]

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


class _Attempt:
    """Book-keeping for one try of a run."""

    __slots__ = ("plan", "result", "session", "thread_id", "unprocessed")

    def __init__(self, plan: ThreadPlan | None = None, thread_id: str | None = None) -> None:
        self.plan = plan
        self.thread_id = thread_id
        self.session: RunSession | None = None
        self.result: RunResult | None = None
        #: The service provably did not act on the request, so the thread is unchanged.
        self.unprocessed = False


class RunState:
    """What a run has delivered so far, readable while it streams (``RunStream.partial``)."""

    __slots__ = ("session",)

    def __init__(self) -> None:
        self.session: RunSession | None = None

    def partial(self) -> PartialOutput:
        return self.session.partial() if self.session is not None else PartialOutput()


class Flows:
    """The flows of a client with these retry rules and this thread ledger."""

    def __init__(
        self,
        *,
        max_retries: int,
        retry_policy: RetryPolicy,
        ledger: ThreadLedger,
        scope: Scope,
        stall_timeout: float | None = None,
    ) -> None:
        self.max_retries = max_retries
        self.retry_policy = retry_policy
        self.ledger = ledger
        self.scope = scope
        #: Seconds a stream may go without a complete frame (``RunSession``).
        self.stall_timeout = stall_timeout

    # -- JSON actions --------------------------------------------------------------------------

    def json_action(self, action: str, body: Mapping[str, Any]) -> Flow:
        """One JSON action, retried while its error is transient; emits a ``JsonReply``."""
        tries = 0
        while True:
            try:
                response = yield from self._send_json(action, body)
            except HunyuanError as exc:
                self._check_retry(exc, tries)
                yield Sleep(self.retry_policy.delay(tries))
                tries += 1
                continue
            yield Emit((JsonReply(response),))
            return

    def completion(self, history: list[Message], options: RunOptions) -> Flow:
        """A non-stream ChatCompletions call (``Stream: false``), read like one stream frame:
        the same finish reasons, errors and client-side stop cut; emits one ``RunFinished``."""
        body = build_chat_completions_body(history, options, stream=False)
        tries = 0
        while True:
            try:
                response = yield from self._send_json("ChatCompletions", body)
                session = RunSession(
                    model=options.model,
                    request_id=response.get("RequestId"),
                    thread_id=None,
                    stop=options.stop,
                )
                error = error_in_response(response)
                session.feed_frame(error or ChatCompletionChunk.model_validate(response))
                result = session.result()
            except HunyuanError as exc:
                self._check_retry(exc, tries)
                yield Sleep(self.retry_policy.delay(tries))
                tries += 1
                continue
            yield Emit((RunFinished(result),))
            return

    def _send_json(
        self, action: str, body: Mapping[str, Any]
    ) -> Generator[Command, Any, dict[str, Any]]:
        try:
            answer: Answer = yield Send(action, body, stream=False)
        except httpx.HTTPError as exc:
            raise transport_error(exc, partial=None, request_id=None) from exc
        return parse_json_response(answer.status, answer.headers, answer.body)

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
                if options.api == "chat_completions":
                    action = "ChatCompletions"
                    body = build_chat_completions_body(history, options, stream=True)
                else:
                    action = "RunThread"
                    plan = attempt.plan
                    if plan is None:
                        plan = attempt.plan = self._plan(history, options)
                        attempt.thread_id = plan.thread_id
                    if attempt.thread_id is None:
                        # No retries inside: this loop decides for the whole run.
                        created = yield from self._send_json("CreateThread", {})
                        attempt.thread_id = Thread.model_validate(created).id
                    body = build_run_thread_body(attempt.thread_id, plan.send, options)
                yield from self._stream_once(action, body, options, attempt, state)
                break
            except HunyuanError as exc:
                attempt = self._after_error(exc, attempt, tries)
                yield Sleep(self.retry_policy.delay(tries))
                tries += 1
            except BaseException:
                # Closed by the caller, cancelled, or a bug: the thread's content is unknown.
                if attempt.plan is not None:
                    self.ledger.abandon(attempt.plan, attempt.thread_id)
                raise
        yield Emit((self._finish(attempt),))

    def _stream_once(
        self,
        action: str,
        body: Mapping[str, Any],
        options: RunOptions,
        attempt: _Attempt,
        state: RunState,
    ) -> Flow:
        try:
            opened: Opened = yield Send(action, body, stream=True)
        except httpx.HTTPError as exc:
            attempt.unprocessed = isinstance(exc, _NEVER_SENT)
            raise transport_error(exc, partial=None, request_id=None) from exc
        if not is_event_stream(opened.status, opened.headers.get("content-type", "")):
            try:
                rest: bytes = yield READ_REST
            except httpx.HTTPError as exc:
                raise transport_error(exc, partial=None, request_id=None) from exc
            error = error_from_response(opened.status, opened.headers, rest)
            # The service's own refusal proves it did not act; a gateway's page proves nothing.
            attempt.unprocessed = is_service_refusal(error)
            raise error
        session = attempt.session = state.session = RunSession(
            model=options.model,
            request_id=opened.headers.get("x-tc-requestid"),
            thread_id=attempt.thread_id,
            stop=options.stop,
            completion_token_limit=(
                options.max_tokens if options.api == "chat_completions" else None
            ),
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
        yield RELEASE
        # Inside the retry loop: a stream that ended early is an error retried like others.
        attempt.result = session.result()

    def _plan(self, history: list[Message], options: RunOptions) -> ThreadPlan:
        plan = self.ledger.plan(self.scope, history, options.thread_id)
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
        if plan is not None and plan.mode == "continue" and isinstance(exc, NotFoundError):
            # The service dropped the thread; replaying on a fresh one loses nothing.
            self.ledger.abandon(plan, attempt.thread_id)
            logger.info(
                "thread %s no longer exists; replaying on a fresh thread", attempt.thread_id
            )
            return _Attempt()
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
            else:
                self.ledger.abandon(plan, attempt.thread_id)
        if not retry:
            raise exc
        self._log_retry(exc, tries)
        # The service never touched the thread: the same plan and thread again.
        return _Attempt(plan, attempt.thread_id) if attempt.unprocessed else _Attempt()

    def _finish(self, attempt: _Attempt) -> RunFinished:
        session = attempt.session
        result = attempt.result
        assert session is not None
        assert result is not None
        plan = attempt.plan
        if plan is not None and attempt.thread_id is not None:
            if session.cut is None and result.finish_reason != "content_filter":
                reply = Message("assistant", result.text, result.tool_calls)
                self.ledger.commit(plan, attempt.thread_id, reply)
            else:
                # The thread holds more than the caller saw (cut short) or was moderated.
                self.ledger.abandon(plan, attempt.thread_id)
            result = replace(
                result,
                thread_id=attempt.thread_id,
                continued_thread=plan.mode == "continue",
                messages_sent=len(plan.send),
            )
        return RunFinished(result)
