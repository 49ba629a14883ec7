"""Wire encodings: JSON bodies, SSE frames, run/message snapshots, delta frames.

Frames are ``data: <compact JSON, UTF-8, ensure_ascii=False>\\n\\n``. Delta frames are built
from precomputed byte prefixes so a 10,000-delta stream costs one small ``json.dumps`` per
piece.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .model import ToolCallSpec

__all__ = [
    "DONE",
    "NOTE",
    "ChatChunkEncoder",
    "RunDeltaEncoder",
    "RunInfo",
    "dumps",
    "error_body",
    "frame",
    "json_body",
    "tool_call_json",
    "usage",
]

DONE = b"data: [DONE]\n\n"
#: The disclaimer Hunyuan puts in every ChatCompletions response.
NOTE = "以上内容为AI生成，不代表开发者立场，请勿删除或修改本标记"


_SURROGATE = re.compile("[\ud800-\udfff]")


def dumps(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if not text.isascii() and _SURROGATE.search(text):
        # A lone surrogate (echoed from a prompt, or queued) cannot be UTF-8; JSON's \u
        # escapes carry it intact, as the client's own request bodies do.
        return json.dumps(value, separators=(",", ":"))
    return text


def frame(value: Any) -> bytes:
    return b"data: " + dumps(value).encode() + b"\n\n"


def json_body(response: dict[str, Any], request_id: str) -> bytes:
    return dumps({"Response": {**response, "RequestId": request_id}}).encode()


def error_body(code: str, message: str, request_id: str) -> bytes:
    return json_body({"Error": {"Code": code, "Message": message}}, request_id)


def usage(prompt: int, completion: int) -> dict[str, int]:
    return {
        "PromptTokens": prompt,
        "CompletionTokens": completion,
        "TotalTokens": prompt + completion,
    }


def tool_call_json(
    index: int, call: ToolCallSpec, *, arguments: str | None = None
) -> dict[str, Any]:
    """A ToolCall; streams open each call with ``arguments=""`` and send them in pieces."""
    return {
        "Index": index,
        "Id": call.id,
        "Type": "function",
        "Function": {
            "Name": call.name,
            "Arguments": call.arguments if arguments is None else arguments,
        },
    }


def _arguments_piece(index: int, piece: str) -> str:
    return f'{{"Index":{index},"Function":{{"Arguments":{dumps(piece)}}}}}'


@dataclass
class RunInfo:
    """The fixed part of a run snapshot (seed example, field for field)."""

    id: str
    thread_id: str
    created_at: int
    model: str
    tools: list[dict[str, Any]] = field(default_factory=list)
    temperature: float = 0
    top_p: float = 0
    max_prompt_tokens: int = 0
    max_completion_tokens: int = 0

    def snapshot(
        self,
        status: str,
        *,
        started_at: int = 0,
        completed_at: int = 0,
        failed_at: int = 0,
        usage: dict[str, int] | None = None,
        required_action: dict[str, Any] | None = None,
        last_error: dict[str, str] | None = None,
        incomplete_reason: str | None = None,
    ) -> dict[str, Any]:
        return {
            "ID": self.id,
            "Object": "thread.run",
            "CreatedAt": self.created_at,
            "ThreadID": self.thread_id,
            "AssistantID": "",
            "Status": status,
            "RequiredAction": required_action,
            "LastError": last_error,
            "ExpiresAt": 0,
            "StartedAt": started_at,
            "CancelledAt": 0,
            "FailedAt": failed_at,
            "CompletedAt": completed_at,
            "InCompleteDetails": (
                {"Reason": incomplete_reason} if incomplete_reason is not None else None
            ),
            "Model": self.model,
            "Instructions": "",
            "Tools": self.tools,
            "Metadata": {},
            "Usage": usage,
            "Temperature": self.temperature,
            "TopP": self.top_p,
            "MaxPromptTokens": self.max_prompt_tokens,
            "MaxCompletionTokens": self.max_completion_tokens,
            "TruncationStrategy": {"Type": "", "LastMessages": None},
            "ParallelToolCalls": False,
            "ResponseFormat": None,
        }


class RunDeltaEncoder:
    """``thread.message.delta`` frames for one assistant message."""

    def __init__(self, message_id: str) -> None:
        head = f'data: {{"ID":{dumps(message_id)},"Object":"thread.message.delta","Delta":'
        self._text_prefix = (head + '{"Role":"assistant","Content":').encode()
        self._tools_prefix = (head + '{"ToolCalls":[').encode()

    def text(self, piece: str) -> bytes:
        return self._text_prefix + dumps(piece).encode() + b"}}\n\n"

    def tool_start(self, index: int, call: ToolCallSpec) -> bytes:
        first = dumps(tool_call_json(index, call, arguments=""))
        return self._tools_prefix + first.encode() + b"]}}\n\n"

    def tool_arguments(self, index: int, piece: str) -> bytes:
        return self._tools_prefix + _arguments_piece(index, piece).encode() + b"]}}\n\n"


class ChatChunkEncoder:
    """ChatCompletions stream chunks; ``Usage`` is cumulative in every chunk."""

    def __init__(self, response_id: str, created: int, prompt_tokens: int) -> None:
        self._head = (
            f'data: {{"Id":{dumps(response_id)},"Created":{created},"Note":{dumps(NOTE)},'
            '"Choices":[{"Index":0,"Delta":'
        ).encode()
        self._id = response_id
        self._created = created
        self._prompt = prompt_tokens

    def _chunk(self, delta: str, completion: int, finish: str) -> bytes:
        tail = (
            f',"FinishReason":{dumps(finish)}}}],"Usage":'
            f'{{"PromptTokens":{self._prompt},"CompletionTokens":{completion},'
            f'"TotalTokens":{self._prompt + completion}}}}}\n\n'
        )
        return self._head + delta.encode() + tail.encode()

    def content(self, piece: str, completion: int, finish: str = "") -> bytes:
        return self._chunk(f'{{"Role":"assistant","Content":{dumps(piece)}}}', completion, finish)

    def reasoning(self, piece: str, completion: int, finish: str = "") -> bytes:
        delta = f'{{"Role":"assistant","Content":"","ReasoningContent":{dumps(piece)}}}'
        return self._chunk(delta, completion, finish)

    def tool_start(
        self, index: int, call: ToolCallSpec, completion: int, finish: str = ""
    ) -> bytes:
        return self._tool_chunk(
            dumps(tool_call_json(index, call, arguments="")), completion, finish
        )

    def tool_arguments(self, index: int, piece: str, completion: int, finish: str = "") -> bytes:
        return self._tool_chunk(_arguments_piece(index, piece), completion, finish)

    def _tool_chunk(self, part: str, completion: int, finish: str) -> bytes:
        return self._chunk(
            f'{{"Role":"assistant","Content":"","ToolCalls":[{part}]}}', completion, finish
        )

    def error_msg(self, error: dict[str, int | str]) -> bytes:
        """The chunk that ends a failed stream; ``error`` is ``errors.error_msg``'s."""
        return frame(
            {
                "Id": self._id,
                "Created": self._created,
                "Note": NOTE,
                "Choices": [],
                "ErrorMsg": error,
            }
        )
