"""Reading the service's non-stream answers and its errors (pure: status, headers, bytes in)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ._errors import APIError, HunyuanError, RateLimitError, ServerError, make_api_error

__all__ = ["error_from_response", "is_event_stream", "parse_json_response"]


def is_event_stream(status: int, content_type: str) -> bool:
    return status == 200 and content_type.split(";", 1)[0].strip().lower() == "text/event-stream"


def _snippet(body: bytes) -> str:
    text = body[:300].decode("utf-8", "replace").strip()
    return text or "<empty body>"


def error_from_response(status: int, headers: Mapping[str, str], body: bytes) -> HunyuanError:
    """The typed error for a response that is not the expected success."""
    request_id = headers.get("x-tc-requestid")
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    response = data.get("Response") if isinstance(data, dict) else None
    if isinstance(response, dict):
        error = response.get("Error")
        request_id = response.get("RequestId") or request_id
        if isinstance(error, dict) and error.get("Code"):
            return make_api_error(
                str(error["Code"]),
                str(error.get("Message") or ""),
                request_id=request_id,
                http_status=status,
            )
    message = f"HTTP {status} with {headers.get('content-type', 'no content type')}: "
    message += _snippet(body)
    if status >= 500:
        return ServerError(
            message, code=f"HTTP.{status}", request_id=request_id, http_status=status
        )
    if status == 429:
        return RateLimitError(message, code="HTTP.429", request_id=request_id, http_status=status)
    return APIError(message, code=f"HTTP.{status}", request_id=request_id, http_status=status)


def parse_json_response(status: int, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """``Response`` of a successful JSON answer; raises the typed error otherwise."""
    if status == 200:
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        response = data.get("Response") if isinstance(data, dict) else None
        if isinstance(response, dict) and "Error" not in response:
            return response
    raise error_from_response(status, headers, body)
