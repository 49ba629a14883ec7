"""ChatHunyuan inside LangChain 1.x: a ``create_agent`` tool loop and LCEL chains."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain.agents import create_agent
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_hunyuan import ChatHunyuan, HunyuanLLM
from tests.support.common import CHECKED_RUN
from tests.support.langchain import actions, collect, invoke, runs, sent

if TYPE_CHECKING:
    from hunyuan_emulator import EmulatorHandle

calls: list[str] = []


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    calls.append(city)
    return f"It is always sunny in {city}."


async def test_create_agent_tool_loop(chat: ChatHunyuan, emu: EmulatorHandle, sync: bool) -> None:
    calls.clear()
    agent = create_agent(chat, tools=[get_weather], system_prompt="You are a helpful assistant.")
    question = {"messages": [HumanMessage("What is the weather in San Francisco, CA?")]}
    state = await invoke(agent, question, sync)
    messages = state["messages"]
    assert [type(m) for m in messages] == [HumanMessage, AIMessage, ToolMessage, AIMessage]
    assert calls == ["San Francisco, CA"]
    assert "It is always sunny in San Francisco, CA." in messages[-1].text

    # The tool result went onto the thread that holds the question: no replay.
    assert actions(emu) == ["CreateThread", "RunThread", "RunThread"]
    first, second = runs(emu)
    assert first.body["ThreadID"] == second.body["ThreadID"]
    assert [m["Role"] for m in sent(first)] == ["system", "user"]
    assert sent(second) == [{"Role": "tool", "Content": "It is always sunny in San Francisco, CA."}]

    # A follow-up turn on the agent's history continues the same thread.
    follow_up = {"messages": [*messages, HumanMessage("Thanks, that is all.")]}
    await invoke(agent, follow_up, sync)
    assert actions(emu)[-3:] == list(CHECKED_RUN)
    assert actions(emu).count("CreateThread") == 1
    assert sent(runs(emu)[-1]) == [{"Role": "user", "Content": "Thanks, that is all."}]


async def test_create_agent_streams_messages(
    chat: ChatHunyuan, emu: EmulatorHandle, sync: bool
) -> None:
    agent = create_agent(chat, tools=[get_weather])
    question = {"messages": [HumanMessage("What is the weather in 北京? Use get_weather.")]}
    if sync:
        parts = list(agent.stream(question, stream_mode="messages"))
    else:
        parts = [p async for p in agent.astream(question, stream_mode="messages")]
    tokens = [message for message, _ in parts if isinstance(message, AIMessageChunk)]
    assert any(chunk.tool_call_chunks for chunk in tokens)
    assert "".join(chunk.text for chunk in tokens).strip()
    assert actions(emu).count("CreateThread") == 1


class Weather(BaseModel):
    """The weather report."""

    city: str
    summary: str


async def test_create_agent_with_structured_response(chat: ChatHunyuan, sync: bool) -> None:
    agent = create_agent(chat, tools=[get_weather], response_format=Weather)
    state = await invoke(
        agent,
        {"messages": [HumanMessage('Fill in the Weather report: city: "Paris", summary: "sunny"')]},
        sync,
    )
    assert state["structured_response"] == Weather(city="Paris", summary="sunny")


async def test_lcel_chain(chat: ChatHunyuan, emu: EmulatorHandle, sync: bool) -> None:
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer in one sentence."), ("human", "Tell me about {topic}.")]
    )
    chain = prompt | chat | StrOutputParser()
    text = await invoke(chain, {"topic": "熊猫"}, sync)
    assert isinstance(text, str)
    assert "熊猫" in text
    pieces = await collect(chain, {"topic": "熊猫"}, sync)
    assert len(pieces) > 3
    assert "".join(pieces) == text
    batch: list[Any] = (
        chain.batch([{"topic": "a"}, {"topic": "b"}])
        if sync
        else await chain.abatch([{"topic": "a"}, {"topic": "b"}])
    )
    assert len(batch) == 2
    assert all(isinstance(t, str) and t for t in batch)
    assert sent(runs(emu)[0])[0] == {"Role": "system", "Content": "Answer in one sentence."}


async def test_lcel_chain_with_the_llm(make_llm: Any, sync: bool) -> None:
    chain = (
        ChatPromptTemplate.from_template("Say hello to {name}.") | make_llm() | StrOutputParser()
    )
    text = await invoke(chain, {"name": "World"}, sync)
    assert "Say hello to World." in text
    assert isinstance(make_llm(), HunyuanLLM)
