"""``POST /v1/chat/completions``: Tencent's OpenAI-compatible chat endpoint, in OpenAI's wire
format, on the ChatCompletions models and the same deterministic model (body and chunks:
``openai_answer``).

Validation is strict, in this order: unknown fields anywhere (``Unrecognized request argument
supplied: <name>``), missing fields and wrong JSON types, the model (404 ``model_not_found``),
then each value. JSON ``null`` counts as an absent optional field, as OpenAI's API takes it.
Decisions beyond OpenAI's own rules:

- ``messages[].content`` is a string or a list of parts; a ``text`` part everywhere, an
  ``image_url`` part (``{"url"}`` plus an optional ``detail``) only in a user message to a
  vision model, its URL http(s) (never fetched) or a ``data:image/...;base64,`` URI of a PNG,
  JPEG, GIF or WebP image (``images``); other parts, or images elsewhere, are refused. A
  message of images alone is accepted (OpenAI's format allows it; Tencent documents no rule).
- ``reasoning_content`` must not be sent back; ``name`` and other message fields are refused.
- ``reasoning_effort`` is refused by models that do not reason; ``hy3-preview`` reasons only
  when it is given (TokenHub: thinking is off by default), the t1 family and a13b always.
- ``tool_choice`` and ``parallel_tool_calls`` need ``tools``; a named choice must name one.
  Models outside the tool families ignore tools and answer in text, like ChatCompletions.
- Message order: Tencent's (``order``), tool messages answering the calls by ``tool_call_id``;
  no 40-message cap (ChatCompletions documents one; this endpoint does not).
- ``strict`` in a function definition is accepted (OpenAI's SDK helpers send it) and ignored;
  ``response_format``, ``logprobs`` and other OpenAI fields Tencent does not document are
  refused as unknown.
- Hunyuan's extras (``HUNYUAN_EXTRAS``) are booleans with ChatCompletions' meaning under
  snake_case names; the search fields work as ``search`` describes, ``search_info`` returned
  with snake_case keys.
"""

from __future__ import annotations

import re
from typing import Any

from .. import schema
from ..catalog import OPENAI_CHAT, Family
from ..model import ConvMessage, Image, ToolCallSpec, ToolSpec
from ..order import check_order, check_role
from ..responses import BytesResponse, EventStreamResponse
from ..schema import ANY, BOOLEAN, FLOAT, INTEGER, STRING, Spec, array, invalid, obj, required
from ..state import new_id
from .call import Call
from .chat_answer import model_reply
from .chat_completions import ChatRequest
from .completion import complete
from .images import image_part
from .openai_answer import openai_json, plan_openai_stream
from .params import distinct, function_tool, model_family, sampling
from .search import plan_search

__all__ = ["HUNYUAN_EXTRAS", "openai_chat", "validate_openai_chat"]


def _fields(**fields: Spec) -> Spec:
    """An object whose optional fields may also be ``null``."""
    return obj(**{k: v if v.required else schema.nullable(v) for k, v in fields.items()})


_CALL = _fields(
    id=required(STRING),
    type=required(STRING),
    function=required(_fields(name=required(STRING), arguments=required(STRING))),
)
_MESSAGE = _fields(
    role=required(STRING),
    content=ANY,
    tool_calls=array(_CALL),
    tool_call_id=STRING,
    reasoning_content=STRING,
)
_PART = _fields(
    type=required(STRING), text=STRING, image_url=_fields(url=required(STRING), detail=STRING)
)
_TOOL = _fields(
    type=required(STRING),
    function=required(
        _fields(name=required(STRING), description=STRING, parameters=ANY, strict=BOOLEAN)
    ),
)
#: Hunyuan's extras, ChatCompletions' fields by their snake_case names.
HUNYUAN_EXTRAS = (
    "enable_enhancement",
    "force_search_enhancement",
    "citation",
    "enable_speed_search",
    "search_info",
)
_CHAT = _fields(
    model=required(STRING),
    messages=required(array(_MESSAGE)),
    tools=array(_TOOL),
    stream_options=_fields(include_usage=BOOLEAN),
    # ``stop`` (a string or strings) and ``tool_choice`` (a word or an object) are checked below.
    **dict.fromkeys(("stop", "tool_choice"), ANY),
    **dict.fromkeys(("temperature", "top_p"), FLOAT),
    **dict.fromkeys(("max_tokens", "seed", "n"), INTEGER),
    **dict.fromkeys(("reasoning_effort", "user"), STRING),
    **dict.fromkeys(("stream", "parallel_tool_calls", *HUNYUAN_EXTRAS), BOOLEAN),
)
_TOOL_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_EFFORTS = ("low", "medium", "high")
_CHOICES = ("none", "auto", "required")
_MAX_STOPS = 4


def validate_openai_chat(body: dict[str, Any]) -> ChatRequest:
    schema.check(body, _CHAT)
    model = body["model"]
    family = model_family(OPENAI_CHAT, model, "model")
    sampling(body, "temperature", "top_p")
    if body.get("n") not in (None, 1):
        raise invalid("n", f"{body['n']}; only 1 is supported.")
    max_tokens = body.get("max_tokens")
    if max_tokens is not None and max_tokens < 1:
        raise invalid("max_tokens", f"{max_tokens} must be at least 1.")
    stream = body.get("stream") is True
    options = body.get("stream_options")
    if options is not None and not stream:
        raise invalid("stream_options", "it is only allowed when `stream` is true.")
    offered = _tools(body.get("tools"))
    choice, forced = _tool_choice(body.get("tool_choice"), offered)
    if body.get("parallel_tool_calls") is not None and not offered:
        raise invalid("parallel_tool_calls", "it is only allowed when `tools` are given.")
    raw_messages = body["messages"]
    if not raw_messages:
        raise invalid("messages", "at least one message is required.")
    messages = [_message(item, f"messages.{i}", family) for i, item in enumerate(raw_messages)]
    check_order(messages, lambda i: f"messages.{i}", by_id=True)
    return ChatRequest(
        model=model,
        messages=messages,
        stream=stream,
        tools=offered,
        tool_choice=choice,
        forced_tool=forced,
        stop=_stop(body.get("stop")),
        reasoning=_reasoning(family, body.get("reasoning_effort")),
        model_takes_tools=family.tools,
        max_tokens=max_tokens,
        include_usage=bool(options and options.get("include_usage")),
        search=plan_search(body, family, messages, pascal=False),
    )


def _reasoning(family: Family, effort: str | None) -> bool:
    if effort is None:
        return family.reasoning and not family.reasoning_opt_in
    if effort not in _EFFORTS:
        raise invalid("reasoning_effort", f"{effort!r} must be one of {', '.join(_EFFORTS)}.")
    if not family.reasoning:
        raise invalid("reasoning_effort", f"the model {family.stem!r} does not reason.")
    return True


def _stop(stop: Any) -> list[str]:
    stops = [stop] if isinstance(stop, str) else stop if stop is not None else []
    if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
        raise schema.invalid(
            "stop", "it must be a string or an array of strings.", "InvalidParameter"
        )
    if len(stops) > _MAX_STOPS:
        raise invalid("stop", f"{len(stops)} stop strings; at most {_MAX_STOPS}.")
    if not all(stops):
        raise invalid("stop", "stop strings must not be empty.")
    return stops


def _tools(raw: list[dict[str, Any]] | None) -> list[ToolSpec]:
    if raw is None:
        return []
    if not raw:
        raise invalid("tools", "an empty list; leave `tools` out instead.")
    specs: list[ToolSpec] = []
    for index, item in enumerate(raw):
        path = f"tools.{index}"
        if item["type"] != "function":
            raise invalid(f"{path}.type", f"{item['type']!r}; only 'function' is supported.")
        function = item["function"]
        parameters = function.get("parameters")
        if parameters is not None and not isinstance(parameters, dict):
            raise invalid(f"{path}.function.parameters", "it must be a JSON Schema object.")
        specs.append(
            function_tool(
                function["name"],
                function.get("description") or "",
                parameters or {"type": "object", "properties": {}},
                name_path=f"{path}.function.name",
                parameters_path=f"{path}.function.parameters",
                name_re=_TOOL_NAME_RE,
            )
        )
    return distinct(specs, lambda index: f"tools.{index}.function.name")


def _tool_choice(choice: Any, offered: list[ToolSpec]) -> tuple[str | None, ToolSpec | None]:
    """OpenAI's tool_choice as the model's (``none``/``auto``/``custom``, forced tool)."""
    if choice is None:
        return None, None
    if not offered:
        raise invalid("tool_choice", "it is only allowed when `tools` are given.")
    if isinstance(choice, str) and choice in _CHOICES:
        return {"none": "none", "auto": "auto", "required": "custom"}[choice], None
    if not (
        isinstance(choice, dict)
        and choice.keys() == {"type", "function"}
        and choice["type"] == "function"
        and isinstance(choice["function"], dict)
        and choice["function"].keys() == {"name"}
        and isinstance(choice["function"]["name"], str)
    ):
        raise invalid(
            "tool_choice",
            'it must be "none", "auto", "required" or '
            '{"type": "function", "function": {"name": ...}}.',
        )
    name = choice["function"]["name"]
    forced = next((spec for spec in offered if spec.name == name), None)
    if forced is None:
        raise invalid("tool_choice.function.name", f"{name!r} is not one of the `tools`.")
    return "custom", forced


def _message(item: dict[str, Any], path: str, family: Family) -> ConvMessage:
    role = item["role"]
    check_role(role, f"{path}.role")
    if item.get("reasoning_content") is not None:
        raise invalid(
            f"{path}.reasoning_content", "reasoning content must not be sent back in messages."
        )
    raw_calls = item.get("tool_calls")
    if raw_calls is not None and role != "assistant":
        raise invalid(f"{path}.tool_calls", "only assistant messages carry tool_calls.")
    if raw_calls == []:
        raise invalid(f"{path}.tool_calls", "an empty list; leave `tool_calls` out instead.")
    call_id = item.get("tool_call_id")
    if call_id is not None and role != "tool":
        raise invalid(f"{path}.tool_call_id", "only tool messages carry a tool_call_id.")
    if role == "tool" and call_id is None:
        raise schema.missing(f"{path}.tool_call_id")
    calls: list[ToolCallSpec] = []
    for index, raw in enumerate(raw_calls or []):
        if raw["type"] != "function":
            raise invalid(f"{path}.tool_calls.{index}.type", "only 'function' is supported.")
        function = raw["function"]
        calls.append(ToolCallSpec(function["name"], function["arguments"], raw["id"]))
    text, images = _content(item.get("content"), f"{path}.content", role, family)
    if not (text.strip() or images) and not calls:
        raise invalid(f"{path}.content", "content must not be empty.")
    return ConvMessage(role, text, tuple(calls), call_id, images)


def _content(content: Any, path: str, role: str, family: Family) -> tuple[str, tuple[Image, ...]]:
    """The text and the images the model reads."""
    if content is None:
        return "", ()
    if isinstance(content, str):
        return content, ()
    if not isinstance(content, list):
        raise invalid(path, "it must be a string or an array of content parts.", "InvalidParameter")
    schema.check(content, array(_PART), path)
    texts: list[str] = []
    images: list[Image] = []
    for index, part in enumerate(content):
        if part["type"] == "text" and part.get("text") is not None:
            texts.append(part["text"])
        elif part["type"] == "image_url" and part.get("image_url") is not None:
            url_path = f"{path}.{index}.image_url.url"
            images.append(image_part(part["image_url"]["url"], url_path, role, family, OPENAI_CHAT))
        else:
            raise invalid(
                f"{path}.{index}",
                'a part is {"type": "text", "text": ...} or '
                '{"type": "image_url", "image_url": {"url": ...}}.',
            )
    return "".join(texts), tuple(images)


async def openai_chat(call: Call) -> BytesResponse | EventStreamResponse:
    request = validate_openai_chat(call.body)
    completion_id = new_id("chatcmpl-")
    return complete(
        call,
        stream=request.stream,
        reply=lambda: model_reply(request),
        as_json=lambda outcome, now: openai_json(request, outcome, now, completion_id),
        as_stream=lambda outcome, now: plan_openai_stream(request, outcome, now, completion_id),
    )
