"""The thread actions: CreateThread, GetThread, GetThreadMessageList and GetThreadMessage."""

from __future__ import annotations

from typing import Any

from ..errors import RuleError
from ..responses import BytesResponse
from ..schema import INTEGER, STRING, check, invalid, obj, required
from .call import Call

__all__ = [
    "create_thread",
    "get_thread",
    "get_thread_message",
    "get_thread_message_list",
    "validate_create_thread",
    "validate_get_thread",
    "validate_get_thread_message",
    "validate_message_list",
]

_CREATE_THREAD = obj()
_GET_THREAD = obj(ThreadID=required(STRING))
_GET_THREAD_MESSAGE = obj(ThreadID=required(STRING), MessageID=required(STRING))
_MESSAGE_LIST = obj(ThreadID=required(STRING), Limit=INTEGER, Order=STRING)


def validate_create_thread(body: dict[str, Any]) -> None:
    check(body, _CREATE_THREAD)


def validate_get_thread(body: dict[str, Any]) -> str:
    check(body, _GET_THREAD)
    return str(body["ThreadID"])


def validate_get_thread_message(body: dict[str, Any]) -> tuple[str, str]:
    check(body, _GET_THREAD_MESSAGE)
    return str(body["ThreadID"]), str(body["MessageID"])


def validate_message_list(body: dict[str, Any]) -> tuple[str, int, str]:
    check(body, _MESSAGE_LIST)
    limit = body.get("Limit", 20)
    if not 1 <= limit <= 100:
        raise invalid("Limit", f"{limit} is outside 1..100.")
    order = body.get("Order", "desc")
    if order not in ("asc", "desc"):
        raise invalid("Order", f"{order!r} must be asc or desc.")
    return str(body["ThreadID"]), int(limit), str(order)


async def create_thread(call: Call) -> BytesResponse:
    validate_create_thread(call.body)
    return call.answer("CreateThread", lambda: call.state.create_thread().to_wire())


async def get_thread(call: Call) -> BytesResponse:
    thread = call.state.require_thread(validate_get_thread(call.body))
    return call.answer("GetThread", thread.to_wire)


async def get_thread_message_list(call: Call) -> BytesResponse:
    thread_id, limit, order = validate_message_list(call.body)
    call.state.require_thread(thread_id)

    def page() -> dict[str, Any]:
        messages = call.state.thread_messages(thread_id)
        if order == "desc":
            messages.reverse()
        shown = [m.to_wire() for m in messages[:limit]]
        first = shown[0]["ID"] if shown else ""
        last = shown[-1]["ID"] if shown else ""
        return {
            "Data": shown,
            "FirstID": first,
            "LastID": None,
            "HasMore": len(messages) > limit,
            "Object": "list",
            "FirstMsgID": first,
            "LastMsgID": last,
        }

    return call.answer("GetThreadMessageList", page)


async def get_thread_message(call: Call) -> BytesResponse:
    thread_id, message_id = validate_get_thread_message(call.body)
    call.state.require_thread(thread_id)
    found = next((m for m in call.state.thread_messages(thread_id) if m.id == message_id), None)
    if found is None:
        raise RuleError("ResourceNotFound", f"资源不存在。Message {message_id!r} not found.")
    return call.answer("GetThreadMessage", found.to_wire)
