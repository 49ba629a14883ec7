"""The Starlette app: ``POST /`` routed by X-TC-Action, the OpenAI-compatible ``/v1/`` endpoints
(``openai_routes``), plus loopback-only ``/_emulator/`` control.

Order of checks for ``POST /`` (the first failure answers): X-TC-Action present
(``MissingParameter``), X-TC-Version present and ``2023-09-01`` (``NoSuchVersion``), action
known (``InvalidAction``), signature (``AuthFailure.*``, see ``auth``), Content-Type JSON and
body a JSON object (``InvalidParameter``), then the action's own rules (``actions``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from .actions import ACTIONS, Handler
from .auth import verify_request
from .control_routes import control_routes
from .dialect import TENCENT
from .errors import RuleError
from .intake import serve
from .openai_routes import openai_routes
from .responses import StreamRegistry
from .state import EmulatorState

__all__ = ["API_VERSION", "EmulatorApp"]

API_VERSION = "2023-09-01"


class EmulatorApp:
    """ASGI app over one ``EmulatorState``; ``cancel_streams`` ends every open response."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.registry = StreamRegistry()
        self._app = Starlette(
            routes=[
                Route("/", self._api, methods=["POST"]),
                *openai_routes(state, self.registry),
                *control_routes(state),
            ]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)

    def cancel_streams(self) -> None:
        self.registry.cancel_all()

    async def _api(self, request: Request) -> Any:
        def admit(headers: Mapping[str, str], raw: bytes) -> tuple[Handler, str]:
            handler = _route(headers.get("x-tc-action"), headers.get("x-tc-version"))
            return handler, verify_request(headers, raw, self.state)

        action = request.headers.get("x-tc-action", "")
        return await serve(
            self.state, self.registry, request, action=action, dialect=TENCENT, admit=admit
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
