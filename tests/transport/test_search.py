"""Search enhancement through both adapters, on ChatCompletions and the OpenAI-compatible
endpoint: the switches travel under each API's names, the results come back as ``search_info``
metadata (LangChain ``response_metadata``, LlamaIndex ``additional_kwargs``) on whole answers and
on the last chunk of a stream, only when a search ran and they were asked for, and citation marks
stay in the text as sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from llama_index.core.base.llms.types import ChatMessage

from hunyuan_emulator.model import search
from tests.support.transport import ACTION, bodies

if TYPE_CHECKING:
    from hunyuan_emulator import EmulatorHandle
    from langchain_hunyuan import ChatHunyuan
    from llama_index_hunyuan import Hunyuan

MakeChat = Callable[..., "ChatHunyuan"]
MakeLLM = Callable[..., "Hunyuan"]

QUESTION = "Who won the 2024 Olympic marathon?"
ON = {"enable_enhancement": True, "search_info": True, "citation": True}
CITED = f'You said: "{QUESTION}".[^1] This is a deterministic reply from the Hunyuan emulator.[^2]'
# The results the emulator's search finds for QUESTION, as the adapters report them.
RESULTS = {
    "search_results": [
        {"index": r.index, "title": r.title, "url": r.url, "text": r.text, "icon": r.icon}
        for r in search(QUESTION)
    ]
}
WIRE_NAMES = {
    "chat_completions": ["EnableEnhancement", "SearchInfo", "Citation"],
    "openai": ["enable_enhancement", "search_info", "citation"],
}


@pytest.fixture(params=["chat_completions", "openai"])
def api(request: pytest.FixtureRequest) -> str:
    """The transports that search."""
    return str(request.param)


def switches_sent(emu: EmulatorHandle, api: str) -> list[dict[str, Any]]:
    """The search fields of each model call, by their wire names."""
    names = WIRE_NAMES[api] + ["ForceSearchEnhancement", "force_search_enhancement"]
    return [{k: v for k, v in b.items() if k in names} for b in bodies(emu, ACTION[api])]


async def test_langchain_reports_search_results_and_keeps_citations(
    emu: EmulatorHandle, make_chat: MakeChat, api: str, sync: bool
) -> None:
    chat = make_chat(api=api, model="hunyuan-turbos-latest", **ON)
    reply = chat.invoke(QUESTION) if sync else await chat.ainvoke(QUESTION)
    assert reply.text == CITED
    assert reply.response_metadata["search_info"] == RESULTS
    if sync:
        chunks = list(chat.stream(QUESTION))
    else:
        chunks = [chunk async for chunk in chat.astream(QUESTION)]
    assert "".join(chunk.text for chunk in chunks) == CITED
    # The results arrive with the stream's first chunk; they are reported once, at its end.
    assert [("search_info" in c.response_metadata) for c in chunks] == [False] * (
        len(chunks) - 1
    ) + [True]
    assert chunks[-1].response_metadata["search_info"] == RESULTS
    assert switches_sent(emu, api) == [dict.fromkeys(WIRE_NAMES[api], True)] * 2


async def test_llama_index_reports_search_results_and_keeps_citations(
    emu: EmulatorHandle, make_llm: MakeLLM, api: str, sync: bool
) -> None:
    llm = make_llm(api=api, model="hunyuan-turbos-latest", **ON)
    messages = [ChatMessage(role="user", content=QUESTION)]
    response = llm.chat(messages) if sync else await llm.achat(messages)
    assert response.message.content == CITED
    assert response.additional_kwargs["search_info"] == RESULTS
    if sync:
        streamed = list(llm.stream_chat(messages))
    else:
        streamed = [r async for r in await llm.astream_chat(messages)]
    assert streamed[-1].message.content == CITED
    assert streamed[-1].additional_kwargs["search_info"] == RESULTS
    assert "search_info" not in streamed[0].additional_kwargs
    assert switches_sent(emu, api) == [dict.fromkeys(WIRE_NAMES[api], True)] * 2


def test_off_by_default_nothing_sent_nothing_reported(
    emu: EmulatorHandle, make_chat: MakeChat, make_llm: MakeLLM, api: str
) -> None:
    """The plugin leaves the service's default (off since 2025-04-20): no field is sent."""
    reply = make_chat(api=api).invoke(QUESTION)
    assert "search_info" not in reply.response_metadata
    assert "[^" not in reply.text
    response = make_llm(api=api).chat([ChatMessage(role="user", content=QUESTION)])
    assert "search_info" not in response.additional_kwargs
    assert switches_sent(emu, api) == [{}, {}]


def test_results_only_when_asked_for(
    emu: EmulatorHandle, make_chat: MakeChat, make_llm: MakeLLM, api: str
) -> None:
    """Tencent returns SearchInfo only "在值为true且命中搜索时": searching alone reports none."""
    searching = make_chat(api=api, enable_enhancement=True)
    assert "search_info" not in searching.invoke(QUESTION).response_metadata
    # Per call, and forced search without enhancement.
    forced = searching.invoke(QUESTION, force_search_enhancement=True, search_info=True)
    assert forced.response_metadata["search_info"] == RESULTS
    llm = make_llm(api=api, force_search_enhancement=True, search_info=True)
    response = llm.chat([ChatMessage(role="user", content=QUESTION)])
    assert response.additional_kwargs["search_info"] == RESULTS
    assert "[^" not in (response.message.content or "")
    # hunyuan-lite has no search enhancement: the switches are sent, nothing is found.
    lite = make_chat(api=api, model="hunyuan-lite", **ON).invoke(QUESTION)
    assert "search_info" not in lite.response_metadata
    assert len(switches_sent(emu, api)) == 4


def test_run_thread_has_no_search(make_chat: MakeChat, make_llm: MakeLLM) -> None:
    for name in ("enable_enhancement", "search_info", "citation", "force_search_enhancement"):
        with pytest.raises(ValueError, match=f"{name} .*api='chat_completions' or 'openai'"):
            make_chat(**{name: True})
        with pytest.raises(ValueError, match=f"{name} .*api='chat_completions' or 'openai'"):
            make_llm(**{name: True})
