"""FunctionAgent and ReActAgent loops, and the RunThread thread they continue."""

from __future__ import annotations

import json
from typing import Any

import pytest
from li_agent_support import (
    AGENT_WARNINGS,
    ANSWER,
    REACT_ACTION,
    REACT_ANSWER,
    TOOLS,
    check_multiply_stream,
    run_sync,
)
from llama_index.core.agent.workflow import FunctionAgent, ReActAgent, ToolCallResult
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.memory import ChatMemoryBuffer

from hunyuan_emulator import EmulatorHandle
from llama_index_hunyuan import Hunyuan

pytestmark = AGENT_WARNINGS


def _runs(emu: EmulatorHandle) -> list[dict[str, Any]]:
    return [r.body for r in emu.state.requests if r.action == "RunThread"]


def _creates(emu: EmulatorHandle) -> int:
    return sum(r.action == "CreateThread" for r in emu.state.requests)


def _check_function_loop(emu: EmulatorHandle, answer: str) -> None:
    assert answer == ANSWER
    runs = _runs(emu)
    assert len(runs) == 2
    assert _creates(emu) == 1
    assert runs[0]["AdditionalMessages"] == [{"Role": "user", "Content": "multiply 6 and 7"}]
    assert runs[0]["ToolChoice"] == "auto"
    # The second turn continues the thread: only the tool result goes over the wire.
    assert runs[1]["ThreadID"] == runs[0]["ThreadID"]
    assert runs[1]["AdditionalMessages"] == [{"Role": "tool", "Content": "42"}]


def test_function_agent_sync(emu: EmulatorHandle, llm: Hunyuan) -> None:
    agent = FunctionAgent(tools=TOOLS, llm=llm)
    _check_function_loop(emu, run_sync(agent, "multiply 6 and 7"))


@pytest.mark.parametrize("streaming", [True, False], ids=["streaming", "non-streaming"])
async def test_function_agent_async(emu: EmulatorHandle, llm: Hunyuan, streaming: bool) -> None:
    agent = FunctionAgent(tools=TOOLS, llm=llm, streaming=streaming)
    _check_function_loop(emu, str(await agent.run("multiply 6 and 7")))


async def test_function_agent_stream_events(emu: EmulatorHandle, llm: Hunyuan) -> None:
    agent = FunctionAgent(tools=TOOLS, llm=llm, system_prompt="You are a calculator.")
    await check_multiply_stream(agent.run("multiply 6 and 7"))
    first = _runs(emu)[0]["AdditionalMessages"]
    assert first[0] == {"Role": "system", "Content": "You are a calculator."}


async def test_function_agent_initial_tool_choice(emu: EmulatorHandle, llm: Hunyuan) -> None:
    agent = FunctionAgent(tools=TOOLS, llm=llm, initial_tool_choice="get_weather")
    answer = str(await agent.run("Paris please"))
    assert answer.startswith("Based on the tool results")
    runs = _runs(emu)
    assert runs[0]["ToolChoice"] == "custom"
    assert [t["Function"]["Name"] for t in runs[0]["Tools"]] == ["get_weather"]
    assert runs[1]["ToolChoice"] == "auto"


async def test_function_agent_memory_continues_the_thread(
    emu: EmulatorHandle, llm: Hunyuan
) -> None:
    agent = FunctionAgent(tools=TOOLS, llm=llm)
    memory = ChatMemoryBuffer.from_defaults(token_limit=10_000)
    await agent.run("multiply 6 and 7", memory=memory)
    await agent.run("now what is the weather in Paris", memory=memory)
    runs = _runs(emu)
    assert _creates(emu) == 1
    assert len({r["ThreadID"] for r in runs}) == 1
    assert runs[2]["AdditionalMessages"] == [
        {"Role": "user", "Content": "now what is the weather in Paris"}
    ]


async def test_parallel_tool_calls(emu: EmulatorHandle, llm: Hunyuan) -> None:
    emu.state.queue_reply(
        tool_calls=[("multiply", {"a": 2, "b": 3}), ("multiply", {"a": 4, "b": 5})]
    )
    agent = FunctionAgent(tools=TOOLS, llm=llm)
    handler = agent.run("multiply twice")
    results = [e async for e in handler.stream_events() if isinstance(e, ToolCallResult)]
    await handler
    assert sorted(r.tool_output.content for r in results) == ["20", "6"]
    second = _runs(emu)[1]["AdditionalMessages"]
    assert [m["Role"] for m in second] == ["tool", "tool"]


@pytest.mark.parametrize("streaming", [True, False], ids=["streaming", "non-streaming"])
async def test_react_agent(emu: EmulatorHandle, llm: Hunyuan, streaming: bool) -> None:
    emu.state.queue_reply(text=REACT_ACTION)
    emu.state.queue_reply(text=REACT_ANSWER)
    agent = ReActAgent(tools=TOOLS, llm=llm, streaming=streaming)
    handler = agent.run("What is 6 times 7?")
    results = [e async for e in handler.stream_events() if isinstance(e, ToolCallResult)]
    assert str(await handler) == "The product is 42."
    assert [r.tool_output.content for r in results] == ["42"]
    runs = _runs(emu)
    assert len(runs) == 2
    # ReAct observations travel as user text; the tool specs live in the system prompt.
    sent = [m for r in runs for m in r["AdditionalMessages"]]
    assert sent[0]["Role"] == "system"
    assert "multiply" in sent[0]["Content"]
    assert "Tools" not in runs[0]
    assert any(m["Role"] == "user" and "Observation: 42" in m["Content"] for m in sent)


def test_react_agent_sync_on_a_model_without_tools(emu: EmulatorHandle, make_llm: Any) -> None:
    llm = make_llm(model="hunyuan-lite")
    assert not llm.metadata.is_function_calling_model
    emu.state.queue_reply(text=REACT_ACTION)
    emu.state.queue_reply(text=REACT_ANSWER)
    agent = ReActAgent(tools=TOOLS, llm=llm)
    assert run_sync(agent, "What is 6 times 7?") == "The product is 42."


def test_history_list_is_not_mutated(llm: Hunyuan) -> None:
    history = [ChatMessage(role="user", content="multiply 6 and 7")]
    response = llm.chat_with_tools(TOOLS, chat_history=history)
    assert len(history) == 1
    assert llm.get_tool_calls_from_response(response)[0].tool_kwargs == {"a": 6, "b": 7}


async def test_function_agent_on_chat_completions(emu: EmulatorHandle, make_llm: Any) -> None:
    """ChatCompletions has no threads: each turn sends the whole history, with the tool calls
    and call ids carried natively."""
    llm = make_llm(api="chat_completions")
    agent = FunctionAgent(tools=TOOLS, llm=llm)
    assert str(await agent.run("multiply 6 and 7")) == ANSWER
    calls = [r.body for r in emu.state.requests if r.action == "ChatCompletions"]
    assert len(calls) == 2
    assert _creates(emu) == 0
    user, assistant, tool = calls[1]["Messages"]
    assert user == {"Role": "user", "Content": "multiply 6 and 7"}
    call = assistant["ToolCalls"][0]
    assert call["Function"]["Name"] == "multiply"
    assert json.loads(call["Function"]["Arguments"]) == {"a": 6, "b": 7}
    assert tool == {"Role": "tool", "Content": "42", "ToolCallId": call["Id"]}
