"""What every stateless completion shares (ChatCompletions and ``/v1/chat/completions``): a
concurrency slot, the fault, the reply (queued, else the model's), then one JSON body or a
stream plan."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model import Reply
from ..plan import Outcome, StreamPlan, decide
from ..responses import BytesResponse, EventStreamResponse
from .call import Call

__all__ = ["complete"]


def complete(
    call: Call,
    *,
    stream: bool,
    reply: Callable[[], Reply],
    as_json: Callable[[Outcome, int], dict[str, Any]],
    as_stream: Callable[[Outcome, int], StreamPlan],
) -> BytesResponse | EventStreamResponse:
    """Answers one completion; ``as_json``/``as_stream`` render the outcome at a time (s)."""
    state = call.state
    call.acquire()
    try:
        fault, delay = call.take_fault(
            call.action, streaming=stream, latency=state.settings.latency
        )
        failed = call.pre_fault(fault, delay=delay, on_finish=call.release)
        if failed is not None:
            return failed
        outcome = decide(state.take_reply(None) or reply())
        now = int(state.now())
        # Without a stream there is nowhere to put a mid-stream error: it answers as JSON.
        if outcome.error is not None and (outcome.fails_before_stream or not stream):
            error = outcome.error
            return call.error(error[0], error[1], delay=delay, on_finish=call.release)
        if not stream:
            return call.json(as_json(outcome, now), delay=delay, on_finish=call.release)
        plan = as_stream(outcome, now)
    except BaseException:
        call.release()
        raise
    return call.stream(plan, fault=fault, delay=delay, on_finish=call.release)
