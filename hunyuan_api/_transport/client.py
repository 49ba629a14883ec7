"""``HunyuanClient`` and ``AsyncHunyuanClient``: two drivers of the same flows
(``hunyuan_api._run.flows``). ``_ClientBase`` resolves the settings and builds requests; the
subclasses only move bytes: send, read, sleep, close."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections.abc import AsyncGenerator, Generator, Iterator, Sequence
from typing import Any, Literal

import httpx

from .._connection import (
    Credentials,
    Endpoint,
    resolve_api_key,
    resolve_credentials,
    resolve_endpoint,
    resolve_timeout,
)
from .._errors import ConfigurationError
from .._retry import RetryPolicy
from .._run.continuation import TokenSigner
from .._run.conversation import normalize_messages
from .._run.embeddings import (
    EmbeddingJob,
    EmbeddingOptions,
    Progress,
    check_embedding_options,
    check_texts,
)
from .._run.flows import (
    READ,
    READ_REST,
    REFILL,
    Command,
    Drain,
    Emit,
    Flow,
    Flows,
    JsonReply,
    Reply,
    RunState,
    Send,
    Sleep,
)
from .._run.reserve import CLAIM_EXPIRY, ThreadReserve
from .._run.threads import ThreadLedger, default_ledger, ledger_scope
from .._run.tokens import TokenCountCache, TokenPlan
from .._settings import ConnectionSettings, HunyuanSettings, mask_secrets
from .._types import EmbeddingResult, Message, RunFinished, RunOptions, RunResult
from .._wire.bodies import encode_json
from .._wire.dialects import Dialect, openai_compatible, tencent_cloud
from .._wire.embeddings import EmbeddingBatch
from .._wire.frames import Thread, ThreadMessageList
from .._wire.signing import TC3Auth
from .._wire.validation import (
    check_chat_completions_history,
    check_images,
    validate_options,
)
from . import fork
from .drain import drain_async, drain_blocking
from .embeddings import EmbeddingGates, arun_embedding_job, run_embedding_job
from .http1 import HTTP1Transport
from .loops import LoopClients
from .pool import MAX_SHARDS, ShardedAsyncTransport
from .proxy import env_proxy_mounts, ssl_context
from .refills import Refills
from .sockets import client_pools, release_pool_sockets
from .streams import AsyncRunStream, RunStream
from .token_counts import acount_plan, count_plan

__all__ = ["AsyncHunyuanClient", "HunyuanClient"]

#: httpx's own logger: requests sent on the direct path are logged there as httpx logs them.
_httpx_logger = logging.getLogger("httpx")


class _ClientBase:
    def __init__(self, settings: ConnectionSettings | None = None, **kwargs: Any) -> None:
        mask_secrets(kwargs)  # before anything can fail with ``kwargs`` among the locals
        if settings is None:
            settings = HunyuanSettings(**kwargs)
        elif kwargs:
            raise TypeError("pass either settings= or keyword settings, not both")
        self.settings = settings = settings.core_settings()
        self.endpoint: Endpoint = resolve_endpoint(
            settings.base_url, api=settings.api, allow_insecure_http=settings.allow_insecure_http
        )
        dialect: Dialect
        if settings.api == "openai":
            self.credentials: Credentials | None = None
            key = resolve_api_key(settings.api_key, has_pair=settings.has_pair)
            dialect = openai_compatible(self.endpoint.url, key)
            # Threads (and so the ledger) belong to API 3.0; the scope only has to be distinct.
            account = key
        else:
            self.credentials = resolve_credentials(
                settings.secret_id,
                settings.secret_key,
                settings.session_token,
                api_key=settings.api_key,
            )
            dialect = tencent_cloud(
                self.endpoint.url, TC3Auth(self.credentials), region=settings.region
            )
            account = self.credentials.secret_id
        self.timeout = resolve_timeout(settings.timeout)
        self._timeout_extension = self.timeout.as_dict()
        #: Per action, the URL and headers (the pool's defaults merged in) of ``_signed_request``.
        self._routes: dict[str, tuple[httpx.URL, httpx.Headers]] = {}
        ledger = settings.ledger if settings.ledger is not None else default_ledger()
        # Threads are RunThread's (API 3.0); the reserve is this client's: its endpoint and
        # credentials, never another client's (a model's copy builds its own client).
        reserve = None
        if settings.thread_reserve and self.credentials is not None:
            # A refill's request unanswered after every phase of its timeout ran out died
            # unseen (its event loop closed under it): it stops holding a place.
            timeout = self.timeout
            phases = (timeout.connect, timeout.write, timeout.read, timeout.pool)
            reserve = ThreadReserve(
                settings.thread_reserve,
                claim_expiry=2 * sum(p for p in phases if p is not None) or CLAIM_EXPIRY,
            )
            fork.track(reserve)
        self.flows = Flows(
            dialect=dialect,
            max_retries=settings.max_retries,
            retry_policy=settings.retry_policy or RetryPolicy(),
            ledger=ledger,
            scope=ledger_scope(self.endpoint.url, account),
            # Threads are RunThread's: the OpenAI-compatible endpoint has no SecretKey to sign with.
            tokens=(
                TokenSigner(self.endpoint.url, self.credentials.secret_key)
                if settings.resume_threads and self.credentials is not None
                else None
            ),
            stall_timeout=self.timeout.read,
            reserve=reserve,
        )
        self.refills = Refills(reserve) if reserve is not None else None
        self.embedding_gates = EmbeddingGates()
        #: Counts GetTokenCount returned, by text digest (a copied or unpickled model builds new
        #: clients, so it starts empty).
        self.token_counts = TokenCountCache()
        self._tls: ssl.SSLContext | None = None
        self._init_transport()

    def _init_transport(self) -> None:
        """The subclass's own connection state (a hook, so that only this constructor takes
        ``**kwargs``, which may hold plain-text secrets until masked)."""

    def _ssl_context(self) -> ssl.SSLContext:
        """Built once per client, on first need (loading a CA bundle takes tens of ms)."""
        if self._tls is None:
            self._tls = ssl_context(self.settings.ca_bundle)
        return self._tls

    def __repr__(self) -> str:
        # Safe on a half-built client too: a traceback printed with its locals calls it on the
        # ``self`` of a constructor that raised.
        endpoint = getattr(self, "endpoint", None)
        settings = getattr(self, "settings", None)
        url = endpoint.url if endpoint is not None else None
        api = settings.api if settings is not None else None
        return f"{type(self).__name__}(base_url={url!r}, api={api!r})"

    @property
    def ledger(self) -> ThreadLedger:
        return self.flows.ledger

    @ledger.setter
    def ledger(self, ledger: ThreadLedger) -> None:
        self.flows.ledger = ledger

    @property
    def max_retries(self) -> int:
        return self.flows.max_retries

    @property
    def retry_policy(self) -> RetryPolicy:
        return self.flows.retry_policy

    @property
    def region(self) -> str | None:
        return self.settings.region

    def _request(self, http: httpx.Client | httpx.AsyncClient, send: Send) -> httpx.Request:
        """The POST of one action (signed or keyed when sent, by the dialect's auth)."""
        dialect = self.flows.dialect
        return http.build_request(
            "POST",
            dialect.url(send.action),
            content=encode_json(send.body),
            headers=dialect.headers(send.action),
            timeout=self.timeout,
        )

    def _signed_request(self, http: httpx.Client | httpx.AsyncClient, send: Send) -> httpx.Request:
        """The POST of one action, signed now, for a pool of our own, which has no base URL,
        params, cookies or hooks for ``build_request``/``send`` to merge or run: skipping that
        machinery saves ~0.15 ms of CPU per request (``bench/concurrency.py``)."""
        dialect = self.flows.dialect
        routes = self._routes.get(send.action)
        if routes is None:
            headers = httpx.Headers(http.headers)
            headers.update(dialect.headers(send.action))
            routes = self._routes[send.action] = (httpx.URL(dialect.url(send.action)), headers)
        url, headers = routes
        request = httpx.Request(
            "POST",
            url,
            headers=headers,
            content=encode_json(send.body),
            extensions={"timeout": self._timeout_extension},
        )
        # Both of our auths (TC3Auth, BearerAuth) sign in one step, with no response needed.
        # The caller sends it on ``http._transport_for_url(url)``: httpx's own routing (the
        # mounts its env proxies made), private to httpx but stable since 0.18.
        return next(self._auth.auth_flow(request))

    @staticmethod
    def _received(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        """What httpx's client does with a response that the direct path must keep: link it to
        its request, and log it as httpx does (applications and tests read that record)."""
        response.request = request
        if _httpx_logger.isEnabledFor(logging.INFO):
            _httpx_logger.info(
                'HTTP Request: %s %s "%s %d %s"',
                request.method,
                request.url,
                response.http_version,
                response.status_code,
                response.reason_phrase,
            )
        return response

    @property
    def _auth(self) -> httpx.Auth:
        return self.flows.dialect.auth

    def _api3(self, action: str) -> None:
        """Refuse an API 3.0 action on the OpenAI-compatible endpoint, which has no such path."""
        if self.settings.api == "openai":
            raise ConfigurationError(
                f"{action} is a Tencent Cloud API 3.0 action, signed with a SecretId/SecretKey "
                "pair; the OpenAI-compatible endpoint (api='openai') has no equivalent. Use "
                "api='run_thread' or 'chat_completions' with a pair for it."
            )

    def _prepare(
        self, messages: Sequence[Message], options: RunOptions | None
    ) -> tuple[list[Message], RunOptions]:
        """Everything that can be refused is refused here, before a request is made."""
        options = options if options is not None else self.settings.run_options()
        validate_options(options)
        history = normalize_messages(messages)
        check_images(history, options)
        if options.api == "chat_completions":
            check_chat_completions_history(history)
        return history, options

    def _chat_flow(self, history: list[Message], options: RunOptions) -> Flow:
        # ChatCompletions answers whole (``Stream: false``) unless ``max_tokens`` must be enforced,
        # which only the stream's cumulative usage allows (it has no MaxTokens field); the
        # OpenAI-compatible endpoint has max_tokens and always answers whole.
        if options.api == "openai" or (
            options.api == "chat_completions" and not options.max_tokens
        ):
            return self.flows.completion(history, options)
        return self.flows.run(history, options, RunState())

    def _token_plan(self, texts: Sequence[str]) -> TokenPlan:
        # The OpenAI-compatible endpoint has no counting action: it always estimates.
        service = self.settings.api != "openai"
        mode = self.settings.token_counting
        return TokenPlan(texts, self.token_counts, mode=mode, service=service)

    def _embedding_job(
        self, texts: Sequence[str], options: EmbeddingOptions | None, progress: Progress | None
    ) -> EmbeddingJob:
        """Everything an embedding call can refuse is refused here, before a request is made."""
        options = options if options is not None else EmbeddingOptions()
        check_embedding_options(options, self.settings.api)
        return EmbeddingJob(check_texts(texts), options, progress)


def _result(items: Iterator[object]) -> RunResult:
    result = None
    for item in items:
        if isinstance(item, RunFinished):
            result = item.result
    assert result is not None
    return result


def _json(items: Iterator[object]) -> dict[str, Any]:
    return next(item.response for item in items if isinstance(item, JsonReply))


class _Exchange:
    """One flow being driven: its open response, and the reply (or transport failure) the flow
    receives next. The response is closed before any command that is not a read."""

    __slots__ = ("chunks", "error", "flow", "reply", "response")

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.response: httpx.Response | None = None
        self.chunks: Any = None
        self.reply: Any = None
        self.error: httpx.HTTPError | None = None

    def advance(self) -> Command | None:
        """The flow's next command, given the last reply or failure; None once it has ended."""
        reply, error, self.reply, self.error = self.reply, self.error, None, None
        try:
            return self.flow.throw(error) if error is not None else self.flow.send(reply)
        except StopIteration:
            return None

    def opened(self, response: httpx.Response, send: Send, chunks: object) -> Reply:
        if send.stream:
            self.response = response
            self.chunks = chunks
            return Reply(response.status_code, response.headers)
        return Reply(response.status_code, response.headers, response.content)

    def take_response(self) -> httpx.Response | None:
        response, self.response, self.chunks = self.response, None, None
        return response


class HunyuanClient(_ClientBase):
    """Synchronous client. Reuses one connection pool; pass ``http_client`` to supply your own."""

    def _init_transport(self) -> None:
        self._http_client = self.settings.http_client
        self._owns_http = self._http_client is None
        fork.track(self)

    @property
    def _http(self) -> httpx.Client:
        if self._http_client is None:
            self._http_client = httpx.Client(
                timeout=self.timeout,
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
                verify=self._ssl_context(),
            )
        return self._http_client

    def _after_fork_in_child(self) -> None:
        # The parent's sockets are the parent's: this process lets go of its copies and opens
        # its own connections. (An ``http_client`` passed in is the caller's to replace.)
        if self._owns_http and self._http_client is not None:
            release_pool_sockets(client_pools(self._http_client))
            self._http_client = None

    def close(self) -> None:
        if self.flows.reserve is not None:
            self.flows.reserve.pause()
        if self._owns_http and self._http_client is not None:
            self._http_client.close()
            self._http_client = None

    def __enter__(self) -> HunyuanClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the driver ----------------------------------------------------------------------------

    def _drive(self, flow: Flow) -> Generator[object, None, None]:
        exchange = _Exchange(flow)
        try:
            while (command := exchange.advance()) is not None:
                if type(command) is Emit:
                    yield from command.events
                    continue
                try:
                    exchange.reply = self._perform(command, exchange)
                except httpx.HTTPError as exc:
                    exchange.error = exc
        finally:
            flow.close()
            self._release(exchange)

    def _perform(self, command: Command, exchange: _Exchange) -> Any:
        if command is READ:
            return next(exchange.chunks, b"")
        if command is READ_REST:
            assert exchange.response is not None
            return exchange.response.read()
        if command is REFILL:  # beside the open response, which stays open
            if self.refills is not None:
                self.refills.in_thread(lambda: self._drive(self.flows.refill()))
            return None
        if isinstance(command, Drain) and exchange.chunks is not None:
            response = exchange.response
            assert response is not None
            with contextlib.suppress(httpx.HTTPError, OSError, ValueError):
                drain_blocking(response, exchange.chunks, command.seconds, command.max_bytes)
        self._release(exchange)
        if isinstance(command, Send):
            http = self._http
            if self._owns_http:
                request = self._signed_request(http, command)
                response = self._received(
                    request, http._transport_for_url(request.url).handle_request(request)
                )
            else:
                response = http.send(self._request(http, command), auth=self._auth, stream=True)
            if not command.stream:
                try:
                    response.read()
                finally:
                    response.close()
            return exchange.opened(
                response, command, response.iter_bytes() if command.stream else None
            )
        if isinstance(command, Sleep):
            time.sleep(command.seconds)
        return None

    @staticmethod
    def _release(exchange: _Exchange) -> None:
        response = exchange.take_response()
        if response is not None:
            response.close()

    # -- JSON actions --------------------------------------------------------------------------

    def call(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """Any API 3.0 JSON action, with retries for transient failures. Returns ``Response``."""
        self._api3(action)
        return _json(self._drive(self.flows.json_action(action, body)))

    def create_thread(self) -> Thread:
        return Thread.model_validate(self.call("CreateThread", {}))

    def get_thread(self, thread_id: str) -> Thread:
        return Thread.model_validate(self.call("GetThread", {"ThreadID": thread_id}))

    def list_thread_messages(
        self, thread_id: str, *, limit: int = 20, order: Literal["asc", "desc"] = "desc"
    ) -> ThreadMessageList:
        body = {"ThreadID": thread_id, "Limit": limit, "Order": order}
        return ThreadMessageList.model_validate(self.call("GetThreadMessageList", body))

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text`` by Hunyuan's own tokenizer (a ``GetTokenCount`` request, unless
        this client counted the same text before); see ``count_tokens_many``."""
        return self.count_tokens_many([text])[0]

    def count_tokens_many(self, texts: Sequence[str]) -> list[int]:
        """Tokens in each of ``texts``: one ``GetTokenCount`` request per distinct text this
        client has not counted before, sent concurrently; counts are remembered (by digest).
        Estimated instead on the OpenAI-compatible endpoint, which has no counting action, and
        as the ``token_counting`` setting says."""
        return count_plan(self._token_plan(texts), self._count)

    def _count(self, text: str) -> int:
        return int(self.call("GetTokenCount", {"Prompt": text})["TokenCount"])

    def embed(
        self,
        texts: Sequence[str],
        options: EmbeddingOptions | None = None,
        *,
        progress: Progress | None = None,
    ) -> EmbeddingResult:
        """Vectors of ``texts``, in their order: GetEmbedding (or ``/embeddings`` on the
        OpenAI-compatible endpoint) with at most ``options.batch_size`` texts per request,
        ``options.max_concurrency`` requests at once (threads). ``progress(n)`` hears of each
        finished request. An empty list sends nothing; a failed request raises its error with
        ``partial.embeddings``, the vectors of the texts before it (``_run.embeddings``)."""
        job = self._embedding_job(texts, options, progress)
        if job.batches:
            self._http  # noqa: B018 - built here, before worker threads race to build it
        model = job.options.model

        def send(batch: list[str]) -> EmbeddingBatch:
            items = self._drive(self.flows.embedding(batch, model))
            return next(item for item in items if isinstance(item, EmbeddingBatch))

        gate = self.embedding_gates.for_threads(job.options.max_concurrency)
        return run_embedding_job(job, send, gate)

    # -- runs ----------------------------------------------------------------------------------

    def stream_chat(
        self, messages: Sequence[Message], options: RunOptions | None = None
    ) -> RunStream:
        """Stream a reply: text and tool-call deltas, then one ``RunFinished``.

        Validation happens before anything is sent. Transient failures are retried until output
        reaches the caller; after that, failures raise with ``partial`` attached. Close the
        stream (or use it in a ``with`` block) to stop early.
        """
        history, options = self._prepare(messages, options)
        state = RunState()
        return RunStream(self._drive(self.flows.run(history, options, state)), state)

    def chat(self, messages: Sequence[Message], options: RunOptions | None = None) -> RunResult:
        """The whole reply at once. RunThread streams underneath (it has no other mode);
        ChatCompletions makes a non-stream call (``Stream: false``) unless ``max_tokens`` is set,
        which the client enforces on the stream's cumulative usage."""
        history, options = self._prepare(messages, options)
        return _result(self._drive(self._chat_flow(history, options)))


class AsyncHunyuanClient(_ClientBase):
    """Asynchronous client. Each event loop gets its own connection pools (pools cannot cross
    loops), so repeated ``asyncio.run`` calls, notebooks and pytest-asyncio all work."""

    def _init_transport(self) -> None:
        self._injected = self.settings.http_async_client
        # One pool per event loop, closed when the loop ends and dropped in a forked child.
        self._loops = LoopClients(self._new_http)

    def _new_http(self) -> httpx.AsyncClient:
        def proxied(proxy: str) -> ShardedAsyncTransport:
            return ShardedAsyncTransport(
                shard_size=self.settings.pool_size, verify=self._ssl_context, proxy=proxy
            )

        # Direct routes go over our own HTTP/1.1 (``http1``), proxied ones over httpcore, which
        # speaks to proxies; the cap on connections is the sharded pool's (pool_size × shards).
        direct = HTTP1Transport(
            max_connections=self.settings.pool_size * MAX_SHARDS, ssl_context=self._ssl_context
        )
        # Env proxies as the sync client's httpx applies them (httpx skips them for a
        # transport it did not build).
        return httpx.AsyncClient(
            timeout=self.timeout, transport=direct, mounts=env_proxy_mounts(proxied)
        )

    @property
    def _http(self) -> httpx.AsyncClient:
        if self._injected is not None:
            return self._injected
        return self._loops.get()

    def pool_stats(self) -> dict[str, int]:
        """Requests holding a connection, pools and connections open, on the running loop's
        direct transport (-1: unknown, for an ``http_async_client`` of the caller's)."""
        transport = self._http._transport
        if isinstance(transport, HTTP1Transport):
            connections = len(transport.connections)
            return {"in_flight": transport.in_flight, "pools": 1, "connections": connections}
        if isinstance(transport, ShardedAsyncTransport):
            return {"in_flight": transport.in_flight, "pools": transport.shard_count}
        return {"in_flight": -1, "pools": 1}

    async def aclose(self) -> None:
        """Close the running loop's connection pool (the client stays usable: a later call
        opens a new one). Pools of other loops close with their loops."""
        if self.flows.reserve is not None:
            self.flows.reserve.pause()
        if self._injected is None:
            await self._loops.aclose_current()

    async def __aenter__(self) -> AsyncHunyuanClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- the driver ----------------------------------------------------------------------------

    async def _drive(self, flow: Flow) -> AsyncGenerator[object, None]:
        exchange = _Exchange(flow)
        try:
            while (command := exchange.advance()) is not None:
                if type(command) is not Emit:
                    try:
                        exchange.reply = await self._perform(command, exchange)
                    except httpx.HTTPError as exc:
                        exchange.error = exc
                    continue
                for event in command.events:
                    yield event
        finally:
            flow.close()
            await self._release(exchange)

    async def _perform(self, command: Command, exchange: _Exchange) -> Any:
        if command is READ:
            return await anext(exchange.chunks, b"")
        if command is READ_REST:
            assert exchange.response is not None
            return await exchange.response.aread()
        if command is REFILL:  # beside the open response, which stays open
            if self.refills is not None:
                self.refills.in_task(lambda: self._drive(self.flows.refill()))
            return None
        if isinstance(command, Drain) and exchange.chunks is not None:
            with contextlib.suppress(httpx.HTTPError):
                await drain_async(exchange.chunks, command.seconds, command.max_bytes)
        await self._release(exchange)
        if isinstance(command, Send):
            http = self._http
            if self._injected is None:
                request = self._signed_request(http, command)
                transport = http._transport_for_url(request.url)
                response = self._received(request, await transport.handle_async_request(request))
            else:
                request = self._request(http, command)
                response = await http.send(request, auth=self._auth, stream=True)
            if not command.stream:
                try:
                    await response.aread()
                finally:
                    await response.aclose()
            return exchange.opened(
                response, command, response.aiter_bytes() if command.stream else None
            )
        if isinstance(command, Sleep):
            await asyncio.sleep(command.seconds)
        return None

    @staticmethod
    async def _release(exchange: _Exchange) -> None:
        response = exchange.take_response()
        if response is not None:
            await response.aclose()

    # -- JSON actions --------------------------------------------------------------------------

    async def call(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """Any API 3.0 JSON action, with retries for transient failures. Returns ``Response``."""
        self._api3(action)
        async for item in self._drive(self.flows.json_action(action, body)):
            if isinstance(item, JsonReply):
                return item.response
        raise AssertionError("a JSON action flow ends with its reply")

    async def create_thread(self) -> Thread:
        return Thread.model_validate(await self.call("CreateThread", {}))

    async def get_thread(self, thread_id: str) -> Thread:
        return Thread.model_validate(await self.call("GetThread", {"ThreadID": thread_id}))

    async def list_thread_messages(
        self, thread_id: str, *, limit: int = 20, order: Literal["asc", "desc"] = "desc"
    ) -> ThreadMessageList:
        body = {"ThreadID": thread_id, "Limit": limit, "Order": order}
        return ThreadMessageList.model_validate(await self.call("GetThreadMessageList", body))

    async def count_tokens(self, text: str) -> int:
        """Async twin of ``HunyuanClient.count_tokens``."""
        return (await self.count_tokens_many([text]))[0]

    async def count_tokens_many(self, texts: Sequence[str]) -> list[int]:
        """Async twin of ``HunyuanClient.count_tokens_many`` (the requests are tasks)."""
        return await acount_plan(self._token_plan(texts), self._count)

    async def _count(self, text: str) -> int:
        return int((await self.call("GetTokenCount", {"Prompt": text}))["TokenCount"])

    async def embed(
        self,
        texts: Sequence[str],
        options: EmbeddingOptions | None = None,
        *,
        progress: Progress | None = None,
    ) -> EmbeddingResult:
        """Async twin of ``HunyuanClient.embed``: requests are tasks, at most
        ``options.max_concurrency`` in flight on this loop across the client's calls."""
        job = self._embedding_job(texts, options, progress)
        model = job.options.model

        async def send(batch: list[str]) -> EmbeddingBatch:
            answer = None
            async for item in self._drive(self.flows.embedding(batch, model)):
                if isinstance(item, EmbeddingBatch):
                    answer = item
            assert answer is not None
            return answer

        if not job.batches:
            return job.result()
        gate = self.embedding_gates.for_loop(job.options.max_concurrency)
        return await arun_embedding_job(job, send, gate)

    # -- runs ----------------------------------------------------------------------------------

    def stream_chat(
        self, messages: Sequence[Message], options: RunOptions | None = None
    ) -> AsyncRunStream:
        """Async twin of ``HunyuanClient.stream_chat`` (validation still happens at call time)."""
        history, options = self._prepare(messages, options)
        state = RunState()
        return AsyncRunStream(self._drive(self.flows.run(history, options, state)), state)

    async def chat(
        self, messages: Sequence[Message], options: RunOptions | None = None
    ) -> RunResult:
        history, options = self._prepare(messages, options)
        result = None
        # Read to the end: a flow may still raise after its RunFinished (a withdrawn reply).
        async for item in self._drive(self._chat_flow(history, options)):
            if isinstance(item, RunFinished):
                result = item.result
        assert result is not None
        return result
