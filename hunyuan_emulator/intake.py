"""How an HTTP request becomes a ``Call``, for every endpoint family: a request id, an entry in
the request log, admission (routing and authentication, which the family decides), the JSON
body of a POST; any ``RuleError`` on the way answers in the family's ``dialect``."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request

from .actions import Call, Handler
from .dialect import Dialect
from .errors import RuleError
from .responses import BytesResponse, EventStreamResponse, StreamRegistry
from .schema import parse_json_body
from .state import EmulatorState

__all__ = ["Admit", "new_request_id", "serve"]

#: (headers, raw body) -> the handler and the caller (a SecretId or an API key's label).
Admit = Callable[[Mapping[str, str], bytes], tuple[Handler, str]]


def new_request_id() -> str:
    return str(uuid.uuid4())


def _logged(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("utf-8", "replace")


async def serve(
    state: EmulatorState,
    registry: StreamRegistry,
    request: Request,
    *,
    action: str,
    dialect: Dialect,
    admit: Admit,
) -> BytesResponse | EventStreamResponse:
    request_id = new_request_id()
    raw = await request.body()
    headers = request.headers
    record = state.record(
        action=action,
        headers=dict(headers),
        body=_logged(raw),
        secret_id=None,
        request_id=request_id,
    )
    call = Call(state, registry, {}, "", request_id, record, dialect)
    try:
        handler, caller = admit(headers, raw)
        record.secret_id = call.secret_id = caller
        if request.method == "POST":
            content_type = headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != "application/json":
                raise RuleError("InvalidParameter", "Content-Type must be application/json.")
            call.body = parse_json_body(raw)
        return await handler(call)
    except RuleError as exc:
        return call.refuse(exc)
