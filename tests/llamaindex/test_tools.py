"""Tool preparation and tool-call extraction (no network)."""

from __future__ import annotations

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    MessageRole,
    ToolCallBlock,
)
from llama_index.core.tools import FunctionTool

from hunyuan_api import (
    RunFinished,
    RunResult,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    ToolSpec,
)
from llama_index_hunyuan import Hunyuan
from tests.support.common import ResponseFolder


def get_weather(city: str, days: int = 1) -> str:
    """Get the weather forecast for a city."""
    return f"sunny in {city} for {days} days"


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


WEATHER = FunctionTool.from_defaults(fn=get_weather)
ADD = FunctionTool.from_defaults(fn=add)


@pytest.fixture
def offline() -> Hunyuan:
    return Hunyuan(secret_id="AKIDtest", secret_key="test-key", base_url="http://127.0.0.1:9")


def test_specs_and_default_auto(offline: Hunyuan) -> None:
    out = offline._prepare_chat_with_tools([WEATHER, ADD], user_msg="weather in Paris?")
    assert [m.content for m in out["messages"]] == ["weather in Paris?"]
    assert out["messages"][0].role == MessageRole.USER
    specs = out["tools"]
    assert all(isinstance(s, ToolSpec) for s in specs)
    assert [s.name for s in specs] == ["get_weather", "add"]
    assert specs[0].description.endswith("Get the weather forecast for a city.")
    assert specs[0].parameters["required"] == ["city"]
    assert (out["tool_choice"], out["forced_tool"]) == ("auto", None)


@pytest.mark.parametrize(
    ("tool_choice", "tool_required", "expected"),
    [
        (None, False, ("auto", None)),
        (None, True, ("custom", None)),
        ("auto", True, ("auto", None)),
        ("none", False, ("none", None)),
        ("add", False, ("custom", "add")),
        ({"type": "function", "function": {"name": "add"}}, False, ("custom", "add")),
        ("required", False, ("custom", None)),
    ],
)
def test_tool_choice_mapping(
    offline: Hunyuan, tool_choice: object, tool_required: bool, expected: tuple[str, str | None]
) -> None:
    out = offline._prepare_chat_with_tools(
        [WEATHER, ADD], user_msg="hi", tool_choice=tool_choice, tool_required=tool_required
    )
    assert (out["tool_choice"], out["forced_tool"]) == expected


def test_unknown_tool_name_refused(offline: Hunyuan) -> None:
    with pytest.raises(ValueError, match="not a bound tool"):
        offline._prepare_chat_with_tools([ADD], user_msg="hi", tool_choice="subtract")


def test_no_tools_means_no_tool_choice(offline: Hunyuan) -> None:
    out = offline._prepare_chat_with_tools([], user_msg="hi", tool_required=True)
    assert out["tools"] == ()
    assert out["tool_choice"] is None


def test_chat_history_not_mutated(offline: Hunyuan) -> None:
    history = [ChatMessage(role="user", content="first")]
    out = offline._prepare_chat_with_tools([ADD], user_msg="second", chat_history=history)
    assert len(history) == 1
    assert [m.content for m in out["messages"]] == ["first", "second"]
    assert out["messages"] is not history


def test_tools_on_a_model_that_ignores_them(offline: Hunyuan) -> None:
    lite = Hunyuan(model="hunyuan-lite", secret_id="a", secret_key="b")
    with pytest.raises(ValueError, match="ignores tools"):
        lite._prepare_chat_with_tools([ADD], user_msg="add 1 and 2")


def test_tool_required_is_an_explicit_parameter() -> None:
    from llama_index.core.llms.function_calling import _supports_tool_required

    assert _supports_tool_required(Hunyuan, True)


def test_partial_chunks_never_raise(offline: Hunyuan) -> None:
    """FunctionAgent calls get_tool_calls_from_response on every chunk."""
    fragments = ['{"ci', 'ty": "Par', 'is", "da', "ys", '": 3', "}"]
    stream = ResponseFolder()
    stream.feed(TextDelta("Checking"))
    seen = []
    for i, fragment in enumerate(fragments):
        chunk = stream.feed(
            ToolCallDelta(0, "call_0" if i == 0 else None, "get_weather" if i == 0 else None,
                          fragment)
        )  # fmt: skip
        calls = offline.get_tool_calls_from_response(chunk, error_on_no_tool_call=False)
        assert [c.tool_name for c in calls] == ["get_weather"]
        assert calls[0].tool_id == "call_0"
        seen.append(calls[0].tool_kwargs)
        assert chunk.message.content == "Checking"
        assert chunk.message.additional_kwargs["tool_calls"][0]["function"]["name"] == "get_weather"
    assert seen[-1] == {"city": "Paris", "days": 3}
    final = stream.feed(
        RunFinished(
            RunResult(
                "Checking", (ToolCall("call_0", "get_weather", '{"city": "Paris", "days": 3}'),),
                "tool_calls", None, "hunyuan-turbo",
            )
        )
    )  # fmt: skip
    assert offline.get_tool_calls_from_response(final)[0].tool_kwargs == {
        "city": "Paris",
        "days": 3,
    }


@pytest.mark.parametrize("arguments", ["", "{", '{"a"', "[1, 2]", "}{", "null", '{"a": [1, {"b'])
def test_malformed_arguments_give_empty_or_partial_dicts(offline: Hunyuan, arguments: str) -> None:
    message = ChatMessage(
        role="assistant",
        blocks=[ToolCallBlock(tool_call_id="x", tool_name="f", tool_kwargs=arguments)],
    )
    calls = offline.get_tool_calls_from_response(ChatResponse(message=message))
    assert isinstance(calls[0].tool_kwargs, dict)


def test_no_tool_call(offline: Hunyuan) -> None:
    response = ChatResponse(message=ChatMessage(role="assistant", content="just text"))
    assert offline.get_tool_calls_from_response(response, error_on_no_tool_call=False) == []
    with pytest.raises(ValueError, match="Expected at least one tool call"):
        offline.get_tool_calls_from_response(response)


def test_legacy_kwargs_fallback(offline: Hunyuan) -> None:
    message = ChatMessage(
        role="assistant",
        content="",
        additional_kwargs={
            "tool_calls": [
                {
                    "id": "c9",
                    "type": "function",
                    "function": {"name": "add", "arguments": '{"a": 1'},
                }
            ]
        },
    )
    calls = offline.get_tool_calls_from_response(ChatResponse(message=message))
    assert (calls[0].tool_id, calls[0].tool_name, calls[0].tool_kwargs) == ("c9", "add", {"a": 1})


def test_parallel_tool_calls_follow_allow_parallel_tool_calls(offline: Hunyuan) -> None:
    """As llama-index-llms-openai sends ``parallel_tool_calls``: the core keeps the first call
    unless parallel calls are allowed (and says nothing without tools)."""
    single = offline._prepare_chat_with_tools([ADD], user_msg="add")
    assert single["parallel_tool_calls"] is False
    call = {k: v for k, v in single.items() if k != "messages"}
    assert offline._options(call).parallel_tool_calls is False
    many = offline._prepare_chat_with_tools([ADD], user_msg="add", allow_parallel_tool_calls=True)
    assert many["parallel_tool_calls"] is True
    assert offline._prepare_chat_with_tools([], user_msg="add")["parallel_tool_calls"] is None


def test_history_list_is_not_mutated(llm: Hunyuan) -> None:
    from llama_index.core.base.llms.types import ChatMessage

    from tests.support.llamaindex_agents import TOOLS

    history = [ChatMessage(role="user", content="multiply 6 and 7")]
    response = llm.chat_with_tools(TOOLS, chat_history=history)
    assert len(history) == 1
    assert llm.get_tool_calls_from_response(response)[0].tool_kwargs == {"a": 6, "b": 7}
