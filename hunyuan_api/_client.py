"""Sync and async clients. ``_ClientBase`` holds every decision (what to send, what a response
means, whether to retry, what the thread ledger learns); the two subclasses only move bytes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Sequence
from dataclasses import replace
from typing import Any, Literal

import httpx
from pydantic import SecretStr

from ._config import (
    Credentials,
    Endpoint,
    resolve_credentials,
    resolve_endpoint,
    resolve_region,
    resolve_timeout,
)
from ._conversation import normalize_messages
from ._errors import (
    APIConnectionError,
    APITimeoutError,
    HunyuanError,
    NotFoundError,
    PartialOutput,
    StreamError,
)
from ._frames import ChatCompletionChunk, Thread, ThreadMessageList, error_in_response
from ._payload import (
    API_VERSION,
    build_chat_completions_body,
    build_run_thread_body,
    check_chat_completions_history,
    encode_json,
    validate_options,
)
from ._pool import ShardedAsyncTransport
from ._responses import (
    error_from_response,
    is_event_stream,
    is_service_refusal,
    parse_json_response,
)
from ._retry import RetryPolicy
from ._session import RunSession
from ._signing import TC3Auth
from ._threads import ThreadLedger, ThreadPlan, default_ledger, ledger_scope
from ._types import Message, RunFinished, RunOptions, RunResult, StreamEvent

__all__ = ["AsyncHunyuanClient", "HunyuanClient"]

logger = logging.getLogger("hunyuan_api")

_UNPROCESSED = "_hunyuan_unprocessed"
_NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)


def _mark_unprocessed(exc: HunyuanError) -> HunyuanError:
    """The service provably did not act on the request, so its thread is unchanged."""
    setattr(exc, _UNPROCESSED, True)
    return exc


def _transport_error(
    exc: httpx.HTTPError, *, partial: PartialOutput | None, request_id: str | None
) -> HunyuanError:
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    err: HunyuanError
    if isinstance(exc, httpx.TimeoutException):
        err = APITimeoutError(
            f"the request timed out ({detail}); raise `timeout` if the model needs longer",
            code="ClientTimeout",
            request_id=request_id,
            partial=partial,
        )
    elif partial is not None:
        err = StreamError(
            f"the connection dropped mid-stream ({detail})",
            code="StreamInterrupted",
            request_id=request_id,
            partial=partial,
        )
    else:
        err = APIConnectionError(
            f"could not reach the Hunyuan API ({detail})",
            code="ClientConnection",
            request_id=request_id,
        )
    if isinstance(exc, _NEVER_SENT):
        _mark_unprocessed(err)
    return err


class _Attempt:
    """Book-keeping for one try of a run."""

    __slots__ = ("plan", "result", "session", "thread_id")

    def __init__(self, plan: ThreadPlan | None, thread_id: str | None) -> None:
        self.plan = plan
        self.thread_id = thread_id
        self.session: RunSession | None = None
        self.result: RunResult | None = None


class _ClientBase:
    def __init__(
        self,
        *,
        secret_id: str | SecretStr | None = None,
        secret_key: str | SecretStr | None = None,
        token: str | SecretStr | None = None,
        base_url: str | None = None,
        region: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        allow_insecure_http: bool = False,
        ledger: ThreadLedger | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"max_retries must be a non-negative integer; got {max_retries!r}")
        self.credentials: Credentials = resolve_credentials(secret_id, secret_key, token)
        self.endpoint: Endpoint = resolve_endpoint(
            base_url, allow_insecure_http=allow_insecure_http
        )
        self.region = resolve_region(region)
        self.timeout = resolve_timeout(timeout)
        self.max_retries = max_retries
        self.retry_policy = retry_policy or RetryPolicy()
        self.ledger = ledger if ledger is not None else default_ledger()
        self._auth = TC3Auth(self.credentials)
        self._scope = ledger_scope(self.endpoint.url, self.credentials.secret_id.get_secret_value())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.endpoint.url!r}, region={self.region!r})"

    # -- requests (pure) ---------------------------------------------------------------------

    def _headers(self, action: str) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "X-TC-Action": action,
            "X-TC-Version": API_VERSION,
        }
        if self.region:
            headers["X-TC-Region"] = self.region
        return headers

    def _build_request(
        self, http: httpx.Client | httpx.AsyncClient, action: str, body: dict[str, Any]
    ) -> httpx.Request:
        """The POST of one action (signed when sent, by ``self._auth``)."""
        return http.build_request(
            "POST",
            self.endpoint.url,
            content=encode_json(body),
            headers=self._headers(action),
            timeout=self.timeout,
        )

    def _prepare(self, messages: Sequence[Message], options: RunOptions) -> list[Message]:
        validate_options(options)
        history = normalize_messages(messages)
        if options.api == "chat_completions":
            check_chat_completions_history(history)
        return history

    def _retry_json(self, exc: HunyuanError, tries: int) -> None:
        """Raise ``exc`` unless a non-stream ChatCompletions call may be retried: the same rule
        as a stream that failed before any output (``_after_error``)."""
        if not exc.retryable or tries >= self.max_retries:
            raise exc
        logger.info(
            "retrying after %s (code %s, RequestId %s), attempt %d of %d",
            type(exc).__name__,
            exc.code,
            exc.request_id,
            tries + 1,
            self.max_retries,
        )

    def _plan(self, history: list[Message], options: RunOptions) -> ThreadPlan:
        plan = self.ledger.plan(self._scope, history, options.thread_id)
        logger.debug(
            "RunThread plan: %s thread %s, sending %d of %d messages",
            plan.mode,
            plan.thread_id or "(new)",
            len(plan.send),
            len(history),
        )
        return plan

    def _new_session(
        self, options: RunOptions, response: httpx.Response, thread_id: str | None
    ) -> RunSession:
        return RunSession(
            model=options.model,
            request_id=response.headers.get("x-tc-requestid"),
            thread_id=thread_id,
            stop=options.stop,
            completion_token_limit=options.max_tokens
            if options.api == "chat_completions"
            else None,
        )

    # -- decisions (pure) --------------------------------------------------------------------

    def _after_error(self, exc: HunyuanError, attempt: _Attempt, tries: int) -> _Attempt:
        """Raise ``exc``, or return the attempt to make next (after the backoff)."""
        plan = attempt.plan
        session = attempt.session
        unprocessed = bool(getattr(exc, _UNPROCESSED, False))
        delivered = session is not None and session.delivered
        if plan is not None and plan.mode == "continue" and isinstance(exc, NotFoundError):
            # The service dropped the thread; replaying on a fresh one loses nothing.
            self.ledger.abandon(plan, attempt.thread_id)
            logger.info(
                "thread %s no longer exists; replaying on a fresh thread", attempt.thread_id
            )
            return _Attempt(None, None)
        retry = (
            exc.retryable
            and not delivered
            and tries < self.max_retries
            and (plan is None or plan.mode != "pinned" or unprocessed)
        )
        if plan is not None:
            if unprocessed:
                if not retry:
                    self.ledger.release(plan, attempt.thread_id)
            else:
                self.ledger.abandon(plan, attempt.thread_id)
        if not retry:
            raise exc
        logger.info(
            "retrying after %s (code %s, RequestId %s), attempt %d of %d",
            type(exc).__name__,
            exc.code,
            exc.request_id,
            tries + 1,
            self.max_retries,
        )
        if unprocessed:
            return attempt  # same plan and thread: the service never touched it
        return _Attempt(None, None)

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


def _check_stream_start(response: httpx.Response, body: bytes | None) -> HunyuanError | None:
    if is_event_stream(response.status_code, response.headers.get("content-type", "")):
        return None
    error = error_from_response(response.status_code, response.headers, body or b"")
    return _mark_unprocessed(error) if is_service_refusal(error) else error


class HunyuanClient(_ClientBase):
    """Synchronous client. Reuses one connection pool; pass ``http_client`` to supply your own."""

    def __init__(self, *, http_client: httpx.Client | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._http_client = http_client
        self._owns_http = http_client is None

    @property
    def _http(self) -> httpx.Client:
        if self._http_client is None:
            self._http_client = httpx.Client(
                timeout=self.timeout,
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            )
        return self._http_client

    def close(self) -> None:
        if self._owns_http and self._http_client is not None:
            self._http_client.close()
            self._http_client = None

    def __enter__(self) -> HunyuanClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- JSON actions --------------------------------------------------------------------------

    def _send_json(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        http = self._http
        request = self._build_request(http, action, body)
        try:
            response = http.send(request, auth=self._auth)
        except httpx.HTTPError as exc:
            raise _transport_error(exc, partial=None, request_id=None) from exc
        return parse_json_response(response.status_code, response.headers, response.content)

    def call(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """Any API 3.0 JSON action, with retries for transient failures. Returns ``Response``."""
        tries = 0
        while True:
            try:
                return self._send_json(action, body)
            except HunyuanError as exc:
                if not exc.retryable or tries >= self.max_retries:
                    raise
                time.sleep(self.retry_policy.delay(tries))
                tries += 1

    def create_thread(self) -> Thread:
        return Thread.model_validate(self.call("CreateThread", {}))

    def get_thread(self, thread_id: str) -> Thread:
        return Thread.model_validate(self.call("GetThread", {"ThreadID": thread_id}))

    def list_thread_messages(
        self, thread_id: str, *, limit: int = 20, order: Literal["asc", "desc"] = "desc"
    ) -> ThreadMessageList:
        body = {"ThreadID": thread_id, "Limit": limit, "Order": order}
        return ThreadMessageList.model_validate(self.call("GetThreadMessageList", body))

    # -- runs ----------------------------------------------------------------------------------

    def stream_chat(
        self, messages: Sequence[Message], options: RunOptions | None = None
    ) -> Iterator[StreamEvent]:
        """Stream a reply: text and tool-call deltas, then one ``RunFinished``.

        Validation happens before anything is sent. Transient failures are retried until output
        reaches the caller; after that, failures raise with ``partial`` attached.
        """
        options = options or RunOptions()
        history = self._prepare(messages, options)
        return self._stream(history, options)

    def _stream(self, history: list[Message], options: RunOptions) -> Iterator[StreamEvent]:
        attempt = _Attempt(None, None)
        tries = 0
        while True:
            try:
                if options.api == "chat_completions":
                    action = "ChatCompletions"
                    body = build_chat_completions_body(history, options, stream=True)
                else:
                    action = "RunThread"
                    if attempt.plan is None:
                        attempt.plan = self._plan(history, options)
                        attempt.thread_id = attempt.plan.thread_id
                    if attempt.thread_id is None:
                        # No inner retries here: this loop decides for the whole run.
                        created = self._send_json("CreateThread", {})
                        attempt.thread_id = Thread.model_validate(created).id
                    body = build_run_thread_body(attempt.thread_id, attempt.plan.send, options)
                yield from self._stream_once(action, body, options, attempt)
                break
            except HunyuanError as exc:
                attempt = self._after_error(exc, attempt, tries)
                time.sleep(self.retry_policy.delay(tries))
                tries += 1
            except BaseException:
                if attempt.plan is not None:
                    self.ledger.abandon(attempt.plan, attempt.thread_id)
                raise
        yield self._finish(attempt)

    def _stream_once(
        self, action: str, body: dict[str, Any], options: RunOptions, attempt: _Attempt
    ) -> Iterator[StreamEvent]:
        http = self._http
        request = self._build_request(http, action, body)
        try:
            response = http.send(request, auth=self._auth, stream=True)
        except httpx.HTTPError as exc:
            raise _transport_error(exc, partial=None, request_id=None) from exc
        try:
            early = None
            if not is_event_stream(response.status_code, response.headers.get("content-type", "")):
                try:
                    early = _check_stream_start(response, response.read())
                except httpx.HTTPError as exc:
                    raise _transport_error(exc, partial=None, request_id=None) from exc
            if early is not None:
                raise early
            session = attempt.session = self._new_session(options, response, attempt.thread_id)
            try:
                for chunk in response.iter_bytes():
                    yield from session.feed(chunk)
                    if session.done:
                        break
            except httpx.HTTPError as exc:
                if not session.acc.finished:
                    raise _transport_error(
                        exc, partial=session.partial(), request_id=session.acc.request_id
                    ) from exc
            if not session.done:
                yield from session.end()
            # Inside the retry loop: a stream that ended early is an error retried like others.
            attempt.result = session.result()
        finally:
            response.close()

    def chat(self, messages: Sequence[Message], options: RunOptions | None = None) -> RunResult:
        """The whole reply at once. RunThread streams underneath (it has no other mode);
        ChatCompletions makes a non-stream call (``Stream: false``) unless ``max_tokens`` is set,
        which the client enforces on the stream's cumulative usage."""
        options = options or RunOptions()
        history = self._prepare(messages, options)
        if _non_stream(options):
            return self._chat_completions_once(history, options)
        result: RunResult | None = None
        for event in self._stream(history, options):
            if isinstance(event, RunFinished):
                result = event.result
        assert result is not None
        return result

    def _chat_completions_once(self, history: list[Message], options: RunOptions) -> RunResult:
        body = build_chat_completions_body(history, options, stream=False)
        tries = 0
        while True:
            try:
                return _result_from_completion(self._send_json("ChatCompletions", body), options)
            except HunyuanError as exc:
                self._retry_json(exc, tries)
                time.sleep(self.retry_policy.delay(tries))
                tries += 1


def _non_stream(options: RunOptions) -> bool:
    """Whether ``chat`` can use ChatCompletions' non-stream mode: everything but a completion
    cap (ChatCompletions has no MaxTokens field; the cap is enforced on a stream)."""
    return options.api == "chat_completions" and not options.max_tokens


def _result_from_completion(response: dict[str, Any], options: RunOptions) -> RunResult:
    """A non-stream ChatCompletions answer, read like one stream frame: the same finish reasons,
    errors and client-side stop cut as the stream."""
    session = RunSession(
        model=options.model,
        request_id=response.get("RequestId"),
        thread_id=None,
        stop=options.stop,
    )
    error = error_in_response(response)
    session.feed_frame(error or ChatCompletionChunk.model_validate(response))
    return session.result()


class AsyncHunyuanClient(_ClientBase):
    """Asynchronous client. Each event loop gets its own connection pools (pools cannot cross
    loops), so repeated ``asyncio.run`` calls, notebooks and pytest-asyncio all work."""

    def __init__(
        self,
        *,
        http_client: httpx.AsyncClient | None = None,
        pool_shard_size: int = 4,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._injected = http_client
        self._shard_size = pool_shard_size
        self._per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient]
        self._per_loop = weakref.WeakKeyDictionary()

    @property
    def _http(self) -> httpx.AsyncClient:
        if self._injected is not None:
            return self._injected
        loop = asyncio.get_running_loop()
        client = self._per_loop.get(loop)
        if client is None:
            client = httpx.AsyncClient(
                timeout=self.timeout,
                transport=ShardedAsyncTransport(shard_size=self._shard_size),
            )
            self._per_loop[loop] = client
        return client

    def pool_stats(self) -> dict[str, int]:
        """Requests holding a connection, and pools open, on the running loop's transport."""
        transport = self._http._transport
        if isinstance(transport, ShardedAsyncTransport):
            return {"in_flight": transport.in_flight, "pools": transport.shard_count}
        return {"in_flight": -1, "pools": 1}

    async def aclose(self) -> None:
        if self._injected is None:
            loop = asyncio.get_running_loop()
            client = self._per_loop.pop(loop, None)
            if client is not None:
                await client.aclose()

    async def __aenter__(self) -> AsyncHunyuanClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- JSON actions --------------------------------------------------------------------------

    async def _send_json(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        http = self._http
        request = self._build_request(http, action, body)
        try:
            response = await http.send(request, auth=self._auth)
        except httpx.HTTPError as exc:
            raise _transport_error(exc, partial=None, request_id=None) from exc
        return parse_json_response(response.status_code, response.headers, response.content)

    async def call(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """Any API 3.0 JSON action, with retries for transient failures. Returns ``Response``."""
        tries = 0
        while True:
            try:
                return await self._send_json(action, body)
            except HunyuanError as exc:
                if not exc.retryable or tries >= self.max_retries:
                    raise
                await asyncio.sleep(self.retry_policy.delay(tries))
                tries += 1

    async def create_thread(self) -> Thread:
        return Thread.model_validate(await self.call("CreateThread", {}))

    async def get_thread(self, thread_id: str) -> Thread:
        return Thread.model_validate(await self.call("GetThread", {"ThreadID": thread_id}))

    async def list_thread_messages(
        self, thread_id: str, *, limit: int = 20, order: Literal["asc", "desc"] = "desc"
    ) -> ThreadMessageList:
        body = {"ThreadID": thread_id, "Limit": limit, "Order": order}
        return ThreadMessageList.model_validate(await self.call("GetThreadMessageList", body))

    # -- runs ----------------------------------------------------------------------------------

    def stream_chat(
        self, messages: Sequence[Message], options: RunOptions | None = None
    ) -> AsyncIterator[StreamEvent]:
        """Async twin of ``HunyuanClient.stream_chat`` (validation still happens at call time)."""
        options = options or RunOptions()
        history = self._prepare(messages, options)
        return self._stream(history, options)

    async def _stream(
        self, history: list[Message], options: RunOptions
    ) -> AsyncIterator[StreamEvent]:
        attempt = _Attempt(None, None)
        tries = 0
        while True:
            try:
                if options.api == "chat_completions":
                    action = "ChatCompletions"
                    body = build_chat_completions_body(history, options, stream=True)
                else:
                    action = "RunThread"
                    if attempt.plan is None:
                        attempt.plan = self._plan(history, options)
                        attempt.thread_id = attempt.plan.thread_id
                    if attempt.thread_id is None:
                        # No inner retries here: this loop decides for the whole run.
                        created = await self._send_json("CreateThread", {})
                        attempt.thread_id = Thread.model_validate(created).id
                    body = build_run_thread_body(attempt.thread_id, attempt.plan.send, options)
                # aclosing: when the consumer closes this stream, the response closes now, not
                # whenever the event loop finalizes the abandoned inner generator.
                async with contextlib.aclosing(
                    self._stream_once(action, body, options, attempt)
                ) as events:
                    async for event in events:
                        yield event
                break
            except HunyuanError as exc:
                attempt = self._after_error(exc, attempt, tries)
                await asyncio.sleep(self.retry_policy.delay(tries))
                tries += 1
            except BaseException:
                if attempt.plan is not None:
                    self.ledger.abandon(attempt.plan, attempt.thread_id)
                raise
        yield self._finish(attempt)

    async def _stream_once(
        self, action: str, body: dict[str, Any], options: RunOptions, attempt: _Attempt
    ) -> AsyncGenerator[StreamEvent, None]:
        http = self._http
        request = self._build_request(http, action, body)
        try:
            response = await http.send(request, auth=self._auth, stream=True)
        except httpx.HTTPError as exc:
            raise _transport_error(exc, partial=None, request_id=None) from exc
        try:
            early = None
            if not is_event_stream(response.status_code, response.headers.get("content-type", "")):
                try:
                    early = _check_stream_start(response, await response.aread())
                except httpx.HTTPError as exc:
                    raise _transport_error(exc, partial=None, request_id=None) from exc
            if early is not None:
                raise early
            session = attempt.session = self._new_session(options, response, attempt.thread_id)
            try:
                async for chunk in response.aiter_bytes():
                    for event in session.feed(chunk):
                        yield event
                    if session.done:
                        break
            except httpx.HTTPError as exc:
                if not session.acc.finished:
                    raise _transport_error(
                        exc, partial=session.partial(), request_id=session.acc.request_id
                    ) from exc
            if not session.done:
                for event in session.end():
                    yield event
            # Inside the retry loop: a stream that ended early is an error retried like others.
            attempt.result = session.result()
        finally:
            await response.aclose()

    async def chat(
        self, messages: Sequence[Message], options: RunOptions | None = None
    ) -> RunResult:
        options = options or RunOptions()
        history = self._prepare(messages, options)
        if _non_stream(options):
            return await self._chat_completions_once(history, options)
        result: RunResult | None = None
        async for event in self._stream(history, options):
            if isinstance(event, RunFinished):
                result = event.result
        assert result is not None
        return result

    async def _chat_completions_once(
        self, history: list[Message], options: RunOptions
    ) -> RunResult:
        body = build_chat_completions_body(history, options, stream=False)
        tries = 0
        while True:
            try:
                response = await self._send_json("ChatCompletions", body)
                return _result_from_completion(response, options)
            except HunyuanError as exc:
                self._retry_json(exc, tries)
                await asyncio.sleep(self.retry_policy.delay(tries))
                tries += 1
