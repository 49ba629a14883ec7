"""One authenticated API request on its way through an action: what the handler answers with
(in its endpoint's ``dialect``), the fault scripted (or drawn) for it, and its concurrency
slot."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..dialect import TENCENT, Dialect
from ..errors import RuleError, message_for
from ..faults import Fault
from ..plan import StreamPlan
from ..responses import BytesResponse, EventStreamResponse, StreamRegistry, html_status_response
from ..state import EmulatorState, RecordedRequest

__all__ = ["Call", "Handler"]


@dataclass
class Call:
    state: EmulatorState
    registry: StreamRegistry
    body: dict[str, Any]
    secret_id: str
    request_id: str
    record: RecordedRequest
    dialect: Dialect = TENCENT

    @property
    def action(self) -> str:
        """The action's name: the X-TC-Action, or ``v1/chat/completions`` and the like."""
        return self.record.action

    # ------------------------------------------------------------------ faults

    def take_fault(
        self, action: str, *, streaming: bool, latency: float = 0.0
    ) -> tuple[Fault | None, float]:
        """The fault for this request, if any, and the delay before its first byte."""
        taken = self.state.take_fault(action, streaming)
        if taken is None:
            return None, latency
        fault = taken[0]
        self.record.outcome = f"fault:{fault.spec}"
        return fault, latency + (fault.seconds if fault.kind == "slow_first_byte" else 0.0)

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

    def answer(self, action: str, payload: Callable[[], dict[str, Any]]) -> BytesResponse:
        """A JSON action's response: the fault scripted for it, else ``payload()``."""
        fault, delay = self.take_fault(action, streaming=False)
        return self.pre_fault(fault, delay=delay) or self.json(payload(), delay=delay)

    # ------------------------------------------------------------------ concurrency

    def acquire(self) -> None:
        """Takes one of the caller's model-call slots, or refuses like the service."""
        if not self.state.try_acquire(self.secret_id):
            limit = self.state.settings.concurrency_limit
            raise RuleError(
                "FailedOperation.EngineServerLimitExceeded",
                f"引擎层请求超过限额；请稍后重试。At most {limit} calls in flight per "
                f"{self.dialect.caller}.",
            )

    def release(self) -> None:
        self.state.release(self.secret_id)

    # ------------------------------------------------------------------ responses

    def json(self, payload: dict[str, Any], *, delay: float = 0.0, **kw: Any) -> BytesResponse:
        self.record.outcome = "ok"
        return BytesResponse(
            self.registry,
            self.dialect.body(payload, self.request_id),
            request_id=self.request_id,
            id_header=self.dialect.id_header,
            delay=delay,
            **kw,
        )

    def error(self, code: str, message: str | None = None, **kw: Any) -> BytesResponse:
        return self.refuse(RuleError(code, message or message_for(code)), **kw)

    def refuse(self, error: RuleError, **kw: Any) -> BytesResponse:
        """The error response for ``error``, in this endpoint's dialect."""
        self.record.outcome = error.code
        failure = self.dialect.failure(error, self.request_id)
        return BytesResponse(
            self.registry,
            failure.body,
            status=failure.status,
            request_id=self.request_id,
            id_header=self.dialect.id_header,
            headers=failure.headers,
            **kw,
        )

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
            id_header=self.dialect.id_header,
            fault=fault,
            delay=delay,
            tokens_per_second=settings.tokens_per_second,
            coalesce=settings.coalesce_chunks,
            on_finish=on_finish,
        )


Handler = Callable[[Call], Awaitable[BytesResponse | EventStreamResponse]]
