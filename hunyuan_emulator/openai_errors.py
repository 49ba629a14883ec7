"""The OpenAI-compatible endpoint's errors: a real HTTP status and OpenAI's error body
``{"error": {"message", "type", "param", "code"}}``.

Every refusal inside the emulator is a ``RuleError`` with a Tencent code (validation, the
concurrency cap, an ``error:CODE`` fault, a queued error); ``ERROR_STATUS`` maps it to an HTTP
status and an OpenAI code, the most specific entry first (``AuthFailure.InvalidApiKey`` falls
back to ``AuthFailure``):

- 401 ``authentication_error``, code ``invalid_api_key``: ``AuthFailure*``.
- 429 ``rate_limit_error``, code ``rate_limit_exceeded``, header ``Retry-After`` (the
  ``retry_after`` setting, whole seconds):
  ``LimitExceeded``, ``RequestLimitExceeded``, ``FailedOperation.EngineServerLimitExceeded``
  (the concurrency cap).
- 429 ``insufficient_quota``, code ``insufficient_quota``, no ``Retry-After``:
  ``FailedOperation.{Free,}ResourcePackExhausted``, ``FailedOperation.ServiceStopArrears``.
- 403 ``permission_error``: ``FailedOperation.ServiceStop``, ``…ServiceNotActivated``.
- 404 ``invalid_request_error``, code ``model_not_found``: ``InvalidParameterValue.Model``;
  ``ResourceNotFound`` (an unknown ``/v1/`` path: ``Invalid URL (<METHOD> <path>)``).
- 400 ``invalid_request_error``: ``InvalidParameter*``, ``MissingParameter``,
  ``UnknownParameter``, ``UnsupportedOperation``, ``OperationDenied*``.
- 503 ``server_error``: ``ServiceUnavailable``, ``FailedOperation.EngineRequestTimeout``.
- 500 ``server_error``: anything else (``InternalError``, ``…EngineServerError``).

Where no OpenAI code is named, ``code`` is the Tencent code itself (``InvalidParameterValue``,
``InternalError``). ``param`` names the field at fault (``messages.1.content``) or is null. An
unknown field reads like OpenAI's: ``Unrecognized request argument supplied: <name>``. A stream
that fails after its first chunk ends with ``data: {"error": {...}}`` (the same object) and no
``[DONE]``.
"""

from __future__ import annotations

from typing import Any

from .dialect import Failure
from .errors import RuleError
from .frames import dumps

__all__ = ["ERROR_STATUS", "OpenAIDialect", "openai_error"]

#: Tencent code (or a parent of it) -> (HTTP status, OpenAI code; None keeps the Tencent code).
ERROR_STATUS: dict[str, tuple[int, str | None]] = {
    "AuthFailure": (401, "invalid_api_key"),
    "LimitExceeded": (429, "rate_limit_exceeded"),
    "RequestLimitExceeded": (429, "rate_limit_exceeded"),
    "FailedOperation.EngineServerLimitExceeded": (429, "rate_limit_exceeded"),
    "FailedOperation.FreeResourcePackExhausted": (429, "insufficient_quota"),
    "FailedOperation.ResourcePackExhausted": (429, "insufficient_quota"),
    "FailedOperation.ServiceStopArrears": (429, "insufficient_quota"),
    "FailedOperation.ServiceStop": (403, None),
    "FailedOperation.ServiceNotActivated": (403, None),
    "FailedOperation.EngineRequestTimeout": (503, None),
    "ServiceUnavailable": (503, None),
    "InvalidParameterValue.Model": (404, "model_not_found"),
    "ResourceNotFound": (404, None),
    "InvalidParameter": (400, None),
    "InvalidParameterValue": (400, None),
    "MissingParameter": (400, None),
    "UnknownParameter": (400, None),
    "UnsupportedOperation": (400, None),
    "OperationDenied": (400, None),
}
_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "invalid_request_error",
    429: "rate_limit_error",
}


def _status(code: str) -> tuple[int, str]:
    candidate = code
    while candidate:
        if candidate in ERROR_STATUS:
            status, mapped = ERROR_STATUS[candidate]
            return status, mapped or code
        candidate = candidate.rpartition(".")[0]
    return 500, code


def openai_error(error: RuleError) -> tuple[int, dict[str, Any]]:
    """The HTTP status and the ``error`` object ``error`` answers with."""
    status, code = _status(error.code)
    if error.code == "UnknownParameter" and error.param is not None:
        message = f"Unrecognized request argument supplied: {error.param}"
    else:
        message = error.message
    kind = "insufficient_quota" if code == "insufficient_quota" else _TYPES.get(status)
    body = {
        "message": message,
        "type": kind or "server_error",
        "param": error.param,
        "code": code,
    }
    return status, body


class OpenAIDialect:
    """Plain JSON bodies, ``X-Request-Id``, errors by ``openai_error``."""

    id_header = "x-request-id"
    caller = "API key"

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after

    def body(self, payload: dict[str, Any], request_id: str) -> bytes:
        return dumps(payload).encode()

    def failure(self, error: RuleError, request_id: str) -> Failure:
        status, body = openai_error(error)
        headers: tuple[tuple[str, str], ...] = ()
        if body["code"] == "rate_limit_exceeded":
            headers = (("retry-after", str(self.retry_after)),)
        return Failure(status, dumps({"error": body}).encode(), headers)
