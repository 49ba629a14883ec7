"""LlamaIndex FunctionAgent, ReActAgent and structured_predict on both transports: the same
answers, with each transport's own wire form (RunThread continues a thread; ChatCompletions
sends the whole history with tool calls and call ids natively, and creates no thread)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from llama_index.core.agent.workflow import FunctionAgent, ReActAgent, ToolCallResult
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.prompts import PromptTemplate
from pydantic import BaseModel

from hunyuan_emulator import EmulatorHandle
from llama_index_hunyuan import Hunyuan
from tests.support.llamaindex_agents import (
    AGENT_WARNINGS,
    ANSWER,
    REACT_ACTION,
    REACT_ANSWER,
    TOOLS,
    check_multiply_stream,
    run_sync,
)
from tests.support.transport import creates, model_calls

# StructuredLLM streaming calls pydantic's .json(), which does not come from this package either.
pytestmark = [
    *AGENT_WARNINGS,
    pytest.mark.filterwarnings("ignore:The `json` method is deprecated:DeprecationWarning"),
]

MakeLLM = Callable[..., Hunyuan]


def _check_function_loop(emu: EmulatorHandle, api: str, *, stream: bool) -> None:
    calls = model_calls(emu, api)
    assert len(calls) == 2
    if api == "run_thread":
        assert creates(emu) == 1
        assert calls[0]["AdditionalMessages"] == [{"Role": "user", "Content": "multiply 6 and 7"}]
        assert calls[0]["ToolChoice"] == "auto"
        # The second turn continues the thread: only the tool result goes over the wire.
        assert calls[1]["ThreadID"] == calls[0]["ThreadID"]
        assert calls[1]["AdditionalMessages"] == [{"Role": "tool", "Content": "42"}]
        return
    assert creates(emu) == 0
    assert [c["Stream"] for c in calls] == [stream, stream]
    assert calls[0]["Messages"] == [{"Role": "user", "Content": "multiply 6 and 7"}]
    assert calls[0]["ToolChoice"] == "auto"
    assert "CustomTool" not in calls[0]
    # No thread: the whole history, the assistant's call and the result's call id native.
    user, assistant, tool = calls[1]["Messages"]
    assert user == {"Role": "user", "Content": "multiply 6 and 7"}
    (call,) = assistant["ToolCalls"]
    assert call["Type"] == "function"
    assert call["Function"]["Name"] == "multiply"
    assert json.loads(call["Function"]["Arguments"]) == {"a": 6, "b": 7}
    assert tool == {"Role": "tool", "Content": "42", "ToolCallId": call["Id"]}


def test_function_agent_sync(emu: EmulatorHandle, make_llm: MakeLLM, api: str) -> None:
    agent = FunctionAgent(tools=TOOLS, llm=make_llm(api=api))
    assert run_sync(agent, "multiply 6 and 7") == ANSWER
    _check_function_loop(emu, api, stream=True)


@pytest.mark.parametrize("streaming", [True, False], ids=["streaming", "non-streaming"])
async def test_function_agent_async(
    emu: EmulatorHandle, make_llm: MakeLLM, api: str, streaming: bool
) -> None:
    agent = FunctionAgent(tools=TOOLS, llm=make_llm(api=api), streaming=streaming)
    assert str(await agent.run("multiply 6 and 7")) == ANSWER
    _check_function_loop(emu, api, stream=streaming)


async def test_function_agent_stream_events(
    emu: EmulatorHandle, make_llm: MakeLLM, api: str
) -> None:
    agent = FunctionAgent(tools=TOOLS, llm=make_llm(api=api), system_prompt="You calculate.")
    await check_multiply_stream(agent.run("multiply 6 and 7"))
    first = model_calls(emu, api)[0]
    sent = first.get("AdditionalMessages") or first["Messages"]
    assert sent[0] == {"Role": "system", "Content": "You calculate."}


async def test_function_agent_initial_tool_choice(
    emu: EmulatorHandle, make_llm: MakeLLM, api: str
) -> None:
    agent = FunctionAgent(tools=TOOLS, llm=make_llm(api=api), initial_tool_choice="get_weather")
    answer = str(await agent.run("Paris please"))
    assert answer == 'Based on the tool results: "It is sunny in Paris.".'
    first, second = model_calls(emu, api)
    assert first["ToolChoice"] == "custom"
    if api == "run_thread":
        # RunThread has no CustomTool: only the named tool is offered.
        assert [t["Function"]["Name"] for t in first["Tools"]] == ["get_weather"]
    else:
        assert [t["Function"]["Name"] for t in first["Tools"]] == ["multiply", "get_weather"]
        assert first["CustomTool"]["Function"]["Name"] == "get_weather"
        assert first["CustomTool"] == first["Tools"][1]
    assert second["ToolChoice"] == "auto"
    assert "CustomTool" not in second


async def test_function_agent_memory(emu: EmulatorHandle, make_llm: MakeLLM, api: str) -> None:
    agent = FunctionAgent(tools=TOOLS, llm=make_llm(api=api))
    memory = ChatMemoryBuffer.from_defaults(token_limit=10_000)
    assert str(await agent.run("multiply 6 and 7", memory=memory)) == ANSWER
    weather = str(await agent.run("now what is the weather in Paris", memory=memory))
    assert weather == 'Based on the tool results: "It is sunny in Paris.".'
    calls = model_calls(emu, api)
    assert len(calls) == 4
    if api == "run_thread":
        assert creates(emu) == 1
        assert len({c["ThreadID"] for c in calls}) == 1
        assert calls[2]["AdditionalMessages"] == [
            {"Role": "user", "Content": "now what is the weather in Paris"}
        ]
    else:
        assert creates(emu) == 0
        assert [m["Role"] for m in calls[2]["Messages"]] == [
            "user",
            "assistant",
            "tool",
            "assistant",
            "user",
        ]
        assert calls[2]["Messages"][3] == {"Role": "assistant", "Content": ANSWER}


async def test_parallel_tool_calls(emu: EmulatorHandle, make_llm: MakeLLM, api: str) -> None:
    emu.state.queue_reply(
        tool_calls=[("multiply", {"a": 2, "b": 3}), ("multiply", {"a": 4, "b": 5})]
    )
    agent = FunctionAgent(tools=TOOLS, llm=make_llm(api=api))
    handler = agent.run("multiply twice")
    results = [e async for e in handler.stream_events() if isinstance(e, ToolCallResult)]
    await handler
    assert sorted(r.tool_output.content for r in results) == ["20", "6"]
    second = model_calls(emu, api)[1]
    if api == "run_thread":
        assert [m["Role"] for m in second["AdditionalMessages"]] == ["tool", "tool"]
    else:
        _, assistant, *tools = second["Messages"]
        ids = [c["Id"] for c in assistant["ToolCalls"]]
        assert len(set(ids)) == 2
        # Results answer their calls by id, in the calls' order.
        assert [(t["Role"], t["ToolCallId"], t["Content"]) for t in tools] == [
            ("tool", ids[0], "6"),
            ("tool", ids[1], "20"),
        ]


@pytest.mark.parametrize("streaming", [True, False], ids=["streaming", "non-streaming"])
async def test_react_agent(
    emu: EmulatorHandle, make_llm: MakeLLM, api: str, streaming: bool
) -> None:
    emu.state.queue_reply(text=REACT_ACTION)
    emu.state.queue_reply(text=REACT_ANSWER)
    agent = ReActAgent(tools=TOOLS, llm=make_llm(api=api), streaming=streaming)
    handler = agent.run("What is 6 times 7?")
    results = [e async for e in handler.stream_events() if isinstance(e, ToolCallResult)]
    assert str(await handler) == "The product is 42."
    assert [r.tool_output.content for r in results] == ["42"]
    calls = model_calls(emu, api)
    assert len(calls) == 2
    # ReAct observations travel as user text; the tool specs live in the system prompt.
    assert all("Tools" not in c for c in calls)
    if api == "run_thread":
        sent = [m for c in calls for m in c["AdditionalMessages"]]
    else:
        assert creates(emu) == 0
        assert [c["Stream"] for c in calls] == [streaming, streaming]
        sent = calls[1]["Messages"]
    assert sent[0]["Role"] == "system"
    assert "multiply" in sent[0]["Content"]
    assert any(m["Role"] == "user" and "Observation: 42" in m["Content"] for m in sent)


def test_react_agent_sync_on_a_model_without_tools(
    emu: EmulatorHandle, make_llm: MakeLLM, api: str
) -> None:
    llm = make_llm(model="hunyuan-lite", api=api)
    assert not llm.metadata.is_function_calling_model
    emu.state.queue_reply(text=REACT_ACTION)
    emu.state.queue_reply(text=REACT_ANSWER)
    agent = ReActAgent(tools=TOOLS, llm=llm)
    assert run_sync(agent, "What is 6 times 7?") == "The product is 42."


class Song(BaseModel):
    """A song with its title and length."""

    title: str
    length_seconds: int


PROMPT = PromptTemplate('Write a song called "{name}" that lasts {seconds} seconds.')


def _check_song_tool(emu: EmulatorHandle, api: str, *, forced: bool = True) -> None:
    call = model_calls(emu, api)[-1]
    assert [t["Function"]["Name"] for t in call["Tools"]] == ["Song"]
    if not forced:
        # LlamaIndex's streaming program leaves the choice to the model.
        assert call["ToolChoice"] == "auto"
        assert "CustomTool" not in call
    else:
        assert call["ToolChoice"] == "custom"
        if api == "chat_completions":
            assert call["CustomTool"] == call["Tools"][0]


def test_structured_predict(emu: EmulatorHandle, make_llm: MakeLLM, api: str) -> None:
    song = make_llm(api=api).structured_predict(Song, PROMPT, name="Blue", seconds=180)
    assert song == Song(title="Blue", length_seconds=180)
    _check_song_tool(emu, api)


async def test_astructured_predict(emu: EmulatorHandle, make_llm: MakeLLM, api: str) -> None:
    llm = make_llm(api=api)
    song = await llm.astructured_predict(Song, PROMPT, name="Red", seconds=200)
    assert song == Song(title="Red", length_seconds=200)
    _check_song_tool(emu, api)


def test_stream_structured_predict(emu: EmulatorHandle, make_llm: MakeLLM, api: str) -> None:
    llm = make_llm(api=api)
    parts = list(llm.stream_structured_predict(Song, PROMPT, name="Blue", seconds=180))
    assert len(parts) > 2
    assert parts[-1] == Song(title="Blue", length_seconds=180)
    _check_song_tool(emu, api, forced=False)


def test_new_models_take_tools_on_chat_completions(make_llm: MakeLLM) -> None:
    """ChatCompletions serves newer models that take tools; RunThread does not know them."""
    assert make_llm(
        model="hunyuan-turbos-latest", api="chat_completions"
    ).metadata.is_function_calling_model
    assert not make_llm(model="hunyuan-turbos-latest").metadata.is_function_calling_model


async def test_function_agent_on_a_new_model(emu: EmulatorHandle, make_llm: MakeLLM) -> None:
    llm = make_llm(model="hunyuan-turbos-latest", api="chat_completions")
    agent = FunctionAgent(tools=TOOLS, llm=llm)
    assert str(await agent.run("multiply 6 and 7")) == ANSWER
    assert [c["Model"] for c in model_calls(emu, "chat_completions")] == [
        "hunyuan-turbos-latest"
    ] * 2
