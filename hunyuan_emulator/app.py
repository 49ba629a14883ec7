"""The Starlette app: ``POST /`` routed by X-TC-Action, plus loopback-only ``/_emulator/`` control.

Order of checks for ``POST /`` (the first failure answers): X-TC-Action present
(``MissingParameter``), X-TC-Version present and ``2023-09-01`` (``NoSuchVersion``), action
known (``InvalidAction``), signature (``AuthFailure.*``, see ``auth``), Content-Type JSON and
body a JSON object (``InvalidParameter``), then the action's own rules (``actions``).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from .actions import ACTIONS, Call, Handler
from .auth import verify_request
from .control_routes import control_routes
from .errors import RuleError
from .frames import error_body
from .responses import BytesResponse, StreamRegistry
from .schema import parse_json_body
from .state import EmulatorState

__all__ = ["API_VERSION", "EmulatorApp"]

API_VERSION = "2023-09-01"

#: API 3.0 refuses a request packet over 10 MB (``RequestSizeLimitExceeded``).
MAX_BODY_BYTES = 10 * 1024 * 1024
#: Bodies up to this size are kept, parsed, in the request log; larger ones by their size only.
MAX_LOGGED_BODY_BYTES = 2 * 1024 * 1024


class EmulatorApp:
    """ASGI app over one ``EmulatorState``; ``cancel_streams`` ends every open response."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.registry = StreamRegistry()
        self._app = Starlette(
            routes=[Route("/", self._api, methods=["POST"]), *control_routes(state)]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)

    def cancel_streams(self) -> None:
        self.registry.cancel_all()

    async def _api(self, request: Request) -> Any:
        state = self.state
        request_id = str(uuid.uuid4())
        try:
            raw = await _read_body(request)
        except ClientDisconnect:
            # The client hung up before sending its body (a cancelled call): nobody to answer.
            return Response(status_code=400)
        headers = request.headers
        action = headers.get("x-tc-action", "")
        record = state.record(
            action=action,
            headers=dict(headers),
            body=_logged(raw),
            secret_id=None,
            request_id=request_id,
        )
        try:
            if raw is None:
                raise RuleError(
                    "RequestSizeLimitExceeded",
                    f"The request packet exceeds the {MAX_BODY_BYTES // (1024 * 1024)} MB limit.",
                )
            handler = _route(headers.get("x-tc-action"), headers.get("x-tc-version"))
            record.secret_id = verify_request(headers, raw, state)
            content_type = headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != "application/json":
                raise RuleError("InvalidParameter", "Content-Type must be application/json.")
            call = Call(
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
    except (ValueError, RecursionError):
        return raw.decode("utf-8", "replace")


def _route(action: str | None, version: str | None) -> Handler:
    if not action:
        raise RuleError("MissingParameter", "The parameter `Action` (X-TC-Action) is missing.")
    if not version:
        raise RuleError("MissingParameter", "The parameter `Version` (X-TC-Version) is missing.")
    if version != API_VERSION:
        raise RuleError(
            "NoSuchVersion", f"The API version {version!r} does not exist; use {API_VERSION}."
        )
    handler = ACTIONS.get(action)
    if handler is None:
        raise RuleError("InvalidAction", f"The action {action!r} does not exist.")
    return handler
