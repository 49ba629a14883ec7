"""Every rule the service would enforce on a call's options, checked before anything is sent
(so a bad value fails with a message naming the field and the fix, not a service error code)."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Mapping, Sequence

from .._catalog import model_info
from .._types import Api, Message, RunOptions, ToolChoice, ToolSpec

__all__ = [
    "CHAT_COMPLETIONS_MAX_MESSAGES",
    "check_chat_completions_history",
    "check_images",
    "check_tools_supported",
    "resolve_tool_choice",
    "validate_options",
]

#: ChatCompletions ``Messages`` holds at most 40 messages (Tencent's SDK); RunThread's threads
#: have no such limit, since each run sends only what the thread lacks.
CHAT_COMPLETIONS_MAX_MESSAGES = 40

_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def check_tools_supported(model: str, api: Api, has_tools: bool) -> None:
    """Refuse tools for a model the catalog knows ignores them on ``api`` (the service would
    drop them silently); a model it does not know is sent with its tools."""
    if has_tools and not model_info(model, api).tools:
        raise ValueError(
            f"model {model!r} ignores tools on Hunyuan's {api} API; tools work on the "
            "hunyuan-turbos, hunyuan-t1 and hunyuan-functioncall families (and hunyuan-pro and "
            "hunyuan-turbo). Pick one of those models to use tools."
        )


def check_images(history: Sequence[Message], options: RunOptions) -> None:
    """Images go only where they can: user messages, on ChatCompletions or the OpenAI-compatible
    endpoint, to a model that takes them (one the catalog does not know is sent as is)."""
    for i, message in enumerate(history):
        if not message.images:
            continue
        if options.api == "run_thread":
            raise ValueError(
                f"messages[{i}] has an image, but RunThread carries text only. Use "
                "api='chat_completions' (a SecretId/SecretKey pair) or api='openai' (an API "
                "KEY) with a vision model such as hunyuan-turbos-vision or hunyuan-vision."
            )
        if message.role != "user":
            raise ValueError(
                f"messages[{i}] is a {message.role} message with an image; Hunyuan takes "
                "images in user messages only."
            )
        for url in message.images:
            if not url.startswith(("https://", "http://", "data:image/")):
                raise ValueError(
                    f"messages[{i}] has an image that is neither an http(s) URL nor a "
                    f"data:image/... URI ({url[:40]!r}...)."
                )
        info = model_info(options.model, options.api)
        if info.known and not info.vision:
            raise ValueError(
                f"model {options.model!r} does not take images; use a vision model such as "
                "hunyuan-turbos-vision, hunyuan-t1-vision or hunyuan-vision."
            )


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


_SEARCH_FIELDS = (
    "enable_enhancement",
    "force_search_enhancement",
    "citation",
    "enable_speed_search",
    "search_info",
)
_SWITCHES = (*_SEARCH_FIELDS, "stream_moderation")

# The request fields the plugin models, by wire name (API 3.0's and the OpenAI-compatible
# endpoint's), and the setting or argument that sets each: pass-through may not override them.
_MODELLED = {
    "Model": "model",
    "model": "model",
    "Messages": "the messages",
    "messages": "the messages",
    "AdditionalMessages": "the messages",
    "ThreadID": "thread_id",
    "Stream": "the call (stream or invoke)",
    "stream": "the call (stream or invoke)",
    "stream_options": "the call (stream or invoke)",
    "Temperature": "temperature",
    "TopP": "top_p",
    "top_p": "top_p",
    "MaxCompletionTokens": "max_tokens",
    "max_completion_tokens": "max_tokens",
    "MaxPromptTokens": "max_prompt_tokens",
    "Stop": "stop",
    "Seed": "seed",
    "Tools": "tools (bind_tools / chat_with_tools)",
    "ToolChoice": "tool_choice",
    "CustomTool": "tool_choice",
    "EnableEnhancement": "enable_enhancement",
    "ForceSearchEnhancement": "force_search_enhancement",
    "Citation": "citation",
    "EnableSpeedSearch": "enable_speed_search",
    "SearchInfo": "search_info",
    "StreamModeration": "stream_moderation",
}

# Fields only some APIs have: a value set for another API is refused (never silently dropped).
_ONLY_ON: dict[str, tuple[tuple[Api, ...], str]] = {
    "seed": (
        ("chat_completions", "openai"),
        "seed is a ChatCompletions field; RunThread has no Seed. "
        "Use api='chat_completions' (or 'openai') or drop seed.",
    ),
    "max_prompt_tokens": (
        ("run_thread",),
        "max_prompt_tokens is a RunThread field; {api} has no MaxPromptTokens. "
        "Use api='run_thread' or drop max_prompt_tokens.",
    ),
    "thread_id": (
        ("run_thread",),
        "thread_id pins a RunThread thread; {api} has no threads. "
        "Use api='run_thread' or drop thread_id.",
    ),
    **{
        name: (
            ("chat_completions", "openai"),
            f"{name} (search enhancement) is a ChatCompletions and OpenAI-compatible field; "
            "RunThread has none. Use api='chat_completions' or 'openai', or drop it.",
        )
        for name in _SEARCH_FIELDS
    },
    "stream_moderation": (
        ("chat_completions",),
        "stream_moderation is a ChatCompletions field (StreamModeration); {api} has none. Use "
        "api='chat_completions' or drop stream_moderation.",
    ),
    "reasoning_effort": (
        ("openai",),
        "reasoning_effort is a field of the OpenAI-compatible endpoint (Hy3 on TokenHub); {api} "
        "has none. Use api='openai' or drop reasoning_effort.",
    ),
}
_API_NAMES = {"run_thread": "RunThread", "chat_completions": "ChatCompletions", "openai": "OpenAI"}


def validate_options(options: RunOptions) -> None:
    """Every rule the service would enforce, checked before sending. Raises ValueError."""
    if not isinstance(options.model, str) or not options.model:
        raise ValueError("model must be a non-empty string such as 'hunyuan-turbo'")
    if options.api not in _API_NAMES:
        raise ValueError(
            f"api must be one of {', '.join(map(repr, _API_NAMES))}; got {options.api!r}"
        )
    _check_number("temperature", options.temperature, 0.0, 2.0, "Temperature")
    _check_number("top_p", options.top_p, 0.0, 1.0, "TopP")
    _check_count("max_tokens", options.max_tokens, "MaxCompletionTokens")
    _check_count("max_prompt_tokens", options.max_prompt_tokens, "MaxPromptTokens")
    names = [t.name for t in options.tools]
    for i, tool in enumerate(options.tools):
        _check_tool(i, tool)
    if len(set(names)) != len(names):
        raise ValueError(f"tool names must be unique; got {names}")
    check_tools_supported(options.model, options.api, bool(options.tools))
    if options.tool_choice not in (None, "auto", "none", "custom"):
        raise ValueError(
            f"tool_choice must be 'auto', 'none' or 'custom'; got {options.tool_choice!r}"
        )
    if options.tool_choice == "custom" and not options.tools:
        raise ValueError("tool_choice='custom' needs at least one tool")
    if options.forced_tool is not None and options.forced_tool not in names:
        raise ValueError(f"forced_tool {options.forced_tool!r} is not one of the tools {names}")
    if options.parallel_tool_calls not in (None, True, False):
        raise ValueError(
            f"parallel_tool_calls must be True, False or None; got {options.parallel_tool_calls!r}"
        )
    for stop in options.stop:
        if not isinstance(stop, str) or not stop:
            raise ValueError(f"stop sequences must be non-empty strings; got {stop!r}")
    for field, (apis, message) in _ONLY_ON.items():
        if getattr(options, field) is not None and options.api not in apis:
            raise ValueError(message.format(api=_API_NAMES[options.api]))
    if options.seed is not None and (
        isinstance(options.seed, bool)
        or not isinstance(options.seed, int)
        or not 1 <= options.seed <= 10000
    ):
        raise ValueError(f"seed must be an integer in [1, 10000] (Seed); got {options.seed!r}")
    for switch in _SWITCHES:
        value = getattr(options, switch)
        if value is not None and not isinstance(value, bool):
            raise ValueError(f"{switch} must be True or False; got {value!r}")
    _check_extra_fields(options)
    if options.reasoning_effort is not None and options.reasoning_effort not in _EFFORTS:
        raise ValueError(
            f"reasoning_effort must be one of {', '.join(_EFFORTS)}; "
            f"got {options.reasoning_effort!r}"
        )


#: OpenAI's values; TokenHub documents "low" and "high" for Hy3.
_EFFORTS = ("low", "medium", "high")


_OPTION_NAMES = frozenset(f.name for f in dataclasses.fields(RunOptions))


def _check_extra_fields(options: RunOptions) -> None:
    for key in options.extra_fields:
        if not isinstance(key, str) or not key:
            raise ValueError(f"model_kwargs keys must be field names (strings); got {key!r}")
        setting = _MODELLED.get(key) or (key if key in _OPTION_NAMES else None)
        if setting is not None:
            raise ValueError(
                f"model_kwargs[{key!r}] is a field this plugin sets itself; use {setting} "
                "instead (model_kwargs is for fields it does not model yet)."
            )
