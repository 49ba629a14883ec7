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
from starlette.requests import Request
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
