"""Queued replies: the exact answer a test scripts in place of the deterministic model.

``ReplyOrder`` is the one description of a queued reply's fields: the keyword arguments of
``EmulatorState.queue_reply`` (which builds and checks the reply) and of
``EmulatorControl.queue_reply``, and the JSON body of ``POST /_emulator/replies`` in between
(``order_to_json`` on the client's side, ``order_from_json`` on the server's).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, TypedDict, get_args

from .model import ToolCallSpec

__all__ = [
    "ErrorWhere",
    "QueuedReply",
    "ReplyOrder",
    "build_reply",
    "order_from_json",
    "order_to_json",
]

ErrorWhere = Literal["before", "run_failed", "error", "error_msg"]
_WHERES: tuple[str, ...] = get_args(ErrorWhere)


class ReplyOrder(TypedDict, total=False):
    """``tool_calls`` are ``(name, arguments)`` pairs (arguments as JSON text or a dict);
    ``error`` is ``(code, message, where)`` with ``where`` one of ``before`` (a JSON error
    instead of the stream) or ``run_failed``/``error``/``error_msg`` (that error frame after
    the queued text); ``thread_id`` keeps the reply for the next run on that thread; ``times``
    queues the same reply several times."""

    text: str | None
    tool_calls: Iterable[tuple[str, str | dict[str, Any]]] | None
    error: tuple[str, str, str] | None
    finish_reason: str | None
    reasoning: str | None
    thread_id: str | None
    times: int


@dataclass(frozen=True)
class QueuedReply:
    """An exact reply a test queued; it replaces the deterministic model for one call."""

    text: str = ""
    tool_calls: tuple[ToolCallSpec, ...] = ()
    error: tuple[str, str, ErrorWhere] | None = None
    finish_reason: str | None = None
    reasoning: str = ""


def build_reply(order: ReplyOrder) -> QueuedReply:
    """The reply ``order`` describes; ValueError when it says nothing or names no known
    ``where``."""
    calls = tuple(
        ToolCallSpec(name, args if isinstance(args, str) else json.dumps(args, ensure_ascii=False))
        for name, args in (order.get("tool_calls") or ())
    )
    error = order.get("error")
    checked_error: tuple[str, str, ErrorWhere] | None = None
    if error is not None:
        code, message, where = error
        if where not in _WHERES:
            raise ValueError(f"error 'where' must be one of {', '.join(_WHERES)}")
        checked_error = (code, message, where)  # type: ignore[assignment]
    reply = QueuedReply(
        text=order.get("text") or "",
        tool_calls=calls,
        error=checked_error,
        finish_reason=order.get("finish_reason"),
        reasoning=order.get("reasoning") or "",
    )
    if not reply.text and not calls and error is None:
        raise ValueError("a queued reply needs text, tool_calls or an error")
    return reply


def order_to_json(order: ReplyOrder) -> dict[str, Any]:
    payload: dict[str, Any] = dict(order)
    if payload.get("tool_calls") is not None:
        payload["tool_calls"] = [list(call) for call in payload["tool_calls"]]
    return payload


def order_from_json(payload: dict[str, Any]) -> ReplyOrder:
    unknown = set(payload) - set(ReplyOrder.__annotations__)
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
    order: ReplyOrder = {
        "text": payload.get("text"),
        "tool_calls": [(name, args) for name, args in payload.get("tool_calls") or []],
        "finish_reason": payload.get("finish_reason"),
        "reasoning": payload.get("reasoning"),
        "thread_id": payload.get("thread_id"),
        "times": int(payload.get("times", 1)),
    }
    error = payload.get("error")
    if error:
        order["error"] = (str(error[0]), str(error[1]), str(error[2]))
    return order
