"""Reading the service's non-stream answers and its errors (pure: status, headers, bytes in)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .._errors import APIError, HunyuanError, RateLimitError, ServerError, make_api_error

__all__ = [
    "HTTP_CODE_PREFIX",
    "error_from_response",
    "is_event_stream",
    "is_service_refusal",
    "json_object",
    "parse_json_response",
    "snippet",
]

#: Codes of errors built from a bare HTTP status (a gateway page), not from the service's JSON.
HTTP_CODE_PREFIX = "HTTP."


def is_service_refusal(error: HunyuanError) -> bool:
    """Whether the service itself refused the request (its JSON error envelope), which proves it
    did not act on it. A bare 5xx page from a gateway proves nothing: the service may have run."""
    return error.code is not None and not error.code.startswith(HTTP_CODE_PREFIX)


def is_event_stream(status: int, content_type: str) -> bool:
    return status == 200 and content_type.split(";", 1)[0].strip().lower() == "text/event-stream"


def json_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is anything else (a gateway's HTML page)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def snippet(body: bytes) -> str:
    text = body[:300].decode("utf-8", "replace").strip()
    return text or "<empty body>"


def error_from_response(status: int, headers: Mapping[str, str], body: bytes) -> HunyuanError:
    """The typed error for a response that is not the expected success."""
    request_id = headers.get("x-tc-requestid")
    data = json_object(body)
    response = data.get("Response") if data is not None else None
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
    message += snippet(body)
    cls: type[HunyuanError] = APIError
    if status >= 500:
        cls = ServerError
    elif status == 429:
        cls = RateLimitError
    return cls(
        message, code=f"{HTTP_CODE_PREFIX}{status}", request_id=request_id, http_status=status
    )


def parse_json_response(status: int, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """``Response`` of a successful JSON answer; raises the typed error otherwise."""
    data = json_object(body) if status == 200 else None
    response = data.get("Response") if data is not None else None
    if isinstance(response, dict) and "Error" not in response:
        return response
    raise error_from_response(status, headers, body)
