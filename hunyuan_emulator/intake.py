"""How an HTTP request becomes a ``Call``, for every endpoint family: a request id, an entry in
the request log, admission (routing and authentication, which the family decides), the JSON
body of a POST; any ``RuleError`` on the way answers in the family's ``dialect``."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from .actions import Call, Handler
from .dialect import Dialect
from .errors import RuleError
from .responses import BytesResponse, EventStreamResponse, StreamRegistry
from .schema import parse_json_body
from .state import EmulatorState

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_LOGGED_BODY_BYTES",
    "Admit",
    "Answer",
    "new_request_id",
    "serve",
]

#: API 3.0 refuses a request packet over 10 MB (``RequestSizeLimitExceeded``).
MAX_BODY_BYTES = 10 * 1024 * 1024
#: Bodies up to this size are kept, parsed, in the request log; larger ones by their size only.
MAX_LOGGED_BODY_BYTES = 2 * 1024 * 1024

#: What ``serve`` answers with (a bare ``Response`` only to a client that already hung up).
Answer = BytesResponse | EventStreamResponse | Response

#: (headers, raw body) -> the handler and the caller (a SecretId or an API key's label).
Admit = Callable[[Mapping[str, str], bytes], tuple[Handler, str]]


def new_request_id() -> str:
    return str(uuid.uuid4())


async def _read_body(request: Request) -> bytes | None:
    """The body, or None once it exceeds ``MAX_BODY_BYTES`` (the rest is never buffered)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        parts.append(chunk)
    return b"".join(parts)


def _logged(raw: bytes | None) -> Any:
    """What the request log keeps of a body: parsed when it is small JSON, else a note."""
    if raw is None or len(raw) > MAX_LOGGED_BODY_BYTES:
        return f"<a body of {'over ' + str(MAX_BODY_BYTES) if raw is None else len(raw)} bytes>"
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return raw.decode("utf-8", "replace")


async def serve(
    state: EmulatorState,
    registry: StreamRegistry,
    request: Request,
    *,
    action: str,
    dialect: Dialect,
    admit: Admit,
) -> Answer:
    request_id = new_request_id()
    try:
        raw = await _read_body(request)
    except ClientDisconnect:
        # The client hung up before sending its body (a cancelled call): nobody to answer.
        return Response(status_code=400)
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
        if raw is None:
            raise RuleError(
                "RequestSizeLimitExceeded",
                f"The request packet exceeds the {MAX_BODY_BYTES // (1024 * 1024)} MB limit.",
            )
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
