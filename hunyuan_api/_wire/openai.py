"""Hunyuan's OpenAI-compatible endpoint (and TokenHub's, for Hy3): request bodies and what its
answers mean, in OpenAI's chat-completions format with Hunyuan's extras as extra body fields.

Facts: ``shared/protocol/OPENAI-COMPAT.md`` (Tencent's documentation, cloud.tencent.com/document/
product/1729/111007; OpenAI's wire format for what Tencent leaves to it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._errors import (
    AccountError,
    APIError,
    AuthenticationError,
    BadRequestError,
    HunyuanError,
    NotFoundError,
    RateLimitError,
    ServerError,
    error_class_for_code,
)
from .._types import Message, RunOptions, ToolSpec
from .bodies import tool_result_text, with_call_ids
from .responses import HTTP_CODE_PREFIX, json_object, snippet

__all__ = [
    "build_openai_chat_body",
    "openai_error",
    "parse_openai_response",
    "request_id_of",
    "retry_after_of",
]

# The most a Retry-After header may make a call wait: beyond it a caller is better served by
# the error than by a silent minute-long pause.
_MAX_RETRY_AFTER = 60.0


def _tool(tool: ToolSpec) -> dict[str, Any]:
    function: dict[str, Any] = {"name": tool.name, "parameters": dict(tool.parameters)}
    if tool.description:
        function["description"] = tool.description
    return {"type": "function", "function": function}


def _message(message: Message, call_id: str | None) -> dict[str, Any]:
    if message.role == "tool":
        return {"role": "tool", "tool_call_id": call_id or "", "content": tool_result_text(message)}
    out: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.images:
        text = [{"type": "text", "text": message.content}] if message.content else []
        images = [{"type": "image_url", "image_url": {"url": url}} for url in message.images]
        out["content"] = text + images
    if message.role == "assistant" and message.tool_calls:
        out["content"] = message.content or None
        out["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments or "{}"},
            }
            for call in message.tool_calls
        ]
    return out


def _tool_choice(options: RunOptions) -> str | dict[str, Any] | None:
    if options.tool_choice == "custom":
        # OpenAI can say both "some tool, the model's pick" and "this tool".
        if options.forced_tool is None:
            return "required"
        return {"type": "function", "function": {"name": options.forced_tool}}
    return options.tool_choice


def build_openai_chat_body(
    messages: Sequence[Message], options: RunOptions, *, stream: bool
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "model": options.model,
        "messages": [_message(m, call_id) for m, call_id in with_call_ids(messages)],
        "stream": stream,
        # Usage arrives once, in a last chunk, only when asked for.
        "stream_options": {"include_usage": True} if stream else None,
        "temperature": options.temperature,
        "top_p": options.top_p,
        "max_tokens": options.max_tokens or None,
        "seed": options.seed,
        "stop": list(options.stop) or None,
        # Hunyuan's extras go as extra body fields under their snake_case names, as in
        # Tencent's own example ("enable_enhancement": true).
        "enable_enhancement": options.enable_enhancement,
        "force_search_enhancement": options.force_search_enhancement,
        "citation": options.citation,
        "enable_speed_search": options.enable_speed_search,
        "search_info": options.search_info,
        "reasoning_effort": options.reasoning_effort,
        "tools": [_tool(t) for t in options.tools] or None,
        # OpenAI refuses a tool_choice without tools.
        "tool_choice": _tool_choice(options) if options.tools else None,
        # The one API with the field gets it as is (the client still keeps one call when False).
        "parallel_tool_calls": options.parallel_tool_calls if options.tools else None,
    }
    return {**{k: v for k, v in fields.items() if v is not None}, **options.extra_fields}


def request_id_of(headers: Mapping[str, str]) -> str | None:
    return headers.get("x-request-id") or headers.get("x-tc-requestid") or headers.get("request-id")


def retry_after_of(headers: Mapping[str, str]) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds form), capped."""
    raw = headers.get("retry-after")
    try:
        seconds = float(raw) if raw is not None else None
    except ValueError:
        return None
    if seconds is None or not seconds >= 0:
        return None
    return min(seconds, _MAX_RETRY_AFTER)


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: AccountError,
    403: AuthenticationError,
    404: NotFoundError,
    409: BadRequestError,
    413: BadRequestError,
    422: BadRequestError,
    429: RateLimitError,
}


def _error_class(status: int, code: str) -> type[APIError]:
    """A code the table knows (OpenAI's types and codes, or a Tencent code passed through)
    decides; otherwise the HTTP status."""
    by_code = error_class_for_code(code)
    if by_code is not APIError:
        return by_code
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, APIError)


def openai_error(status: int, headers: Mapping[str, str], body: bytes) -> HunyuanError:
    """The typed error for an answer that is not a success: status first, then the OpenAI
    error body's code (kept verbatim) and message."""
    data = json_object(body)
    error = data.get("error") if data is not None else None
    if isinstance(error, dict):
        code = str(error.get("code") or error.get("type") or f"{HTTP_CODE_PREFIX}{status}")
        message = str(error.get("message") or code)
    else:
        code = f"{HTTP_CODE_PREFIX}{status}"
        message = f"HTTP {status} with {headers.get('content-type', 'no content type')}: "
        message += snippet(body)
    return _error_class(status, code)(
        message,
        code=code,
        request_id=request_id_of(headers),
        http_status=status,
        retry_after=retry_after_of(headers),
    )


def parse_openai_response(status: int, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """The JSON object of a successful answer; raises the typed error otherwise."""
    data = json_object(body) if status == 200 else None
    if data is not None and "error" not in data:
        return data
    raise openai_error(status, headers, body)
