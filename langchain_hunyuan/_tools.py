"""Tools and response formats: LangChain/OpenAI shapes → core ``ToolSpec`` and instructions."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool

from hunyuan_api import Message, ToolChoice, ToolSpec
from hunyuan_api.adapter import resolve_tool_choice

__all__ = [
    "apply_response_format",
    "format_tools",
    "json_instruction",
    "resolve_choice",
    "tool_specs",
]

ToolLike = Mapping[str, Any] | type | Callable[..., Any] | BaseTool


def format_tools(tools: Sequence[ToolLike], *, strict: bool | None = None) -> list[dict[str, Any]]:
    """Anything ``convert_to_openai_tool`` accepts, as OpenAI function tools. Hunyuan has no
    built-in tools, so a non-function tool (e.g. ``{"type": "web_search_preview"}``) is refused."""
    formatted: list[dict[str, Any]] = []
    for i, tool in enumerate(tools):
        converted = convert_to_openai_tool(tool, strict=strict)
        if converted.get("type") != "function" or "function" not in converted:
            raise ValueError(
                f"tools[{i}] ({converted.get('type')!r}) is not a function tool; Hunyuan "
                "calls only functions you define."
            )
        formatted.append(converted)
    return formatted


def tool_specs(formatted: Sequence[Mapping[str, Any]]) -> tuple[ToolSpec, ...]:
    """OpenAI function tools (as bound by ``bind_tools``) → core tool specs."""
    specs: list[ToolSpec] = []
    for tool in formatted:
        function = tool.get("function", tool)
        parameters = function.get("parameters") or {"type": "object", "properties": {}}
        specs.append(
            ToolSpec(
                name=function["name"],
                description=function.get("description") or "",
                parameters=parameters,
            )
        )
    return tuple(specs)


def resolve_choice(
    choice: object, specs: Sequence[ToolSpec]
) -> tuple[ToolChoice | None, str | None]:
    return resolve_tool_choice(choice, [spec.name for spec in specs])


def json_instruction(schema: Mapping[str, Any] | None) -> str:
    """RunThread has no response format, so JSON output is asked for in words (and the
    schema, when there is one)."""
    text = (
        "Respond with a single JSON object only: no prose, no Markdown, no code fences before "
        "or after it."
    )
    if schema:
        rendered = json.dumps(schema, ensure_ascii=False, indent=2)
        text += f" The object must conform to this JSON Schema:\n```json\n{rendered}\n```"
    return text


def _format_schema(response_format: object) -> Mapping[str, Any] | None:
    """``{"type": "json_object"}`` → None; ``{"type": "json_schema", "json_schema":
    {"schema": ...}}`` or a pydantic class / TypedDict → its JSON Schema; else refused."""
    if isinstance(response_format, type):
        return convert_to_json_schema(response_format)
    if isinstance(response_format, Mapping):
        kind = response_format.get("type")
        if kind == "json_object":
            return None
        if kind == "json_schema":
            spec = response_format.get("json_schema")
            schema = spec.get("schema") if isinstance(spec, Mapping) else None
            if isinstance(schema, Mapping):
                return schema
    raise ValueError(
        "response_format must be {'type': 'json_object'}, {'type': 'json_schema', "
        "'json_schema': {'schema': {...}}} or a pydantic class / TypedDict; "
        f"got {response_format!r}"
    )


def apply_response_format(history: list[Message], response_format: object) -> list[Message]:
    """The history with the JSON instruction after its leading system messages (the core joins
    those into one system prompt)."""
    instruction = Message("system", json_instruction(_format_schema(response_format)))
    lead = 0
    while lead < len(history) and history[lead].role == "system":
        lead += 1
    return [*history[:lead], instruction, *history[lead:]]
