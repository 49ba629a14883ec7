"""ChatMessage → core Message conversion (no network)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import llama_index.core.base.llms.types as li
import pytest

from hunyuan_api import (
    Message,
    ToolCall,
)
from llama_index_hunyuan._messages import to_core_message, to_core_messages
from llama_index_hunyuan._responses import chat_response
from tests.support.common import ResponseFolder


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (li.MessageRole.SYSTEM, "system"),
        (li.MessageRole.DEVELOPER, "system"),
        (li.MessageRole.USER, "user"),
        (li.MessageRole.ASSISTANT, "assistant"),
        (li.MessageRole.CHATBOT, "assistant"),
        (li.MessageRole.MODEL, "assistant"),
        (li.MessageRole.TOOL, "tool"),
        (li.MessageRole.FUNCTION, "tool"),
    ],
)
def test_roles(role: li.MessageRole, expected: str) -> None:
    assert to_core_message(0, li.ChatMessage(role=role, content="hi")).role == expected


def test_text_blocks_joined_like_content_and_thinking_skipped() -> None:
    msg = li.ChatMessage(
        role="assistant",
        blocks=[
            li.ThinkingBlock(content="secret reasoning"),
            li.TextBlock(text="one"),
            li.CachePoint(cache_control=li.CacheControl(type="ephemeral")),
            li.TextBlock(text="two"),
        ],
    )
    core = to_core_message(0, msg)
    assert core.content == "one\ntwo" == msg.content
    assert "secret" not in core.content


def test_tool_call_blocks_become_core_tool_calls() -> None:
    msg = li.ChatMessage(
        role="assistant",
        blocks=[
            li.TextBlock(text=""),
            li.ToolCallBlock(tool_call_id="c1", tool_name="add", tool_kwargs={"a": 1, "b": 2}),
            li.ToolCallBlock(tool_call_id="c2", tool_name="mul", tool_kwargs='{"a": 3}'),
        ],
    )
    core = to_core_message(0, msg)
    assert core == Message(
        "assistant",
        "",
        (ToolCall("c1", "add", json.dumps({"a": 1, "b": 2})), ToolCall("c2", "mul", '{"a": 3}')),
    )


def test_legacy_tool_calls_dicts_and_objects() -> None:
    as_dict = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    as_obj = SimpleNamespace(id="c2", function=SimpleNamespace(name="g", arguments='{"x": 1}'))
    msg = li.ChatMessage(
        role="assistant", content="", additional_kwargs={"tool_calls": [as_dict, as_obj]}
    )
    core = to_core_message(0, msg)
    assert core.tool_calls == (ToolCall("c1", "f", "{}"), ToolCall("c2", "g", '{"x": 1}'))


def test_blocks_win_over_legacy_kwargs() -> None:
    msg = li.ChatMessage(
        role="assistant",
        blocks=[li.ToolCallBlock(tool_call_id="b", tool_name="blocky", tool_kwargs={})],
        additional_kwargs={
            "tool_calls": [{"id": "l", "function": {"name": "legacy", "arguments": "{}"}}]
        },
    )
    assert [c.name for c in to_core_message(0, msg).tool_calls] == ["blocky"]


def test_tool_result_takes_call_id() -> None:
    msg = li.ChatMessage(role="tool", content="42", additional_kwargs={"tool_call_id": "c1"})
    assert to_core_message(0, msg) == Message("tool", "42", tool_call_id="c1")


@pytest.mark.parametrize(
    "block",
    [
        li.AudioBlock(url="https://example.com/a.mp3"),
        li.VideoBlock(url="https://example.com/v.mp4"),
        li.DocumentBlock(data=b"%PDF-1.4"),
    ],
    ids=["audio", "video", "document"],
)
def test_other_media_blocks_refused(block: object) -> None:
    msg = li.ChatMessage(role="user", blocks=[li.TextBlock(text="look"), block])
    with pytest.raises(ValueError, match=r"messages\[1\].*text and images only"):
        to_core_messages([li.ChatMessage(role="user", content="hi"), msg])


def test_image_blocks_become_images() -> None:
    png = b"\x89PNG\r\n\x1a\n-not-really"
    msg = li.ChatMessage(
        role="user",
        blocks=[
            li.TextBlock(text="look"),
            li.ImageBlock(url="https://example.com/cat.png"),
            li.ImageBlock(image=png, image_mimetype="image/png"),
        ],
    )
    (converted,) = to_core_messages([msg])
    assert converted.content == "look"
    assert converted.images[0] == "https://example.com/cat.png"
    assert converted.images[1].startswith("data:image/png;base64,")
    import base64

    assert base64.b64decode(converted.images[1].split(",", 1)[1]) == png


def test_system_prompt_prepended_only_without_system_message() -> None:
    user = li.ChatMessage(role="user", content="hi")
    assert to_core_messages([user], "be brief")[0] == Message("system", "be brief")
    own = li.ChatMessage(role="system", content="mine")
    out = to_core_messages([own, user], "be brief")
    assert [m.content for m in out] == ["mine", "hi"]


def test_reply_round_trips_to_the_same_core_message() -> None:
    """What chat/stream return converts back to exactly what the core returned, which is what
    lets the next turn continue the thread."""
    from hunyuan_api import (
        RunFinished,
        RunResult,
        TextDelta,
        ToolCallDelta,
    )

    calls = (ToolCall("call_1", "lookup", '{"q": "x", "n": 2}'),)
    result = RunResult(
        text="let me check", tool_calls=calls, finish_reason="tool_calls", usage=None,
        model="hunyuan-turbo", reasoning="hmm",
    )  # fmt: skip
    expected = Message("assistant", "let me check", calls)
    assert to_core_message(0, chat_response(result).message) == expected
    stream = ResponseFolder()
    last = None
    for event in (
        TextDelta("let me "),
        ToolCallDelta(0, "call_1", "lookup", '{"q": "x",'),
        TextDelta("check"),
        ToolCallDelta(0, None, None, ' "n": 2}'),
        RunFinished(result),
    ):
        last = stream.feed(event)
    assert last is not None
    assert to_core_message(0, last.message) == expected
