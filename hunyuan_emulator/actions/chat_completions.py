"""ChatCompletions: a stateless completion, streamed (chunks, no ``[DONE]``) or as one body.

Beyond the field types and Tencent's message order, a message's ``Contents`` (which replaces
``Content``) needs a ``text`` part ("需包含至少一个 Type 为"text"的参数"); each part carries the
field of its ``Type`` and no other; ``image_url`` parts go in user messages to vision models
(``images``); ``video_url``/``video_frames`` are for Hunyuan's video models, which the emulator
does not serve. ``EnableThinking`` switches off the reasoning of the models it applies to (a13b)
and is ignored by the rest; the search fields are ``search``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import schema
from ..catalog import CHAT_COMPLETIONS, MAX_CHAT_MESSAGES, Family
from ..model import ConvMessage, Image, ToolCallSpec, ToolSpec
from ..order import check_order, check_role
from ..responses import BytesResponse, EventStreamResponse
from ..schema import BOOLEAN, FLOAT, INTEGER, STRING, array, obj, required
from .call import Call
from .chat_answer import chat_json, model_reply, plan_chat_stream
from .completion import complete
from .images import image_part
from .params import TOOL, TOOLS, model_family, sampling, tool, tool_choice, tools
from .search import SearchPlan, plan_search

__all__ = ["ChatRequest", "chat_completions", "validate_chat"]

_URL = required(STRING)
_MESSAGE = obj(
    Role=required(STRING),
    Content=STRING,
    Contents=array(
        obj(
            Type=required(STRING),
            Text=STRING,
            ImageUrl=obj(Url=_URL),
            VideoUrl=obj(Url=_URL, Fps=FLOAT),
            VideoFrames=obj(Frames=array(STRING)),
        )
    ),
    ToolCallId=STRING,
    ToolCalls=array(
        obj(
            Id=required(STRING),
            Type=required(STRING),
            Function=required(obj(Name=required(STRING), Arguments=STRING)),
            Index=INTEGER,
        )
    ),
    FileIDs=array(STRING),
    ReasoningContent=STRING,
)
_LOCATION = obj(**{key: STRING for key in ("Country", "City", "Region", "Timezone", "Address")})
_CHAT = obj(
    Model=required(STRING),
    Messages=required(array(_MESSAGE)),
    Stream=BOOLEAN,
    StreamModeration=BOOLEAN,
    TopP=FLOAT,
    Temperature=FLOAT,
    EnableEnhancement=BOOLEAN,
    Tools=TOOLS,
    ToolChoice=STRING,
    CustomTool=TOOL,
    SearchInfo=BOOLEAN,
    Citation=BOOLEAN,
    EnableSpeedSearch=BOOLEAN,
    EnableMultimedia=BOOLEAN,
    EnableDeepSearch=BOOLEAN,
    Seed=INTEGER,
    ForceSearchEnhancement=BOOLEAN,
    Stop=array(STRING),
    EnableRecommendedQuestions=BOOLEAN,
    EnableDeepRead=BOOLEAN,
    WebSearchOptions=obj(
        Knowledge=array(obj(Text=STRING)),
        UserLocation=obj(Type=STRING, Approximate=_LOCATION),
        Processes=BOOLEAN,
        EnableImage=BOOLEAN,
        EnableMusic=BOOLEAN,
    ),
    TopicChoice=STRING,
    EnableThinking=BOOLEAN,
)


@dataclass
class ChatRequest:
    """A validated stateless chat request (ChatCompletions, or ``/v1/chat/completions``)."""

    model: str
    messages: list[ConvMessage]
    stream: bool
    tools: list[ToolSpec]
    tool_choice: str | None
    forced_tool: ToolSpec | None
    stop: list[str]
    reasoning: bool
    #: Whether the model honours Tools/ToolChoice/CustomTool.
    model_takes_tools: bool
    #: ``/v1/chat/completions`` only: the completion-token limit, and the usage chunk.
    max_tokens: int | None = None
    include_usage: bool = False
    #: The search enhancement ran for this request, if any.
    search: SearchPlan | None = None

    @property
    def tools_enabled(self) -> bool:
        return self.model_takes_tools and (bool(self.tools) or self.forced_tool is not None)


def validate_chat(body: dict[str, Any]) -> ChatRequest:
    schema.check(body, _CHAT)
    model = body["Model"]
    family = model_family(CHAT_COMPLETIONS, model)
    sampling(body)
    seed = body.get("Seed")
    if seed is not None and not 1 <= seed <= 10000:
        raise schema.invalid("Seed", f"{seed} is outside 1..10000.")
    stop = body.get("Stop", [])
    for index, item in enumerate(stop):
        if not item:
            raise schema.invalid(f"Stop.{index}", "stop strings must not be empty.")
    offered = tools(body.get("Tools", []))
    choice = tool_choice(body)
    forced = tool(body["CustomTool"], "CustomTool") if "CustomTool" in body else None
    if choice == "custom" and forced is None:
        raise schema.missing("CustomTool", "ToolChoice is custom")
    if forced is not None:
        # Same name as an offered tool: call it with the offered schema.
        forced = next((t for t in offered if t.name == forced.name), forced)
    raw_messages = body["Messages"]
    if not raw_messages:
        raise schema.invalid("Messages", "at least one message is required.")
    if len(raw_messages) > MAX_CHAT_MESSAGES:
        raise schema.invalid(
            "Messages", f"{len(raw_messages)} messages; at most {MAX_CHAT_MESSAGES}."
        )
    messages = [_message(item, f"Messages.{i}", family) for i, item in enumerate(raw_messages)]
    check_order(messages, lambda i: f"Messages.{i}", by_id=True)
    thinking = not (family.thinking_switch and body.get("EnableThinking") is False)
    return ChatRequest(
        model=model,
        messages=messages,
        stream=body.get("Stream", False),
        tools=offered,
        tool_choice=choice,
        forced_tool=forced if choice == "custom" else None,
        stop=stop,
        reasoning=family.reasoning and thinking,
        model_takes_tools=family.tools,
        search=plan_search(body, family, messages, pascal=True),
    )


def _message(item: dict[str, Any], path: str, family: Family) -> ConvMessage:
    role = item["Role"]
    check_role(role, f"{path}.Role")
    if "ReasoningContent" in item:
        raise schema.invalid(
            f"{path}.ReasoningContent", "reasoning content must not be sent back in Messages."
        )
    if "ToolCalls" in item and role != "assistant":
        raise schema.invalid(f"{path}.ToolCalls", "only assistant messages carry ToolCalls.")
    if "ToolCallId" in item and role != "tool":
        raise schema.invalid(f"{path}.ToolCallId", "only tool messages carry a ToolCallId.")
    if role == "tool" and "ToolCallId" not in item:
        raise schema.missing(f"{path}.ToolCallId")
    calls: list[ToolCallSpec] = []
    for index, raw in enumerate(item.get("ToolCalls", [])):
        if raw["Type"] != "function":
            raise schema.invalid(f"{path}.ToolCalls.{index}.Type", "only 'function' is supported.")
        function = raw["Function"]
        calls.append(ToolCallSpec(function["Name"], function.get("Arguments", ""), raw["Id"]))
    images: tuple[Image, ...] = ()
    if "Contents" in item:
        text, images = _contents(item, path, role, family)
        has_content = bool(text.strip()) or bool(images)
    else:
        text = item.get("Content", "")
        has_content = bool(text.strip())
    if not has_content and not calls:
        raise schema.invalid(f"{path}.Content", "Content must not be empty.")
    return ConvMessage(role, text, tuple(calls), item.get("ToolCallId"), images)


_PART_FIELDS = {"text": "Text", "image_url": "ImageUrl"}
_VIDEO_TYPES = ("video_url", "video_frames")


def _contents(
    item: dict[str, Any], path: str, role: str, family: Family
) -> tuple[str, tuple[Image, ...]]:
    """The text and images of a message's ``Contents``."""
    if "Content" in item:
        raise schema.invalid(f"{path}.Contents", "a message carries Content or Contents, not both.")
    texts: list[str] = []
    images: list[Image] = []
    for index, part in enumerate(item["Contents"]):
        where = f"{path}.Contents.{index}"
        kind = part["Type"]
        if kind in _VIDEO_TYPES:
            raise schema.invalid(
                f"{where}.Type", f"{kind!r} is for Hunyuan's video models, not {family.stem!r}."
            )
        field = _PART_FIELDS.get(kind)
        if field is None:
            raise schema.invalid(
                f"{where}.Type",
                f"{kind!r} must be one of text, image_url, video_url, video_frames.",
            )
        if field not in part:
            raise schema.missing(f"{where}.{field}", f"Type is {kind}")
        stray = sorted(set(part) - {"Type", field})
        if stray:
            raise schema.invalid(f"{where}.{stray[0]}", f"a {kind} part carries {field} only.")
        if kind == "text":
            texts.append(part["Text"])
        else:
            url_path = f"{where}.ImageUrl.Url"
            images.append(
                image_part(part["ImageUrl"]["Url"], url_path, role, family, CHAT_COMPLETIONS)
            )
    if not texts:
        raise schema.invalid(f"{path}.Contents", 'at least one part must be of Type "text".')
    return "".join(texts), tuple(images)


async def chat_completions(call: Call) -> BytesResponse | EventStreamResponse:
    request = validate_chat(call.body)
    request_id = call.request_id
    return complete(
        call,
        stream=request.stream,
        reply=lambda: model_reply(request),
        as_json=lambda outcome, now: chat_json(request, outcome, now=now, request_id=request_id),
        as_stream=lambda outcome, now: plan_chat_stream(
            request, outcome, now=now, request_id=request_id
        ),
    )
