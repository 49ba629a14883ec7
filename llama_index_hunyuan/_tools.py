"""LlamaIndex tools ↔ the core: specs and tool choice in, ``ToolSelection``s out."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from json import JSONDecodeError
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import ChatResponse, ToolCallBlock
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.llms.utils import parse_partial_json

from hunyuan_api import ToolChoice, ToolSpec
from hunyuan_api.adapter import openai_tool_calls, resolve_tool_choice

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = [
    "parse_tool_kwargs",
    "resolve_choice",
    "tool_selections",
    "tool_specs",
]


def tool_specs(tools: Sequence[BaseTool]) -> tuple[ToolSpec, ...]:
    specs = []
    for tool in tools:
        # The same sanitised name OpenAI sends, so tool lookups behave identically.
        function = tool.metadata.to_openai_tool(skip_length_check=True)["function"]
        specs.append(
            ToolSpec(
                name=function["name"],
                description=function.get("description") or "",
                parameters=function.get("parameters") or {"type": "object", "properties": {}},
            )
        )
    return tuple(specs)


def resolve_choice(
    tool_choice: object, tool_required: bool, specs: Sequence[ToolSpec]
) -> tuple[ToolChoice | None, str | None]:
    """LlamaIndex's (tool_choice, tool_required) → the core's (ToolChoice, forced tool).

    An explicit choice wins ("auto", "none", a tool name, an OpenAI-style dict, "required");
    otherwise ``tool_required`` asks for some tool (custom) and the default is auto.
    """
    if not specs:
        return None, None
    names = [spec.name for spec in specs]
    if tool_choice is not None:
        return resolve_tool_choice(tool_choice, names)
    return resolve_tool_choice("required" if tool_required else "auto", names)


def parse_tool_kwargs(arguments: object) -> dict[str, Any]:
    """Arguments, complete or streamed halfway: never raises, ``{}`` when nothing usable."""
    if isinstance(arguments, Mapping):
        return dict(arguments)
    if not isinstance(arguments, str) or not arguments.strip():
        return {}
    parsed = _parse(arguments)
    if parsed is None and "," in arguments:
        # A key streamed without its colon yet ('{"a": 6, "b"') defeats parse_partial_json;
        # dropping the unfinished member keeps the earlier ones instead of flickering to {}.
        parsed = _parse(arguments[: arguments.rindex(",")])
    return parsed if isinstance(parsed, dict) else {}


def _parse(arguments: str) -> object:
    try:
        return parse_partial_json(arguments)
    except (ValueError, TypeError, JSONDecodeError, RecursionError):
        return None


def _final_kwargs(name: str, call_id: str | None, arguments: object) -> dict[str, Any]:
    """The arguments of a finished call: a JSON object, or a ValueError that says the call is
    unusable (cut short or malformed by the model) instead of a guess at its values."""
    if isinstance(arguments, Mapping):
        return dict(arguments)
    text = arguments if isinstance(arguments, str) else ""
    try:
        parsed = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        problem = f"are not valid JSON ({exc})"
    else:
        if isinstance(parsed, dict):
            return parsed
        problem = "are not a JSON object"
    raise ValueError(
        f"The arguments of tool call {name!r} (id {call_id!r}) {problem}: {text[:200]!r}. "
        "The model's call is unusable; ask again rather than run the tool with guessed values."
    )


def is_final(response: ChatResponse) -> bool:
    """Whether ``response`` is a finished run (``chat`` or a stream's last response), whose
    tool calls are complete, rather than a response still streaming."""
    return isinstance(response.raw, Mapping) and "finish_reason" in response.raw


def tool_selections(response: ChatResponse, error_on_no_tool_call: bool) -> list[ToolSelection]:
    """Tool calls of a response or of any streamed chunk: ``ToolCallBlock``s first, then the
    legacy ``additional_kwargs["tool_calls"]`` (histories written by other integrations).

    A streamed chunk's arguments are parsed leniently (they are still arriving); a finished
    run's strictly: arguments that never became a JSON object raise ``ValueError``."""
    final = is_final(response)
    selections = [
        ToolSelection(
            tool_id=block.tool_call_id or "",
            tool_name=block.tool_name,
            tool_kwargs=(
                _final_kwargs(block.tool_name, block.tool_call_id, block.tool_kwargs)
                if final
                else parse_tool_kwargs(block.tool_kwargs)
            ),
        )
        for block in response.message.blocks
        if isinstance(block, ToolCallBlock)
    ]
    if not selections:
        try:
            legacy = openai_tool_calls(response.message.additional_kwargs.get("tool_calls"))
        except ValueError:
            legacy = ()  # another integration's shape: no calls we can read
        selections = [
            ToolSelection(
                tool_id=call.id, tool_name=call.name, tool_kwargs=parse_tool_kwargs(call.arguments)
            )
            for call in legacy
        ]
    if not selections and error_on_no_tool_call:
        raise ValueError(
            "Expected at least one tool call, but the model replied with text only: "
            f"{(response.message.content or '')[:200]!r}"
        )
    return selections
