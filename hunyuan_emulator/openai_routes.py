"""The OpenAI-compatible endpoints under ``/v1/`` (Tencent's ``https://api.hunyuan.cloud.tencent.com/v1``
and TokenHub's, in OpenAI's wire format): each authenticates a Bearer key (``bearer``), then
runs an action that answers in ``openai_errors.OpenAIDialect``.

``OPENAI_ACTIONS`` maps (method, path) to the action's name (what the request log, fault
scripts and ``--fault ACTION@...`` use) and its handler. Any other ``/v1/`` path or method
answers 404 ``Invalid URL (<METHOD> <path>)``.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.routing import Route

from .actions import Handler
from .actions.embeddings import openai_embeddings
from .actions.openai_chat import openai_chat
from .actions.openai_models import list_models
from .bearer import verify_bearer
from .errors import RuleError
from .intake import Answer, new_request_id, serve
from .openai_errors import OpenAIDialect
from .responses import BytesResponse, StreamRegistry
from .state import EmulatorState

__all__ = ["OPENAI_ACTIONS", "openai_routes"]

#: (method, path) -> (action name, handler).
OPENAI_ACTIONS: dict[tuple[str, str], tuple[str, Handler]] = {
    ("POST", "/v1/chat/completions"): ("v1/chat/completions", openai_chat),
    ("GET", "/v1/models"): ("v1/models", list_models),
    ("POST", "/v1/embeddings"): ("v1/embeddings", openai_embeddings),
}


_ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def openai_routes(state: EmulatorState, registry: StreamRegistry) -> list[Route]:
    dialect = OpenAIDialect(state.settings.retry_after)

    def route(method: str, path: str, action: str, handler: Handler) -> Route:
        def admit(headers: Mapping[str, str], raw: bytes) -> tuple[Handler, str]:
            return handler, verify_bearer(headers, state)

        async def endpoint(request: Request) -> Answer:
            return await serve(
                state, registry, request, action=action, dialect=dialect, admit=admit
            )

        return Route(path, endpoint, methods=[method])

    async def invalid_url(request: Request) -> BytesResponse:
        request_id = new_request_id()
        error = RuleError("ResourceNotFound", f"Invalid URL ({request.method} {request.url.path})")
        failure = dialect.failure(error, request_id)
        return BytesResponse(
            registry,
            failure.body,
            status=failure.status,
            request_id=request_id,
            id_header=dialect.id_header,
        )

    routes = [route(m, p, action, h) for (m, p), (action, h) in OPENAI_ACTIONS.items()]
    unrouted = [
        Route(path, invalid_url, methods=_ANY_METHOD) for path in ("/v1", "/v1/{rest:path}")
    ]
    return [*routes, *unrouted]
