"""What each transport puts on the wire for the same user code: native tool histories without
threads, the named tool, Stop and Seed, and non-stream calls on ChatCompletions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from llama_index.core.base.llms.types import ChatMessage, TextBlock, ToolCallBlock

from hunyuan_api._wire.validation import CHAT_COMPLETIONS_MAX_MESSAGES
from hunyuan_emulator import EmulatorHandle
from langchain_hunyuan import ChatHunyuan, HunyuanLLM
from llama_index_hunyuan import Hunyuan
from tests.support.transport import actions, bodies, creates, model_calls

MakeChat = Callable[..., ChatHunyuan]
MakeLLM = Callable[..., Hunyuan]
USER = [ChatMessage(role="user", content="hello world")]


@tool
def multiply(a: int, b: int) -> int:
    """Multiply two integers and return the product."""
    return a * b


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"It is sunny in {city}."


def chat_completions(emu: EmulatorHandle) -> list[dict[str, Any]]:
    return bodies(emu, "ChatCompletions")


# -- tool histories ------------------------------------------------------------------------


async def test_native_tool_history_without_threads(
    emu: EmulatorHandle, make_chat: MakeChat
) -> None:
    chat = make_chat(api="chat_completions").bind_tools([multiply, get_weather])
    history: list[Any] = [HumanMessage("multiply 6 and 7")]
    first = await chat.ainvoke(history)
    assert isinstance(first, AIMessage)
    (call,) = first.tool_calls
    assert (call["name"], call["args"]) == ("multiply", {"a": 6, "b": 7})
    history += [first, ToolMessage("42", tool_call_id=call["id"])]
    final = await chat.ainvoke(history)
    assert final.content == 'Based on the tool results: "42".'
    assert actions(emu) == ["ChatCompletions", "ChatCompletions"]
    user, assistant, result = chat_completions(emu)[1]["Messages"]
    assert user == {"Role": "user", "Content": "multiply 6 and 7"}
    assert assistant == {
        "Role": "assistant",
        "Content": "",
        "ToolCalls": [
            {
                "Id": call["id"],
                "Type": "function",
                "Function": {"Name": "multiply", "Arguments": '{"a": 6, "b": 7}'},
                "Index": 0,
            }
        ],
    }
    assert result == {"Role": "tool", "Content": "42", "ToolCallId": call["id"]}


def test_foreign_history_fidelity(emu: EmulatorHandle, make_chat: MakeChat, api: str) -> None:
    """A history this process never produced (say, loaded from storage): ChatCompletions
    carries it as it is; RunThread replays it on a new thread, the calls as text markup."""
    history = [
        HumanMessage("multiply 6 and 7"),
        AIMessage("", tool_calls=[{"id": "call_1", "name": "multiply", "args": {"a": 6, "b": 7}}]),
        ToolMessage("42", tool_call_id="call_1"),
    ]
    reply = make_chat(api=api).bind_tools([multiply]).invoke(history)
    assert reply.content == 'Based on the tool results: "42".'
    (body,) = model_calls(emu, api)
    if api != "run_thread":
        assert creates(emu) == 0
        assistant, result = body["Messages"][1:]
        assert assistant["ToolCalls"][0]["Id"] == "call_1"
        assert result["ToolCallId"] == "call_1"
    else:
        assert creates(emu) == 1
        assistant, result = body["AdditionalMessages"][1:]
        assert assistant["Content"].startswith("<tool_calls>")
        assert result == {"Role": "tool", "Content": "42"}


def test_tool_result_without_id_answers_the_call_in_its_position(
    emu: EmulatorHandle, make_llm: MakeLLM
) -> None:
    """Histories written for RunThread may have tool results without call ids; on
    ChatCompletions each takes the id of the call in the same position."""
    history = [
        ChatMessage(role="user", content="multiply twice"),
        ChatMessage(
            role="assistant",
            blocks=[
                TextBlock(text=""),
                ToolCallBlock(tool_call_id="c1", tool_name="multiply", tool_kwargs='{"a":2,"b":3}'),
                ToolCallBlock(tool_call_id="c2", tool_name="multiply", tool_kwargs='{"a":4,"b":5}'),
            ],
        ),
        ChatMessage(role="tool", content="6"),
        ChatMessage(role="tool", content="20"),
    ]
    make_llm(api="chat_completions").chat(history)
    results = chat_completions(emu)[0]["Messages"][2:]
    assert [(m["ToolCallId"], m["Content"]) for m in results] == [("c1", "6"), ("c2", "20")]


# -- tool choice ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "tools", "sent_choice", "custom"),
    [
        ("get_weather", [multiply, get_weather], "custom", "get_weather"),
        (
            {"type": "function", "function": {"name": "get_weather"}},
            [multiply, get_weather],
            "custom",
            "get_weather",
        ),
        ("any", [get_weather], "custom", "get_weather"),
        # ChatCompletions can force only a named tool: with several, "any" forces the first.
        ("any", [multiply, get_weather], "custom", "multiply"),
        ("auto", [multiply, get_weather], "auto", None),
        ("none", [multiply, get_weather], "none", None),
    ],
)
def test_tool_choice_on_chat_completions(
    emu: EmulatorHandle,
    make_chat: MakeChat,
    choice: Any,
    tools: list[Any],
    sent_choice: str,
    custom: str | None,
) -> None:
    reply = make_chat(api="chat_completions").bind_tools(tools, tool_choice=choice).invoke("Paris")
    (body,) = chat_completions(emu)
    assert body["ToolChoice"] == sent_choice
    assert [t["Function"]["Name"] for t in body["Tools"]] == [t.name for t in tools]
    if custom is None:
        assert "CustomTool" not in body
        assert not reply.tool_calls
    else:
        assert body["CustomTool"] == next(
            t for t in body["Tools"] if t["Function"]["Name"] == custom
        )
        assert [c["name"] for c in reply.tool_calls] == [custom]


def test_structured_output_names_its_tool(emu: EmulatorHandle, make_chat: MakeChat) -> None:
    from pydantic import BaseModel

    class Person(BaseModel):
        """A person."""

        name: str
        age: int

    chat = make_chat(api="chat_completions")
    person = chat.with_structured_output(Person).invoke('The person is "Ada", age 36.')
    assert person == Person(name="Ada", age=36)
    (body,) = chat_completions(emu)
    assert body["ToolChoice"] == "custom"
    assert body["CustomTool"]["Function"]["Name"] == "Person"


# -- Stop, Seed, and what ChatCompletions lacks ---------------------------------------------


def test_stop_and_seed_on_the_wire(emu: EmulatorHandle, make_chat: MakeChat) -> None:
    chat = make_chat(api="chat_completions", seed=42, stop=["never"], temperature=0.5)
    chat.invoke("hello world", stop=["also never"])
    chat.invoke("hello world", seed=7)
    first, second = chat_completions(emu)
    assert first["Stop"] == ["never", "also never"]
    assert first["Seed"] == 42
    assert first["Temperature"] == 0.5
    assert second["Seed"] == 7
    assert "MaxCompletionTokens" not in first


def test_llama_index_stop_and_seed(emu: EmulatorHandle, make_llm: MakeLLM) -> None:
    llm = make_llm(api="chat_completions", seed=9, stop=["never"])
    llm.chat(USER)
    list(llm.stream_chat(USER, stop=["also"], seed=10))
    first, second = chat_completions(emu)
    assert (first["Stop"], first["Seed"], first["Stream"]) == (["never"], 9, False)
    assert (second["Stop"], second["Seed"], second["Stream"]) == (["also"], 10, True)


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"api": "run_thread", "seed": 3}, ["seed", "ChatCompletions"]),
        ({"api": "chat_completions", "max_prompt_tokens": 100}, ["max_prompt_tokens"]),
        ({"api": "chat_completions", "thread_id": "thread_x"}, ["thread_id"]),
        ({"api": "chat_completions", "seed": 0}, ["seed", "[1, 10000]"]),
    ],
)
def test_fields_one_transport_lacks_are_refused_up_front(
    emu: EmulatorHandle,
    make_chat: MakeChat,
    make_llm: MakeLLM,
    settings: dict[str, Any],
    words: list[str],
) -> None:
    for make in (make_chat, make_llm):
        with pytest.raises(ValueError) as caught:
            make(**settings)
        assert all(word in str(caught.value) for word in words)
    assert emu.state.requests == []


def test_history_limit_on_chat_completions(emu: EmulatorHandle, make_chat: MakeChat) -> None:
    turns: list[Any] = []
    for i in range(CHAT_COMPLETIONS_MAX_MESSAGES // 2):
        turns += [HumanMessage(f"question {i}"), AIMessage(f"answer {i}")]
    turns.append(HumanMessage("one more"))
    with pytest.raises(ValueError, match="at most 40") as caught:
        make_chat(api="chat_completions").invoke(turns)
    assert "api='run_thread'" in str(caught.value)
    assert emu.state.requests == []
    # RunThread keeps the history in a thread: no such limit.
    assert make_chat().invoke(turns).content


# -- non-stream calls ----------------------------------------------------------------------


class _Tokens(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)


async def test_langchain_non_stream_path(emu: EmulatorHandle, make_chat: MakeChat) -> None:
    chat = make_chat(api="chat_completions")
    reply = chat.invoke("hello world")
    areply = await chat.ainvoke("hello world")
    streamed = list(chat.stream("hello world"))
    assert reply.content == areply.content == "".join(c.text for c in streamed)
    assert reply.usage_metadata == areply.usage_metadata
    assert reply.response_metadata["finish_reason"] == "stop"
    assert reply.response_metadata["request_id"] == emu.state.requests[0].request_id
    # streaming=True: callbacks get tokens, so invoke streams.
    handler = _Tokens()
    streaming = make_chat(api="chat_completions", streaming=True)
    assert streaming.invoke("hello world", config={"callbacks": [handler]}).content == reply.content
    assert "".join(handler.tokens) == reply.content
    # max_tokens is enforced on the stream's usage, so such calls stream.
    capped = make_chat(api="chat_completions", max_tokens=3).invoke("hello world")
    assert capped.response_metadata["finish_reason"] == "length"
    assert capped.usage_metadata is not None
    assert capped.usage_metadata["output_tokens"] == 3
    assert [b["Stream"] for b in chat_completions(emu)] == [False, False, True, True, True]


async def test_non_stream_message_equals_the_stream_aggregate(
    emu: EmulatorHandle, make_chat: MakeChat
) -> None:
    emu.state.queue_reply(
        text="Let me check.",
        reasoning="Two calls.",
        tool_calls=[("multiply", {"a": 2, "b": 3}), ("get_weather", {"city": "Paris"})],
        times=2,
    )
    chat = make_chat(api="chat_completions").bind_tools([multiply, get_weather])
    whole = chat.invoke("go")
    merged: Any = None
    for chunk in chat.stream("go"):
        merged = chunk if merged is None else merged + chunk
    assert [b["Stream"] for b in chat_completions(emu)] == [False, True]
    assert whole.content == merged.content == "Let me check."
    assert (
        whole.additional_kwargs == merged.additional_kwargs == {"reasoning_content": "Two calls."}
    )
    assert [(c["name"], c["args"]) for c in whole.tool_calls] == [
        ("multiply", {"a": 2, "b": 3}),
        ("get_weather", {"city": "Paris"}),
    ]
    assert [(c["name"], c["args"]) for c in merged.tool_calls] == [
        (c["name"], c["args"]) for c in whole.tool_calls
    ]
    assert whole.response_metadata["finish_reason"] == "tool_calls"
    assert whole.usage_metadata == merged.usage_metadata


async def test_completion_model_non_stream_path(emu: EmulatorHandle) -> None:
    llm = HunyuanLLM(
        base_url=emu.base_url,
        secret_id=emu.secret_id,
        secret_key=emu.secret_key,
        api="chat_completions",
    )
    text = llm.invoke("hello world")
    assert text == await llm.ainvoke("hello world")
    assert "".join(llm.stream("hello world")) == text
    result = llm.generate(["hello world"])
    info = result.generations[0][0].generation_info or {}
    assert info["finish_reason"] == "stop"
    assert info["usage_metadata"]["output_tokens"] > 0
    assert [b["Stream"] for b in chat_completions(emu)] == [False, False, True, False]


async def test_llama_index_non_stream_path(emu: EmulatorHandle, make_llm: MakeLLM) -> None:
    llm = make_llm(api="chat_completions")
    response = llm.chat(USER)
    assert (await llm.achat(USER)).message.content == response.message.content
    assert llm.complete("hello world").text == response.message.content
    assert list(llm.stream_chat(USER))[-1].message.content == response.message.content
    assert response.additional_kwargs["total_tokens"] > 0
    assert "thread_id" not in response.additional_kwargs  # no threads on ChatCompletions
    assert [b["Stream"] for b in chat_completions(emu)] == [False, False, False, True]
    assert json.dumps(response.raw)
