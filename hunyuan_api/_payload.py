"""Request bodies for RunThread and ChatCompletions, validated before anything is sent."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ._types import Api, Message, RunOptions, ToolCall, ToolChoice, ToolSpec

__all__ = [
    "API_VERSION",
    "CHAT_COMPLETIONS_MAX_MESSAGES",
    "CHAT_COMPLETIONS_TOOL_MODELS",
    "NO_TOOL_MODELS",
    "RUN_THREAD_MODELS",
    "TOOL_MODELS",
    "build_chat_completions_body",
    "build_run_thread_body",
    "check_chat_completions_history",
    "check_tools_supported",
    "encode_json",
    "render_thread_message",
    "resolve_tool_choice",
    "supports_tools",
    "tool_to_wire",
    "validate_options",
]

API_VERSION = "2023-09-01"

RUN_THREAD_MODELS = frozenset(
    {
        "hunyuan-lite",
        "hunyuan-standard",
        "hunyuan-standard-256K",
        "hunyuan-pro",
        "hunyuan-code",
        "hunyuan-role",
        "hunyuan-functioncall",
        "hunyuan-vision",
        "hunyuan-turbo",
    }
)
#: RunThread honours Tools/ToolChoice only on these; it silently ignores them elsewhere.
TOOL_MODELS = frozenset({"hunyuan-pro", "hunyuan-turbo", "hunyuan-functioncall"})
NO_TOOL_MODELS = RUN_THREAD_MODELS - TOOL_MODELS
#: ChatCompletions also serves newer models; these take tools there (Tencent's SDK: the
#: hunyuan-turbos, hunyuan-t1 and hunyuan-functioncall families, besides TOOL_MODELS).
CHAT_COMPLETIONS_TOOL_MODELS = TOOL_MODELS | frozenset(
    {
        "hunyuan-turbo-latest",
        "hunyuan-turbos-latest",
        "hunyuan-turbos-20250313",
        "hunyuan-t1-latest",
        "hunyuan-a13b",
    }
)
#: ChatCompletions ``Messages`` holds at most 40 messages (Tencent's SDK); RunThread's threads
#: have no such limit, since each run sends only what the thread lacks.
CHAT_COMPLETIONS_MAX_MESSAGES = 40

_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_REPLAY_OPEN = "<tool_calls>"
_REPLAY_CLOSE = "</tool_calls>"
#: Tool results must have non-empty Content on the wire.
EMPTY_TOOL_RESULT = "(no output)"


def check_tools_supported(model: str, has_tools: bool) -> None:
    if has_tools and model in NO_TOOL_MODELS:
        raise ValueError(
            f"model {model!r} ignores tools on Hunyuan (only {', '.join(sorted(TOOL_MODELS))} "
            "honour Tools and ToolChoice). Pick one of those models to use tools."
        )


def supports_tools(model: str, api: Api = "run_thread") -> bool:
    """Whether the service honours Tools for ``model`` on ``api`` (unknown models: False)."""
    return model in (CHAT_COMPLETIONS_TOOL_MODELS if api == "chat_completions" else TOOL_MODELS)


def check_chat_completions_history(history: Sequence[Message]) -> None:
    """ChatCompletions' own limit on a (normalized) history, checked before sending."""
    if len(history) > CHAT_COMPLETIONS_MAX_MESSAGES:
        raise ValueError(
            f"the conversation has {len(history)} messages, but ChatCompletions accepts at most "
            f"{CHAT_COMPLETIONS_MAX_MESSAGES} (Messages). Trim the history (for example with "
            "LangChain's trim_messages or a LlamaIndex memory token limit), or use "
            "api='run_thread', whose threads keep the history on the service."
        )


def resolve_tool_choice(
    choice: object, tool_names: Sequence[str]
) -> tuple[ToolChoice | None, str | None]:
    """A LangChain/LlamaIndex/OpenAI-style tool choice → (ToolChoice, the one forced tool).

    "auto" → auto; "none" → none; "any", "required", True → custom (any bound tool);
    a tool's name or {"type": "function", "function": {"name": ...}} → custom with that tool;
    None/False → omitted.
    """
    if choice is None or choice is False:
        return None, None
    name: object = None
    if choice is True or choice in ("any", "required"):
        kind: str = "any"
    elif choice in ("auto", "none"):
        return choice, None
    elif isinstance(choice, str):
        kind, name = "named", choice
    elif isinstance(choice, Mapping):
        ctype = choice.get("type")
        if ctype in ("auto", "none"):
            return ctype, None
        if ctype in ("any", "required"):
            kind = "any"
        else:
            fn = choice.get("function")
            name = fn.get("name") if isinstance(fn, Mapping) else choice.get("name")
            kind = "named"
    else:
        raise ValueError(
            f"tool_choice must be 'auto', 'none', 'any', 'required', True/False, None, or a tool "
            f"name; got {choice!r}"
        )
    if not tool_names:
        raise ValueError(f"tool_choice={choice!r} needs at least one bound tool")
    if kind == "any":
        return "custom", None
    if not isinstance(name, str) or name not in tool_names:
        raise ValueError(
            f"tool_choice names {name!r}, which is not a bound tool "
            f"(bound: {', '.join(tool_names)}). Use one of those names, 'auto', 'none' or 'any'."
        )
    return "custom", name


def _check_number(field: str, value: float | None, low: float, high: float, wire: str) -> None:
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or math.isnan(value)
        or not low <= value <= high
    ):
        raise ValueError(f"{field} must be a number in [{low}, {high}] ({wire}); got {value!r}")


def _check_count(field: str, value: int | None, wire: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(
            f"{field} must be a non-negative integer ({wire}; 0 = no limit); got {value!r}"
        )


def _check_tool(i: int, tool: ToolSpec) -> None:
    if not isinstance(tool.name, str) or not _TOOL_NAME.match(tool.name):
        raise ValueError(
            f"tools[{i}].name {tool.name!r} is not allowed: Hunyuan tool names may contain only "
            "letters, digits, '_' and '-' (^[A-Za-z0-9_-]+$). Rename the tool."
        )
    if not isinstance(tool.description, str):
        raise ValueError(f"tools[{i}].description must be a string")
    if not isinstance(tool.parameters, Mapping):
        raise ValueError(f"tools[{i}].parameters must be a JSON Schema object (a dict)")
    try:
        # allow_nan=False: NaN and Infinity are not JSON, and Parameters travels as JSON text.
        json.dumps(tool.parameters, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"tools[{i}].parameters is not JSON-serializable: {exc}") from exc
    kind = tool.parameters.get("type", "object")
    if kind != "object":
        raise ValueError(
            f"tools[{i}].parameters must be a JSON Schema of type 'object' (a tool's arguments "
            f"are an object); got type {kind!r}"
        )


def validate_options(options: RunOptions) -> None:
    """Every rule the service would enforce, checked before sending. Raises ValueError."""
    if not isinstance(options.model, str) or not options.model:
        raise ValueError("model must be a non-empty string such as 'hunyuan-turbo'")
    if options.api not in ("run_thread", "chat_completions"):
        raise ValueError(f"api must be 'run_thread' or 'chat_completions'; got {options.api!r}")
    _check_number("temperature", options.temperature, 0.0, 2.0, "Temperature")
    _check_number("top_p", options.top_p, 0.0, 1.0, "TopP")
    _check_count("max_tokens", options.max_tokens, "MaxCompletionTokens")
    _check_count("max_prompt_tokens", options.max_prompt_tokens, "MaxPromptTokens")
    names = [t.name for t in options.tools]
    for i, tool in enumerate(options.tools):
        _check_tool(i, tool)
    if len(set(names)) != len(names):
        raise ValueError(f"tool names must be unique; got {names}")
    check_tools_supported(options.model, bool(options.tools))
    if options.tool_choice not in (None, "auto", "none", "custom"):
        raise ValueError(
            f"tool_choice must be 'auto', 'none' or 'custom'; got {options.tool_choice!r}"
        )
    if options.tool_choice == "custom" and not options.tools:
        raise ValueError("tool_choice='custom' needs at least one tool")
    if options.forced_tool is not None and options.forced_tool not in names:
        raise ValueError(f"forced_tool {options.forced_tool!r} is not one of the tools {names}")
    for stop in options.stop:
        if not isinstance(stop, str) or not stop:
            raise ValueError(f"stop sequences must be non-empty strings; got {stop!r}")
    if options.api == "run_thread":
        if options.seed is not None:
            raise ValueError(
                "seed is a ChatCompletions field; RunThread has no Seed. "
                "Use api='chat_completions' or drop seed."
            )
    else:
        if options.seed is not None and (
            isinstance(options.seed, bool)
            or not isinstance(options.seed, int)
            or not 1 <= options.seed <= 10000
        ):
            raise ValueError(f"seed must be an integer in [1, 10000] (Seed); got {options.seed!r}")
        if options.max_prompt_tokens is not None:
            raise ValueError(
                "max_prompt_tokens is a RunThread field; ChatCompletions has no MaxPromptTokens. "
                "Use api='run_thread' or drop max_prompt_tokens."
            )
        if options.thread_id is not None:
            raise ValueError(
                "thread_id pins a RunThread thread; ChatCompletions has no threads. "
                "Use api='run_thread' or drop thread_id."
            )


def tool_to_wire(tool: ToolSpec) -> dict[str, Any]:
    function: dict[str, Any] = {
        "Name": tool.name,
        "Parameters": json.dumps(tool.parameters, ensure_ascii=False),
    }
    if tool.description:
        function["Description"] = tool.description
    return {"Type": "function", "Function": function}


def _replay_arguments(call: ToolCall) -> Any:
    try:
        return call.parsed_arguments()
    except ValueError:
        return call.arguments


def render_thread_message(message: Message) -> dict[str, Any]:
    """RunThread messages carry only Role and Content (protocol §4.2 for tool calls)."""
    content = message.content
    if message.role == "assistant" and message.tool_calls:
        calls = [
            {"id": c.id, "name": c.name, "arguments": _replay_arguments(c)}
            for c in message.tool_calls
        ]
        # "<" as \u003c: the JSON can never contain the markup's own tags, so the block is
        # unambiguous even when arguments or the text before it mention them.
        payload = json.dumps(calls, ensure_ascii=False).replace("<", "\\u003c")
        markup = f"{_REPLAY_OPEN}{payload}{_REPLAY_CLOSE}"
        content = f"{content}\n{markup}" if content else markup
    elif message.role == "tool" and not content.strip():
        content = EMPTY_TOOL_RESULT
    return {"Role": message.role, "Content": content}


def _set_sampling(body: dict[str, Any], options: RunOptions) -> None:
    if options.temperature is not None:
        body["Temperature"] = float(options.temperature)
    if options.top_p is not None:
        body["TopP"] = float(options.top_p)


def build_run_thread_body(
    thread_id: str, messages: Sequence[Message], options: RunOptions
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ThreadID": thread_id,
        "Model": options.model,
        "AdditionalMessages": [render_thread_message(m) for m in messages],
        "Stream": True,
    }
    _set_sampling(body, options)
    if options.max_prompt_tokens is not None:
        body["MaxPromptTokens"] = options.max_prompt_tokens
    if options.max_tokens is not None:
        body["MaxCompletionTokens"] = options.max_tokens
    tools = options.tools
    if options.forced_tool is not None:
        # RunThread has no CustomTool: offering only the named tool makes `custom` pick it.
        tools = tuple(t for t in tools if t.name == options.forced_tool)
    if tools:
        body["Tools"] = [tool_to_wire(t) for t in tools]
    if options.tool_choice is not None:
        body["ToolChoice"] = options.tool_choice
    return body


def render_chat_message(message: Message, call_id: str | None = None) -> dict[str, Any]:
    """ChatCompletions carries tool calls and call ids natively (``call_id``: the id a tool
    result answers when the message itself has none)."""
    out: dict[str, Any] = {"Role": message.role, "Content": message.content}
    if message.role == "assistant" and message.tool_calls:
        out["ToolCalls"] = [
            {
                "Id": c.id,
                "Type": "function",
                "Function": {"Name": c.name, "Arguments": c.arguments or "{}"},
                "Index": i,
            }
            for i, c in enumerate(message.tool_calls)
        ]
    elif message.role == "tool":
        if not message.content.strip():
            out["Content"] = EMPTY_TOOL_RESULT
        if message.tool_call_id or call_id:
            out["ToolCallId"] = message.tool_call_id or call_id
    return out


def _render_chat_messages(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """Every message; a tool result without a call id (histories written for RunThread, which
    needs none) answers the call in the same position of the assistant turn before it."""
    out: list[dict[str, Any]] = []
    calls: tuple[ToolCall, ...] = ()
    position = 0
    for message in messages:
        call_id = None
        if message.role == "tool":
            if position < len(calls):
                call_id = calls[position].id or None
            position += 1
        else:
            calls = message.tool_calls if message.role == "assistant" else ()
            position = 0
        out.append(render_chat_message(message, call_id))
    return out


def build_chat_completions_body(
    messages: Sequence[Message], options: RunOptions, *, stream: bool
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Model": options.model,
        "Messages": _render_chat_messages(messages),
        "Stream": stream,
    }
    _set_sampling(body, options)
    if options.tools:
        body["Tools"] = [tool_to_wire(t) for t in options.tools]
    if options.tool_choice is not None:
        body["ToolChoice"] = options.tool_choice
        if options.tool_choice == "custom":
            # ChatCompletions' custom always names one tool (CustomTool is required with it);
            # there is no "some tool, the model's pick". A named choice is exact. "any" with one
            # tool is exact too; with several it forces the first: a tool call is still
            # guaranteed (what "any"/"required" promise), the model just cannot pick which.
            # RunThread's custom lets the model pick; docs/transports.md says so.
            forced = options.forced_tool or options.tools[0].name
            spec = next(t for t in options.tools if t.name == forced)
            body["CustomTool"] = tool_to_wire(spec)
    if options.stop:
        body["Stop"] = list(options.stop)
    if options.seed is not None:
        body["Seed"] = options.seed
    return body


def encode_json(body: Mapping[str, Any]) -> bytes:
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates cannot be UTF-8; JSON's \\u escapes carry them intact.
        return json.dumps(body, separators=(",", ":")).encode("ascii")
