"""How a family of endpoints answers: which header carries the request id, how JSON bodies and
errors look.

The API 3.0 actions (``POST /``, ``TENCENT``) answer everything with HTTP 200, bodies wrapped
in ``{"Response": {..., "RequestId"}}`` and errors as ``Response.Error``; the OpenAI-compatible
endpoint (``openai_errors.OpenAIDialect``) answers plain bodies, and errors with real HTTP
statuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from .errors import RuleError
from .frames import error_body, json_body
from .responses import TC_REQUEST_ID

__all__ = ["TENCENT", "Dialect", "Failure", "TencentDialect"]


@dataclass(frozen=True)
class Failure:
    """An error response: status, body and extra headers (``Retry-After``)."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


class Dialect(Protocol):
    #: The response header that carries the request id.
    id_header: str
    #: Whose concurrency slots a call takes, for messages ("SecretId", "API key").
    caller: str

    def body(self, payload: dict[str, Any], request_id: str) -> bytes: ...

    def failure(self, error: RuleError, request_id: str) -> Failure: ...


class TencentDialect:
    id_header = TC_REQUEST_ID
    caller = "SecretId"

    def body(self, payload: dict[str, Any], request_id: str) -> bytes:
        return json_body(payload, request_id)

    def failure(self, error: RuleError, request_id: str) -> Failure:
        return Failure(200, error_body(error.code, error.message, request_id))


TENCENT = TencentDialect()
