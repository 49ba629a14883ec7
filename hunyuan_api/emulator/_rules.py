"""Request validation: each broken rule becomes the error code the service answers with.

Checks run in the service's order: unknown fields (``UnknownParameter``), then missing
fields (``MissingParameter``) and wrong JSON types (``InvalidParameter``), then values
(``InvalidParameterValue*``). Thread-dependent checks (``ResourceNotFound``, the active-run
lock, message order across stored and new messages) run later, against the thread.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._model import ConvMessage, ToolCallSpec, ToolSpec

__all__ = [
    "CHAT_MODELS",
    "CHAT_TOOL_MODELS",
    "RUN_THREAD_MODELS",
    "RUN_TOOL_MODELS",
    "ChatRequest",
    "RuleError",
    "RunRequest",
    "check_order",
    "is_reasoning_model",
    "parse_json_body",
    "parse_replay_tool_calls",
    "validate_chat",
    "validate_create_thread",
    "validate_get_thread",
    "validate_get_thread_message",
    "validate_get_token_count",
    "validate_message_list",
    "validate_run_thread",
]

RUN_THREAD_MODELS: tuple[str, ...] = (
    "hunyuan-lite",
    "hunyuan-standard",
    "hunyuan-standard-256K",
    "hunyuan-pro",
    "hunyuan-code",
    "hunyuan-role",
    "hunyuan-functioncall",
    "hunyuan-vision",
    "hunyuan-turbo",
)
RUN_TOOL_MODELS = frozenset({"hunyuan-pro", "hunyuan-turbo", "hunyuan-functioncall"})
DEFAULT_RUN_MODEL = "hunyuan-turbo"

CHAT_MODELS: tuple[str, ...] = (
    *RUN_THREAD_MODELS,
    "hunyuan-turbo-latest",
    "hunyuan-turbos-latest",
    "hunyuan-turbos-20250313",
    "hunyuan-turbos-longtext-128k-20250325",
    "hunyuan-turbo-vision",
    "hunyuan-turbos-vision",
    "hunyuan-t1-latest",
    "hunyuan-t1-vision",
    "hunyuan-a13b",
    "hunyuan-large",
    "hunyuan-large-longcontext",
    "hunyuan-large-role-latest",
    "hunyuan-standard-vision",
    "hunyuan-lite-vision",
    "hunyuan-role-latest",
)
CHAT_TOOL_MODELS = frozenset(
    {
        *RUN_TOOL_MODELS,
        "hunyuan-turbo-latest",
        "hunyuan-turbos-latest",
        "hunyuan-turbos-20250313",
        "hunyuan-t1-latest",
        "hunyuan-a13b",
    }
)
MAX_CHAT_MESSAGES = 40
ROLES = ("system", "user", "assistant", "tool")
_TOOL_NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_REPLAY_OPEN, _REPLAY_CLOSE = "<tool_calls>", "</tool_calls>"


def is_reasoning_model(model: str) -> bool:
    return "t1" in model or "a13b" in model


class RuleError(Exception):
    """A request the service refuses; ``code`` and ``message`` go on the wire."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


# --------------------------------------------------------------------------- field specs


@dataclass(frozen=True)
class _F:
    kind: str  # str | bool | int | float | list | obj
    required: bool = False
    item: _F | None = None
    fields: Mapping[str, _F] = field(default_factory=dict)


_KIND_NAMES = {
    "str": "String",
    "bool": "Boolean",
    "int": "Integer",
    "float": "Float",
    "list": "Array",
    "obj": "Object",
}

_TOOL_SPEC = _F(
    "obj",
    fields={
        "Type": _F("str", required=True),
        "Function": _F(
            "obj",
            required=True,
            fields={
                "Name": _F("str", required=True),
                "Description": _F("str"),
                "Parameters": _F("str", required=True),
            },
        ),
    },
)

_RUN_THREAD_SPEC = _F(
    "obj",
    fields={
        "ThreadID": _F("str", required=True),
        "AssistantID": _F("str"),
        "Model": _F("str"),
        "AdditionalMessages": _F(
            "list",
            item=_F(
                "obj",
                fields={
                    "Role": _F("str", required=True),
                    "Content": _F("str", required=True),
                    "Attachments": _F(
                        "list", item=_F("obj", fields={"FileID": _F("str", required=True)})
                    ),
                },
            ),
        ),
        "Temperature": _F("float"),
        "TopP": _F("float"),
        "Stream": _F("any"),
        "MaxPromptTokens": _F("int"),
        "MaxCompletionTokens": _F("int"),
        "Tools": _F("list", item=_TOOL_SPEC),
        "ToolChoice": _F("str"),
    },
)

_CHAT_MESSAGE_SPEC = _F(
    "obj",
    fields={
        "Role": _F("str", required=True),
        "Content": _F("str"),
        "Contents": _F(
            "list",
            item=_F(
                "obj",
                fields={
                    "Type": _F("str", required=True),
                    "Text": _F("str"),
                    "ImageUrl": _F("obj", fields={"Url": _F("str", required=True)}),
                    "VideoUrl": _F(
                        "obj", fields={"Url": _F("str", required=True), "Fps": _F("float")}
                    ),
                    "VideoFrames": _F("obj", fields={"Frames": _F("list", item=_F("str"))}),
                },
            ),
        ),
        "ToolCallId": _F("str"),
        "ToolCalls": _F(
            "list",
            item=_F(
                "obj",
                fields={
                    "Id": _F("str", required=True),
                    "Type": _F("str", required=True),
                    "Function": _F(
                        "obj",
                        required=True,
                        fields={"Name": _F("str", required=True), "Arguments": _F("str")},
                    ),
                    "Index": _F("int"),
                },
            ),
        ),
        "FileIDs": _F("list", item=_F("str")),
        "ReasoningContent": _F("str"),
    },
)

_CHAT_SPEC = _F(
    "obj",
    fields={
        "Model": _F("str", required=True),
        "Messages": _F("list", required=True, item=_CHAT_MESSAGE_SPEC),
        "Stream": _F("bool"),
        "StreamModeration": _F("bool"),
        "TopP": _F("float"),
        "Temperature": _F("float"),
        "EnableEnhancement": _F("bool"),
        "Tools": _F("list", item=_TOOL_SPEC),
        "ToolChoice": _F("str"),
        "CustomTool": _TOOL_SPEC,
        "SearchInfo": _F("bool"),
        "Citation": _F("bool"),
        "EnableSpeedSearch": _F("bool"),
        "EnableMultimedia": _F("bool"),
        "EnableDeepSearch": _F("bool"),
        "Seed": _F("int"),
        "ForceSearchEnhancement": _F("bool"),
        "Stop": _F("list", item=_F("str")),
        "EnableRecommendedQuestions": _F("bool"),
        "EnableDeepRead": _F("bool"),
        "WebSearchOptions": _F(
            "obj",
            fields={
                "Knowledge": _F("list", item=_F("obj", fields={"Text": _F("str")})),
                "UserLocation": _F(
                    "obj",
                    fields={
                        "Type": _F("str"),
                        "Approximate": _F(
                            "obj",
                            fields={
                                k: _F("str")
                                for k in ("Country", "City", "Region", "Timezone", "Address")
                            },
                        ),
                    },
                ),
                "Processes": _F("bool"),
                "EnableImage": _F("bool"),
                "EnableMusic": _F("bool"),
            },
        ),
        "TopicChoice": _F("str"),
        "EnableThinking": _F("bool"),
    },
)

_CREATE_THREAD_SPEC = _F("obj")
_GET_THREAD_SPEC = _F("obj", fields={"ThreadID": _F("str", required=True)})
_GET_THREAD_MESSAGE_SPEC = _F(
    "obj", fields={"ThreadID": _F("str", required=True), "MessageID": _F("str", required=True)}
)
_MESSAGE_LIST_SPEC = _F(
    "obj",
    fields={"ThreadID": _F("str", required=True), "Limit": _F("int"), "Order": _F("str")},
)
_GET_TOKEN_COUNT_SPEC = _F("obj", fields={"Prompt": _F("str", required=True)})


def _join(path: str, key: str | int) -> str:
    return f"{path}.{key}" if path else str(key)


def _check_unknown(value: Any, spec: _F, path: str) -> None:
    if spec.kind == "obj" and isinstance(value, dict):
        for key, sub in value.items():
            if key not in spec.fields:
                raise RuleError(
                    "UnknownParameter", f"The parameter `{_join(path, key)}` is not recognized."
                )
            _check_unknown(sub, spec.fields[key], _join(path, key))
    elif spec.kind == "list" and isinstance(value, list) and spec.item is not None:
        for index, item in enumerate(value):
            _check_unknown(item, spec.item, _join(path, index))


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "any":
        return True
    if kind == "str":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    return isinstance(value, dict)


def _check_types(value: Any, spec: _F, path: str) -> None:
    if not _type_ok(value, spec.kind):
        raise RuleError(
            "InvalidParameter",
            f"The type of parameter `{path}` must be {_KIND_NAMES.get(spec.kind, spec.kind)}.",
        )
    if spec.kind == "obj":
        for key, sub in spec.fields.items():
            if key not in value:
                if sub.required:
                    raise RuleError(
                        "MissingParameter", f"The parameter `{_join(path, key)}` is missing."
                    )
                continue
            _check_types(value[key], sub, _join(path, key))
    elif spec.kind == "list" and spec.item is not None:
        for index, item in enumerate(value):
            _check_types(item, spec.item, _join(path, index))


def _check(body: dict[str, Any], spec: _F) -> None:
    _check_unknown(body, spec, "")
    _check_types(body, spec, "")


def _bad(path: str, why: str, code: str = "InvalidParameterValue") -> RuleError:
    return RuleError(code, f"The value of parameter `{path}` is invalid: {why}")


def _range(body: dict[str, Any], key: str, lo: float, hi: float) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number) or not lo <= number <= hi:
        raise _bad(key, f"{value!r} is outside [{lo}, {hi}].")
    return number


def _non_negative(body: dict[str, Any], key: str) -> int:
    value = body.get(key, 0)
    assert isinstance(value, int)
    if value < 0:
        raise _bad(key, f"{value} is negative; use 0 for no limit.")
    return value


def parse_json_body(raw: bytes) -> dict[str, Any]:
    """The request body as a JSON object; NaN/Infinity and non-objects are refused."""

    def refuse(token: str) -> Any:
        raise ValueError(f"{token} is not JSON")

    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=refuse)
    except (UnicodeDecodeError, ValueError):
        raise RuleError("InvalidParameter", "The request body is not valid UTF-8 JSON.") from None
    if not isinstance(value, dict):
        raise RuleError("InvalidParameter", "The request body must be a JSON object.")
    return value


# --------------------------------------------------------------------------- tools


def _tools(raw: list[dict[str, Any]], path: str) -> list[ToolSpec]:
    tools: list[ToolSpec] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        tools.append(_tool(item, f"{path}.{index}"))
        if tools[-1].name in seen:
            raise _bad(f"{path}.{index}.Function.Name", f"duplicate tool name {tools[-1].name!r}.")
        seen.add(tools[-1].name)
    return tools


def _tool(item: dict[str, Any], path: str) -> ToolSpec:
    if item["Type"] != "function":
        raise _bad(f"{path}.Type", f"{item['Type']!r}; only 'function' is supported.")
    function = item["Function"]
    name = function["Name"]
    if not _TOOL_NAME_RE.match(name):
        raise _bad(f"{path}.Function.Name", f"{name!r} must match ^[A-Za-z0-9_-]+$.")
    try:
        parameters = json.loads(function["Parameters"])
    except ValueError:
        parameters = None
    if not isinstance(parameters, dict):
        raise _bad(
            f"{path}.Function.Parameters",
            "it must be a string holding a JSON object (a JSON Schema).",
        )
    if parameters.get("type", "object") != "object":
        raise _bad(f"{path}.Function.Parameters", "the schema's type must be 'object'.")
    return ToolSpec(name, function.get("Description", ""), parameters)


# --------------------------------------------------------------------------- message order


def parse_replay_tool_calls(content: str, path: str = "Content") -> tuple[ToolCallSpec, ...]:
    """Tool calls an assistant message replays as ``<tool_calls>[...]</tool_calls>`` (§4.2).

    The markup is the message's ending (the client appends it after the text); ``<tool_calls>``
    anywhere else is text the conversation happens to contain, as the service would take it.
    """
    calls: list[ToolCallSpec] = []
    end = content.rstrip()
    start = end.rfind(_REPLAY_OPEN)
    blocks = []
    if end.endswith(_REPLAY_CLOSE) and start >= 0:
        blocks.append(end[start + len(_REPLAY_OPEN) : -len(_REPLAY_CLOSE)])
    for block in blocks:
        try:
            items = json.loads(block)
        except ValueError:
            items = None
        if not isinstance(items, list) or not items:
            raise _bad(path, "the <tool_calls> block must hold a non-empty JSON array.")
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise _bad(path, 'each replayed tool call needs a string "name".')
            arguments = item.get("arguments", {})
            text = arguments if isinstance(arguments, str) else json.dumps(arguments)
            call_id = item.get("id")
            calls.append(
                ToolCallSpec(item["name"], text, call_id if isinstance(call_id, str) else "")
            )
    return tuple(calls)


def check_order(
    messages: Sequence[ConvMessage], label: Callable[[int], str], *, by_id: bool
) -> None:
    """Tencent's order rules: [system] user assistant user|tool... assistant ... user|tool.

    Tool messages take the place of a user turn and answer, one each, the calls of the
    assistant message right before them (matched by ToolCallId when ``by_id``).
    """

    def fail(index: int, rule: str) -> RuleError:
        return RuleError("InvalidParameterValue", f"{label(index)}: {rule}")

    if not messages:
        raise RuleError(
            "InvalidParameterValue", "The conversation is empty: a run needs a user message."
        )
    pending: list[ToolCallSpec] = []
    answered = 0
    answered_ids: set[str | None] = set()
    previous: ConvMessage | None = None
    for index, message in enumerate(messages):
        role = message.role
        if role == "system":
            if index != 0:
                raise fail(index, "a system message may only be the very first message.")
        elif role == "user":
            if pending and answered < len(pending):
                raise fail(
                    index,
                    f"the assistant message before made {len(pending)} tool call(s); "
                    "tool messages with their results must come before a user message.",
                )
            if previous is not None and previous.role in ("user", "tool"):
                raise fail(
                    index,
                    f"user and assistant messages must alternate; a user message cannot follow "
                    f"a {previous.role} message.",
                )
            pending, answered = [], 0
        elif role == "tool":
            if previous is None or not (
                (previous.role == "assistant" and previous.tool_calls) or previous.role == "tool"
            ):
                raise fail(
                    index,
                    "a tool message must directly follow an assistant message that made tool "
                    "calls (or another tool message).",
                )
            if answered >= len(pending):
                raise fail(
                    index,
                    f"more tool messages than the {len(pending)} tool call(s) they answer.",
                )
            if by_id:
                if message.tool_call_id not in {call.id for call in pending}:
                    raise fail(
                        index,
                        f"ToolCallId {message.tool_call_id!r} matches no tool call of the "
                        "assistant message before.",
                    )
                if message.tool_call_id in answered_ids:
                    raise fail(index, f"ToolCallId {message.tool_call_id!r} is answered twice.")
                answered_ids.add(message.tool_call_id)
            answered += 1
        elif role == "assistant":
            if previous is None or previous.role == "system":
                raise fail(index, "the conversation must start with a user message.")
            if previous.role == "assistant":
                raise fail(
                    index,
                    "user and assistant messages must alternate; two assistant messages in a row.",
                )
            if pending and answered < len(pending):
                raise fail(
                    index,
                    f"only {answered} of {len(pending)} tool call(s) have a tool message.",
                )
            pending, answered = list(message.tool_calls), 0
            answered_ids.clear()
        else:
            raise fail(index, f"Role {role!r} must be one of {', '.join(ROLES)}.")
        previous = message
    last = messages[-1]
    if last.role not in ("user", "tool"):
        raise fail(len(messages) - 1, "the conversation must end with a user or tool message.")
    if last.role == "tool" and answered < len(pending):
        raise fail(
            len(messages) - 1,
            f"only {answered} of {len(pending)} tool call(s) have a tool message.",
        )


# --------------------------------------------------------------------------- RunThread


@dataclass
class RunRequest:
    thread_id: str
    model: str
    messages: list[ConvMessage]
    raw_messages: list[dict[str, Any]]
    temperature: float | None
    top_p: float | None
    max_prompt_tokens: int
    max_completion_tokens: int
    tools: list[ToolSpec]
    raw_tools: list[dict[str, Any]]
    tool_choice: str | None

    @property
    def tools_enabled(self) -> bool:
        return self.model in RUN_TOOL_MODELS and bool(self.tools)


def validate_run_thread(body: dict[str, Any]) -> RunRequest:
    """Every RunThread rule that does not need the thread."""
    _check(body, _RUN_THREAD_SPEC)
    model = body.get("Model", DEFAULT_RUN_MODEL)
    if model not in RUN_THREAD_MODELS:
        raise RuleError(
            "InvalidParameterValue.Model",
            f"模型不存在。The model {model!r} is not one of: {', '.join(RUN_THREAD_MODELS)}.",
        )
    temperature = _range(body, "Temperature", 0.0, 2.0)
    top_p = _range(body, "TopP", 0.0, 1.0)
    if body.get("Stream") is not True:
        raise RuleError(
            "InvalidParameterValue",
            "The value of parameter `Stream` is invalid: 当前只允许 true (Stream must be true).",
        )
    max_prompt = _non_negative(body, "MaxPromptTokens")
    max_completion = _non_negative(body, "MaxCompletionTokens")
    raw_tools = body.get("Tools", [])
    tools = _tools(raw_tools, "Tools")
    tool_choice = body.get("ToolChoice")
    if tool_choice is not None and tool_choice not in ("none", "auto", "custom"):
        raise _bad("ToolChoice", f"{tool_choice!r} must be one of none, auto, custom.")
    if tool_choice == "custom" and not tools:
        raise _bad("ToolChoice", "'custom' requires Tools.")
    raw_messages = body.get("AdditionalMessages", [])
    messages: list[ConvMessage] = []
    for index, item in enumerate(raw_messages):
        path = f"AdditionalMessages.{index}"
        role, content = item["Role"], item["Content"]
        if role not in ROLES:
            raise _bad(f"{path}.Role", f"{role!r} must be one of {', '.join(ROLES)}.")
        if not content.strip():
            raise _bad(f"{path}.Content", "Content must not be empty.")
        calls = parse_replay_tool_calls(content, f"{path}.Content") if role == "assistant" else ()
        messages.append(ConvMessage(role, content, calls))
    return RunRequest(
        thread_id=body["ThreadID"],
        model=model,
        messages=messages,
        raw_messages=raw_messages,
        temperature=temperature,
        top_p=top_p,
        max_prompt_tokens=max_prompt,
        max_completion_tokens=max_completion,
        tools=tools,
        raw_tools=raw_tools,
        tool_choice=tool_choice,
    )


# --------------------------------------------------------------------------- ChatCompletions


@dataclass
class ChatRequest:
    model: str
    messages: list[ConvMessage]
    stream: bool
    tools: list[ToolSpec]
    tool_choice: str | None
    forced_tool: ToolSpec | None
    stop: list[str]
    reasoning: bool

    @property
    def tools_enabled(self) -> bool:
        return self.model in CHAT_TOOL_MODELS and (bool(self.tools) or self.forced_tool is not None)


def validate_chat(body: dict[str, Any]) -> ChatRequest:
    _check(body, _CHAT_SPEC)
    model = body["Model"]
    if model not in CHAT_MODELS:
        raise RuleError(
            "InvalidParameterValue.Model",
            f"模型不存在。The model {model!r} is not one of: {', '.join(CHAT_MODELS)}.",
        )
    _range(body, "Temperature", 0.0, 2.0)
    _range(body, "TopP", 0.0, 1.0)
    seed = body.get("Seed")
    if seed is not None and not 1 <= seed <= 10000:
        raise _bad("Seed", f"{seed} is outside 1..10000.")
    stop = body.get("Stop", [])
    for index, item in enumerate(stop):
        if not item:
            raise _bad(f"Stop.{index}", "stop strings must not be empty.")
    tools = _tools(body.get("Tools", []), "Tools")
    tool_choice = body.get("ToolChoice")
    if tool_choice is not None and tool_choice not in ("none", "auto", "custom"):
        raise _bad("ToolChoice", f"{tool_choice!r} must be one of none, auto, custom.")
    forced = _tool(body["CustomTool"], "CustomTool") if "CustomTool" in body else None
    if tool_choice == "custom" and forced is None:
        raise RuleError(
            "MissingParameter", "The parameter `CustomTool` is required when ToolChoice is custom."
        )
    if forced is not None:
        # Same name as an offered tool: call it with the offered schema.
        forced = next((t for t in tools if t.name == forced.name), forced)
    raw_messages = body["Messages"]
    if not raw_messages:
        raise _bad("Messages", "at least one message is required.")
    if len(raw_messages) > MAX_CHAT_MESSAGES:
        raise _bad("Messages", f"{len(raw_messages)} messages; at most {MAX_CHAT_MESSAGES}.")
    messages = [_chat_message(item, f"Messages.{i}") for i, item in enumerate(raw_messages)]
    check_order(messages, lambda i: f"Messages.{i}", by_id=True)
    thinking = body.get("EnableThinking", True)
    return ChatRequest(
        model=model,
        messages=messages,
        stream=body.get("Stream", False),
        tools=tools,
        tool_choice=tool_choice,
        forced_tool=forced if tool_choice == "custom" else None,
        stop=stop,
        reasoning=is_reasoning_model(model) and thinking is not False,
    )


def _chat_message(item: dict[str, Any], path: str) -> ConvMessage:
    role = item["Role"]
    if role not in ROLES:
        raise _bad(f"{path}.Role", f"{role!r} must be one of {', '.join(ROLES)}.")
    if "ReasoningContent" in item:
        raise _bad(
            f"{path}.ReasoningContent", "reasoning content must not be sent back in Messages."
        )
    if "ToolCalls" in item and role != "assistant":
        raise _bad(f"{path}.ToolCalls", "only assistant messages carry ToolCalls.")
    if "ToolCallId" in item and role != "tool":
        raise _bad(f"{path}.ToolCallId", "only tool messages carry a ToolCallId.")
    if role == "tool" and "ToolCallId" not in item:
        raise RuleError("MissingParameter", f"The parameter `{path}.ToolCallId` is missing.")
    calls: list[ToolCallSpec] = []
    for index, raw in enumerate(item.get("ToolCalls", [])):
        if raw["Type"] != "function":
            raise _bad(f"{path}.ToolCalls.{index}.Type", "only 'function' is supported.")
        function = raw["Function"]
        calls.append(ToolCallSpec(function["Name"], function.get("Arguments", ""), raw["Id"]))
    text = item.get("Content")
    if text is None:
        text = "".join(part.get("Text", "") for part in item.get("Contents", []))
        has_content = bool(item.get("Contents"))
    else:
        has_content = bool(text.strip())
    if not has_content and not calls:
        raise _bad(f"{path}.Content", "Content must not be empty.")
    return ConvMessage(role, text, tuple(calls), item.get("ToolCallId"))


# --------------------------------------------------------------------------- thread actions


def validate_create_thread(body: dict[str, Any]) -> None:
    _check(body, _CREATE_THREAD_SPEC)


def validate_get_thread(body: dict[str, Any]) -> str:
    _check(body, _GET_THREAD_SPEC)
    return str(body["ThreadID"])


def validate_get_thread_message(body: dict[str, Any]) -> tuple[str, str]:
    _check(body, _GET_THREAD_MESSAGE_SPEC)
    return str(body["ThreadID"]), str(body["MessageID"])


def validate_get_token_count(body: dict[str, Any]) -> str:
    _check(body, _GET_TOKEN_COUNT_SPEC)
    prompt = str(body["Prompt"])
    if not prompt:
        raise _bad("Prompt", "the text to count must not be empty.")
    return prompt


def validate_message_list(body: dict[str, Any]) -> tuple[str, int, str]:
    _check(body, _MESSAGE_LIST_SPEC)
    limit = body.get("Limit", 20)
    if not 1 <= limit <= 100:
        raise _bad("Limit", f"{limit} is outside 1..100.")
    order = body.get("Order", "desc")
    if order not in ("asc", "desc"):
        raise _bad("Order", f"{order!r} must be asc or desc.")
    return str(body["ThreadID"]), int(limit), str(order)
