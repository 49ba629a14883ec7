"""Tool-call arguments that never become valid JSON (issue 13, item 5).

A model's call can end with arguments cut short (``{"city": "Bei``) or malformed. An agent must
not run the tool with values the client guessed from the fragment: through LangChain the call is
one of the message's ``invalid_tool_calls`` (with the raw text and the reason), and LlamaIndex's
``get_tool_calls_from_response`` raises ``ValueError`` for it, as for a response without a
usable call. Valid calls next to it are unaffected.
"""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.tools import FunctionTool

from hunyuan_emulator import EmulatorHandle
from tests.support.reliability import make_model

BROKEN = '{"city": "Bei'
MODES = ("sync", "async")


def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("broken", [BROKEN, '{"city": "Beijing"}}', '["Beijing"]'])
async def test_langchain_reports_unparseable_arguments_as_invalid_tool_calls(
    emu: EmulatorHandle, mode: str, broken: str
) -> None:
    emu.state.queue_reply(tool_calls=[("get_weather", broken), ("get_weather", {"city": "Xi'an"})])
    model = make_model("langchain", emu).bind_tools([get_weather])
    prompt = "What is the weather in Beijing and Xi'an?"
    reply = model.invoke(prompt) if mode == "sync" else await model.ainvoke(prompt)
    assert isinstance(reply, AIMessage)
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [
        ("get_weather", {"city": "Xi'an"})
    ]
    assert len(reply.invalid_tool_calls) == 1
    invalid = reply.invalid_tool_calls[0]
    assert (invalid["name"], invalid["args"]) == ("get_weather", broken)
    assert invalid["id"]
    assert invalid["error"] is not None
    assert "get_weather" in invalid["error"]


@pytest.mark.parametrize("mode", MODES)
async def test_llamaindex_refuses_unparseable_arguments_instead_of_guessing(
    emu: EmulatorHandle, mode: str
) -> None:
    emu.state.queue_reply(tool_calls=[("get_weather", BROKEN)])
    llm = make_model("llamaindex", emu)
    tool = FunctionTool.from_defaults(fn=get_weather)
    message = ChatMessage(role="user", content="What is the weather in Beijing?")
    if mode == "sync":
        response = llm.chat_with_tools([tool], chat_history=[message])
    else:
        response = await llm.achat_with_tools([tool], chat_history=[message])
    with pytest.raises(ValueError, match="get_weather") as info:
        llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
    assert "not valid JSON" in str(info.value)
    assert BROKEN in str(info.value)


async def test_llamaindex_stream_parses_partial_arguments_until_the_end(
    emu: EmulatorHandle,
) -> None:
    # While a call streams its arguments are partial by nature and read leniently (agents show
    # progress); the finished response is strict.
    emu.state.queue_reply(tool_calls=[("get_weather", BROKEN)])
    llm = make_model("llamaindex", emu)
    tool = FunctionTool.from_defaults(fn=get_weather)
    message = ChatMessage(role="user", content="What is the weather in Beijing?")
    responses = [r async for r in await llm.astream_chat_with_tools([tool], chat_history=[message])]
    partial = llm.get_tool_calls_from_response(responses[-2], error_on_no_tool_call=False)
    assert [s.tool_name for s in partial] == ["get_weather"]
    with pytest.raises(ValueError, match="not valid JSON"):
        llm.get_tool_calls_from_response(responses[-1], error_on_no_tool_call=False)
