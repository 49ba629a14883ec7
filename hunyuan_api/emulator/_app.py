"""The Starlette app: ``POST /`` routed by X-TC-Action, plus loopback-only ``/_emulator/`` control.

Order of checks for ``POST /`` (the first failure answers): X-TC-Action present
(``MissingParameter``), X-TC-Version present and ``2023-09-01`` (``NoSuchVersion``), action
known (``InvalidAction``), signature (``AuthFailure.*``, see ``_auth``), Content-Type JSON and
body a JSON object (``InvalidParameter``), then the action's own rules.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ._auth import verify_request
from ._codes import message_for
from ._faults import Fault
from ._frames import error_body, json_body
from ._model import split_pieces
from ._responses import BytesResponse, EventStreamResponse, StreamRegistry, html_status_response
from ._rules import (
    RuleError,
    check_order,
    parse_json_body,
    validate_chat,
    validate_create_thread,
    validate_get_thread,
    validate_get_thread_message,
    validate_get_token_count,
    validate_message_list,
    validate_run_thread,
)
from ._runs import (
    StreamPlan,
    chat_json,
    chat_model_reply,
    decide,
    model_reply,
    plan_chat_stream,
    plan_run,
)
from ._state import EmulatorState, RecordedRequest, StoredMessage, new_id

__all__ = ["ACTIONS", "API_VERSION", "EmulatorApp"]

API_VERSION = "2023-09-01"
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass
class _Call:
    """One authenticated API request on its way through a handler."""

    state: EmulatorState
    registry: StreamRegistry
    body: dict[str, Any]
    secret_id: str
    request_id: str
    record: RecordedRequest

    def json(self, payload: dict[str, Any], *, delay: float = 0.0, **kw: Any) -> BytesResponse:
        self.record.outcome = "ok"
        return BytesResponse(
            self.registry,
            json_body(payload, self.request_id),
            request_id=self.request_id,
            delay=delay,
            **kw,
        )

    def error(self, code: str, message: str | None = None, **kw: Any) -> BytesResponse:
        self.record.outcome = code
        body = error_body(code, message or message_for(code), self.request_id)
        return BytesResponse(self.registry, body, request_id=self.request_id, **kw)

    def pre_fault(
        self, fault: Fault | None, *, delay: float, on_finish: Callable[[], None] | None = None
    ) -> BytesResponse | None:
        """The response for a fault that strikes before any stream (error, HTTP status)."""
        if fault is None:
            return None
        if fault.kind == "error":
            response = self.error(fault.code, fault.message, delay=delay, on_finish=on_finish)
        elif fault.kind == "http_status":
            response = html_status_response(
                self.registry, fault.status, delay=delay, on_finish=on_finish
            )
        else:
            return None
        self.record.outcome = f"fault:{fault.spec}"
        return response

    def stream(
        self,
        plan: StreamPlan,
        *,
        fault: Fault | None,
        delay: float,
        on_finish: Callable[[], None],
    ) -> EventStreamResponse:
        """The event stream of ``plan``; a fault taken for this call keeps its outcome."""
        if self.record.outcome == "":
            self.record.outcome = "stream"
        settings = self.state.settings
        return EventStreamResponse(
            self.registry,
            plan,
            request_id=self.request_id,
            fault=fault,
            delay=delay,
            tokens_per_second=settings.tokens_per_second,
            coalesce=settings.coalesce_chunks,
            on_finish=on_finish,
        )


def _extra_delay(fault: Fault | None) -> float:
    return fault.seconds if fault is not None and fault.kind == "slow_first_byte" else 0.0


async def _create_thread(call: _Call) -> BytesResponse:
    validate_create_thread(call.body)
    fault = _take(call, "CreateThread", streaming=False)
    delay = _extra_delay(fault)
    failed = call.pre_fault(fault, delay=delay)
    if failed is not None:
        return failed
    return call.json(call.state.create_thread().to_wire(), delay=delay)


def _take(call: _Call, action: str, *, streaming: bool) -> Fault | None:
    taken = call.state.take_fault(action, streaming)
    if taken is None:
        return None
    call.record.outcome = f"fault:{taken[0].spec}"
    return taken[0]


def _thread_or_404(call: _Call, thread_id: str) -> None:
    if call.state.get_thread(thread_id) is None:
        raise RuleError("ResourceNotFound", f"资源不存在。Thread {thread_id!r} not found.")


async def _get_thread(call: _Call) -> BytesResponse:
    thread_id = validate_get_thread(call.body)
    thread = call.state.get_thread(thread_id)
    if thread is None:
        raise RuleError("ResourceNotFound", f"资源不存在。Thread {thread_id!r} not found.")
    fault = _take(call, "GetThread", streaming=False)
    delay = _extra_delay(fault)
    return call.pre_fault(fault, delay=delay) or call.json(thread.to_wire(), delay=delay)


async def _get_thread_message_list(call: _Call) -> BytesResponse:
    thread_id, limit, order = validate_message_list(call.body)
    _thread_or_404(call, thread_id)
    fault = _take(call, "GetThreadMessageList", streaming=False)
    delay = _extra_delay(fault)
    failed = call.pre_fault(fault, delay=delay)
    if failed is not None:
        return failed
    messages = call.state.thread_messages(thread_id)
    if order == "desc":
        messages.reverse()
    page = [m.to_wire() for m in messages[:limit]]
    first = page[0]["ID"] if page else ""
    last = page[-1]["ID"] if page else ""
    payload = {
        "Data": page,
        "FirstID": first,
        "LastID": None,
        "HasMore": len(messages) > limit,
        "Object": "list",
        "FirstMsgID": first,
        "LastMsgID": last,
    }
    return call.json(payload, delay=delay)


async def _get_thread_message(call: _Call) -> BytesResponse:
    thread_id, message_id = validate_get_thread_message(call.body)
    _thread_or_404(call, thread_id)
    found = next((m for m in call.state.thread_messages(thread_id) if m.id == message_id), None)
    if found is None:
        raise RuleError("ResourceNotFound", f"资源不存在。Message {message_id!r} not found.")
    fault = _take(call, "GetThreadMessage", streaming=False)
    delay = _extra_delay(fault)
    return call.pre_fault(fault, delay=delay) or call.json(found.to_wire(), delay=delay)


async def _get_token_count(call: _Call) -> BytesResponse:
    """``{"Prompt"}`` → ``TokenCount``, ``CharacterCount`` and ``Tokens`` by the emulator's
    tokenizer (``_model.split_pieces``: a CJK character, a word or a punctuation mark each)."""
    prompt = validate_get_token_count(call.body)
    fault = _take(call, "GetTokenCount", streaming=False)
    delay = _extra_delay(fault)
    failed = call.pre_fault(fault, delay=delay)
    if failed is not None:
        return failed
    tokens = [piece for piece in split_pieces(prompt) if not piece.isspace()]
    payload = {"TokenCount": len(tokens), "CharacterCount": len(prompt), "Tokens": tokens}
    return call.json(payload, delay=delay)


def _limit_exceeded(call: _Call) -> RuleError:
    limit = call.state.settings.concurrency_limit
    return RuleError(
        "FailedOperation.EngineServerLimitExceeded",
        f"引擎层请求超过限额；请稍后重试。At most {limit} calls in flight per SecretId.",
    )


async def _run_thread(call: _Call) -> BytesResponse | EventStreamResponse:
    state = call.state
    request = validate_run_thread(call.body)
    run_id = new_id("run_")
    stored = state.begin_run(request.thread_id, run_id)
    held = len(stored)
    acquired = False

    def release() -> None:
        if acquired:
            state.release(call.secret_id)
        state.end_run(request.thread_id, run_id)

    try:
        history = [m.as_conv() for m in stored] + request.messages
        check_order(
            history,
            lambda i: f"thread message {i}" if i < held else f"AdditionalMessages.{i - held}",
            by_id=False,
        )
        if not state.try_acquire(call.secret_id):
            raise _limit_exceeded(call)
        acquired = True
        settings = state.settings
        fault = _take(call, "RunThread", streaming=True)
        delay = settings.latency + _extra_delay(fault)
        failed = call.pre_fault(fault, delay=delay, on_finish=release)
        if failed is not None:
            return failed
        outcome = decide(state.take_reply(request.thread_id) or model_reply(request, history))
        if outcome.error is not None and outcome.error[2] == "before":
            return call.error(outcome.error[0], outcome.error[1], delay=delay, on_finish=release)

        def commit(messages: list[StoredMessage]) -> None:
            state.end_run(request.thread_id, run_id, messages)

        plan = plan_run(
            request=request,
            history=history,
            outcome=outcome,
            now=int(state.now()),
            run_id=run_id,
            commit=commit,
        )
    except BaseException:
        release()
        raise
    return call.stream(plan, fault=fault, delay=delay, on_finish=release)


async def _chat_completions(call: _Call) -> BytesResponse | EventStreamResponse:
    state = call.state
    request = validate_chat(call.body)
    if not state.try_acquire(call.secret_id):
        raise _limit_exceeded(call)

    def release() -> None:
        state.release(call.secret_id)

    settings = state.settings
    try:
        fault = _take(call, "ChatCompletions", streaming=request.stream)
        delay = settings.latency + _extra_delay(fault)
        failed = call.pre_fault(fault, delay=delay, on_finish=release)
        if failed is not None:
            return failed
        outcome = decide(state.take_reply(None) or chat_model_reply(request))
        now = int(state.now())
        if outcome.error is not None and (outcome.error[2] == "before" or not request.stream):
            return call.error(outcome.error[0], outcome.error[1], delay=delay, on_finish=release)
        if not request.stream:
            payload = chat_json(request, outcome, now=now, request_id=call.request_id)
            return call.json(payload, delay=delay, on_finish=release)
        plan = plan_chat_stream(request, outcome, now=now, request_id=call.request_id)
    except BaseException:
        release()
        raise
    return call.stream(plan, fault=fault, delay=delay, on_finish=release)


Handler = Callable[[_Call], Awaitable[Any]]

ACTIONS: dict[str, Handler] = {
    "CreateThread": _create_thread,
    "GetThread": _get_thread,
    "GetThreadMessageList": _get_thread_message_list,
    "GetThreadMessage": _get_thread_message,
    "GetTokenCount": _get_token_count,
    "RunThread": _run_thread,
    "ChatCompletions": _chat_completions,
}


class EmulatorApp:
    """ASGI app over one ``EmulatorState``; ``cancel_streams`` ends every open response."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.registry = StreamRegistry()
        self._app = Starlette(
            routes=[
                Route("/", self._api, methods=["POST"]),
                Route("/_emulator/health", self._health, methods=["GET"]),
                Route("/_emulator/requests", self._requests, methods=["GET"]),
                Route("/_emulator/stats", self._stats, methods=["GET"]),
                Route("/_emulator/threads", self._threads, methods=["GET"]),
                Route("/_emulator/replies", self._replies, methods=["POST"]),
                Route("/_emulator/faults", self._faults, methods=["POST"]),
                Route("/_emulator/fault-rate", self._fault_rate, methods=["POST"]),
                Route("/_emulator/reset", self._reset, methods=["POST"]),
            ]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)

    def cancel_streams(self) -> None:
        self.registry.cancel_all()

    # ------------------------------------------------------------------ API

    async def _api(self, request: Request) -> Any:
        state = self.state
        request_id = str(uuid.uuid4())
        raw = await request.body()
        headers = request.headers
        action = headers.get("x-tc-action", "")
        try:
            logged_body: Any = json.loads(raw) if raw else None
        except ValueError:
            logged_body = raw.decode("utf-8", "replace")
        record = state.record(
            action=action,
            headers=dict(headers),
            body=logged_body,
            secret_id=None,
            request_id=request_id,
        )
        try:
            handler = self._route(headers.get("x-tc-action"), headers.get("x-tc-version"))
            record.secret_id = verify_request(headers, raw, state)
            content_type = headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != "application/json":
                raise RuleError("InvalidParameter", "Content-Type must be application/json.")
            call = _Call(
                state=state,
                registry=self.registry,
                body=parse_json_body(raw),
                secret_id=record.secret_id,
                request_id=request_id,
                record=record,
            )
            return await handler(call)
        except RuleError as exc:
            record.outcome = exc.code
            return BytesResponse(
                self.registry, error_body(exc.code, exc.message, request_id), request_id=request_id
            )

    @staticmethod
    def _route(action: str | None, version: str | None) -> Handler:
        if not action:
            raise RuleError("MissingParameter", "The parameter `Action` (X-TC-Action) is missing.")
        if not version:
            raise RuleError(
                "MissingParameter", "The parameter `Version` (X-TC-Version) is missing."
            )
        if version != API_VERSION:
            raise RuleError(
                "NoSuchVersion", f"The API version {version!r} does not exist; use {API_VERSION}."
            )
        handler = ACTIONS.get(action)
        if handler is None:
            raise RuleError("InvalidAction", f"The action {action!r} does not exist.")
        return handler

    # ------------------------------------------------------------------ control

    @staticmethod
    def _forbidden(request: Request) -> Response | None:
        host = request.client.host if request.client is not None else ""
        if host not in _LOOPBACK:
            return JSONResponse({"error": "control endpoints answer loopback clients only"}, 403)
        return None

    async def _control(
        self, request: Request, action: Callable[[dict[str, Any]], Any], *, body: bool
    ) -> Response:
        refused = self._forbidden(request)
        if refused is not None:
            return refused
        try:
            payload: dict[str, Any] = {}
            if body:
                raw = await request.body()
                payload = json.loads(raw) if raw else {}
                if not isinstance(payload, dict):
                    raise ValueError("the body must be a JSON object")
            return JSONResponse(action(payload))
        except (ValueError, TypeError, KeyError) as exc:
            return JSONResponse({"error": str(exc)}, 400)

    async def _health(self, request: Request) -> Response:
        return await self._control(request, lambda _: {"ok": True}, body=False)

    async def _requests(self, request: Request) -> Response:
        def run(_: dict[str, Any]) -> Any:
            return {"requests": [r.to_json() for r in self.state.requests]}

        return await self._control(request, run, body=False)

    async def _stats(self, request: Request) -> Response:
        return await self._control(request, lambda _: self.state.stats(), body=False)

    async def _threads(self, request: Request) -> Response:
        def run(_: dict[str, Any]) -> Any:
            return {
                "threads": [
                    {
                        **t.to_wire(),
                        "ActiveRun": t.active_run,
                        "Messages": [m.to_wire() for m in self.state.thread_messages(t.id)],
                    }
                    for t in self.state.threads.values()
                ]
            }

        return await self._control(request, run, body=False)

    async def _replies(self, request: Request) -> Response:
        def run(p: dict[str, Any]) -> Any:
            known = {
                "text",
                "tool_calls",
                "error",
                "finish_reason",
                "reasoning",
                "thread_id",
                "times",
            }
            unknown = set(p) - known
            if unknown:
                raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
            error = p.get("error")
            self.state.queue_reply(
                text=p.get("text"),
                tool_calls=[(name, args) for name, args in p.get("tool_calls") or []],
                error=(str(error[0]), str(error[1]), str(error[2])) if error else None,
                finish_reason=p.get("finish_reason"),
                reasoning=p.get("reasoning"),
                thread_id=p.get("thread_id"),
                times=int(p.get("times", 1)),
            )
            return {"ok": True}

        return await self._control(request, run, body=True)

    async def _faults(self, request: Request) -> Response:
        def run(p: dict[str, Any]) -> Any:
            fault = Fault.from_json(p["fault"])
            self.state.add_fault(
                fault, action=p.get("action", "RunThread"), count=int(p.get("count", 1))
            )
            return {"ok": True, "fault": fault.to_json()}

        return await self._control(request, run, body=True)

    async def _fault_rate(self, request: Request) -> Response:
        def run(p: dict[str, Any]) -> Any:
            faults = p.get("faults")
            self.state.set_fault_rate(
                float(p["rate"]),
                [Fault.from_json(f) for f in faults] if faults is not None else None,
                seed=p.get("seed"),
            )
            return {"ok": True}

        return await self._control(request, run, body=True)

    async def _reset(self, request: Request) -> Response:
        def run(_: dict[str, Any]) -> Any:
            self.state.reset()
            return {"ok": True}

        return await self._control(request, run, body=True)
