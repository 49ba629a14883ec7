"""predict_and_call, structured_predict, as_structured_llm and their streaming forms."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from hunyuan_emulator import EmulatorHandle
from llama_index_hunyuan import Hunyuan

# StructuredLLM's streaming path calls pydantic's deprecated .json() (LlamaIndex, not us).
pytestmark = pytest.mark.filterwarnings("ignore:The `json` method is deprecated:DeprecationWarning")


class Song(BaseModel):
    """A song with its title and length."""

    title: str
    length_seconds: int


PROMPT = PromptTemplate('Write a song called "{name}" that lasts {seconds} seconds.')


def _runs(emu: EmulatorHandle) -> list[dict[str, Any]]:
    return [r.body for r in emu.state.requests if r.action == "RunThread"]


def test_structured_predict_forces_the_tool(emu: EmulatorHandle, llm: Hunyuan) -> None:
    song = llm.structured_predict(Song, PROMPT, name="Blue", seconds=180)
    assert song == Song(title="Blue", length_seconds=180)
    run = _runs(emu)[-1]
    assert run["ToolChoice"] == "custom"
    assert [t["Function"]["Name"] for t in run["Tools"]] == ["Song"]


async def test_astructured_predict(llm: Hunyuan) -> None:
    song = await llm.astructured_predict(Song, PROMPT, name="Red", seconds=200)
    assert song == Song(title="Red", length_seconds=200)


def test_structured_predict_uses_system_prompt(
    emu: EmulatorHandle, make_llm: Callable[..., Hunyuan]
) -> None:
    llm = make_llm(system_prompt="You write short songs.")
    llm.structured_predict(Song, PROMPT, name="Blue", seconds=180)
    first = _runs(emu)[-1]["AdditionalMessages"][0]
    assert first == {"Role": "system", "Content": "You write short songs."}


def test_stream_structured_predict(llm: Hunyuan) -> None:
    parts = list(llm.stream_structured_predict(Song, PROMPT, name="Blue", seconds=180))
    assert len(parts) > 2
    final = parts[-1]
    assert isinstance(final, Song)
    assert final == Song(title="Blue", length_seconds=180)


async def test_astream_structured_predict(llm: Hunyuan) -> None:
    parts = [
        p
        async for p in await llm.astream_structured_predict(Song, PROMPT, name="Blue", seconds=180)
    ]
    assert parts[-1] == Song(title="Blue", length_seconds=180)


def test_as_structured_llm(llm: Hunyuan) -> None:
    sllm = llm.as_structured_llm(Song)
    response = sllm.chat([ChatMessage(role="user", content='A song called "Green", 95 seconds')])
    assert json.loads(response.message.content or "") == {"title": "Green", "length_seconds": 95}
    assert response.raw == Song(title="Green", length_seconds=95)
    chunks = list(
        sllm.stream_chat([ChatMessage(role="user", content='A song called "Green", 95 seconds')])
    )
    assert chunks[-1].raw == Song(title="Green", length_seconds=95)


def test_structured_predict_without_function_calling(
    emu: EmulatorHandle, make_llm: Callable[..., Hunyuan]
) -> None:
    """Models without tools fall back to LlamaIndex's JSON-in-text program."""
    llm = make_llm(model="hunyuan-standard")
    emu.state.queue_reply(text='{"title": "Blue", "length_seconds": 180}')
    assert llm.structured_predict(Song, PROMPT, name="Blue", seconds=180) == Song(
        title="Blue", length_seconds=180
    )
    assert "Tools" not in _runs(emu)[-1]


def multiply(a: int, b: int) -> int:
    """Multiply two integers and return the product."""
    return a * b


def test_predict_and_call(llm: Hunyuan) -> None:
    tool = FunctionTool.from_defaults(multiply)
    response = llm.predict_and_call([tool], user_msg="multiply 6 and 7")
    assert response.response == "42"
    assert response.sources[0].tool_name == "multiply"


async def test_apredict_and_call_single_call_by_default(emu: EmulatorHandle, llm: Hunyuan) -> None:
    emu.state.queue_reply(
        tool_calls=[("multiply", {"a": 2, "b": 3}), ("multiply", {"a": 4, "b": 5})]
    )
    tool = FunctionTool.from_defaults(multiply)
    response = await llm.apredict_and_call([tool], user_msg="multiply twice")
    assert response.response == "6"
    emu.state.queue_reply(
        tool_calls=[("multiply", {"a": 2, "b": 3}), ("multiply", {"a": 4, "b": 5})]
    )
    both = await llm.apredict_and_call([tool], user_msg="again", allow_parallel_tool_calls=True)
    assert both.response == "6\n\n20"


def test_stream_chat_with_tools_single_call_by_default(emu: EmulatorHandle, llm: Hunyuan) -> None:
    """LlamaIndex checks ``allow_parallel_tool_calls`` only on whole replies; the core's limit
    holds for streamed ones too, on every chunk."""
    two = [("multiply", {"a": 2, "b": 3}), ("multiply", {"a": 4, "b": 5})]
    tool = FunctionTool.from_defaults(multiply)
    emu.state.queue_reply(tool_calls=two, times=2)
    chunks = list(llm.stream_chat_with_tools([tool], user_msg="multiply twice"))
    assert {len(llm.get_tool_calls_from_response(c, False)) for c in chunks} <= {0, 1}
    (call,) = llm.get_tool_calls_from_response(chunks[-1])
    assert call.tool_kwargs == {"a": 2, "b": 3}
    chunks = list(
        llm.stream_chat_with_tools([tool], user_msg="again", allow_parallel_tool_calls=True)
    )
    assert len(llm.get_tool_calls_from_response(chunks[-1])) == 2
