"""Request fields the plugin does not model, sent as given (LangChain ``model_kwargs``, LlamaIndex
``additional_kwargs``): a field the service knows takes effect, a field the plugin models is
refused naming its setting, a field the service does not know comes back as a bad request naming
it. And several text blocks of one message reach the wire joined by a newline."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from langchain_core.messages import HumanMessage
from llama_index.core.base.llms.types import ChatMessage, TextBlock, ThinkingBlock

import hunyuan_api
from langchain_hunyuan import HunyuanBadRequestError
from tests.support.transport import ACTION, bodies, user_parts

if TYPE_CHECKING:
    from hunyuan_emulator import EmulatorHandle
    from langchain_hunyuan import ChatHunyuan
    from llama_index_hunyuan import Hunyuan

MakeChat = Callable[..., "ChatHunyuan"]
MakeLLM = Callable[..., "Hunyuan"]
USER = [ChatMessage(role="user", content="hi")]


async def test_enable_thinking_reaches_a13b(
    emu: EmulatorHandle, make_chat: MakeChat, make_llm: MakeLLM, sync: bool
) -> None:
    """``EnableThinking`` (a13b's switch, which the plugin does not model) switches its
    reasoning off, per model or per call, from both adapters."""
    chat = make_chat(api="chat_completions", model="hunyuan-a13b")
    assert chat.invoke("hi").additional_kwargs.get("reasoning_content")
    quiet = make_chat(
        api="chat_completions", model="hunyuan-a13b", model_kwargs={"EnableThinking": False}
    )
    reply = quiet.invoke("hi") if sync else await quiet.ainvoke("hi")
    assert "reasoning_content" not in reply.additional_kwargs
    assert reply.text.startswith('You said: "hi"')
    per_call = chat.invoke("hi", model_kwargs={"EnableThinking": False})
    assert "reasoning_content" not in per_call.additional_kwargs
    llm = make_llm(
        api="chat_completions", model="hunyuan-a13b", additional_kwargs={"EnableThinking": False}
    )
    response = llm.chat(USER) if sync else await llm.achat(USER)
    assert not [b for b in response.message.blocks if isinstance(b, ThinkingBlock)]
    sent = [b.get("EnableThinking") for b in bodies(emu, "ChatCompletions")]
    assert sent == [None, False, False, False]


@pytest.mark.parametrize(
    ("field", "setting"),
    [
        ("Temperature", "temperature"),
        ("EnableEnhancement", "enable_enhancement"),
        ("search_info", "search_info"),
        ("Messages", "the messages"),
        ("stream", "the call"),
    ],
)
def test_a_modelled_field_is_refused_naming_its_setting(
    emu: EmulatorHandle, make_chat: MakeChat, make_llm: MakeLLM, field: str, setting: str
) -> None:
    with pytest.raises(ValueError, match=f"model_kwargs\\['{field}'\\].*use {setting}"):
        make_chat(api="chat_completions", model_kwargs={field: True})
    with pytest.raises(ValueError, match=f"use {setting}"):
        make_llm(api="openai", additional_kwargs={field: True})
    chat = make_chat(api="chat_completions")
    with pytest.raises(ValueError, match=f"use {setting}"):
        chat.invoke("hi", model_kwargs={field: True})
    assert emu.state.requests == []


# An unknown field per API, and how the service names it.
UNKNOWN = {
    "run_thread": "EnableTelepathy",
    "chat_completions": "EnableTelepathy",
    "openai": "enable_telepathy",
}


async def test_an_unknown_field_is_a_bad_request_naming_it(
    emu: EmulatorHandle, make_chat: MakeChat, make_llm: MakeLLM, api: str, sync: bool
) -> None:
    field = UNKNOWN[api]
    chat = make_chat(api=api, model_kwargs={field: True})
    with pytest.raises(HunyuanBadRequestError, match=field) as raised:
        chat.invoke("hi") if sync else await chat.ainvoke("hi")
    if api != "openai":
        assert raised.value.code == "UnknownParameter"
    llm = make_llm(api=api, additional_kwargs={field: 1})
    with pytest.raises(hunyuan_api.BadRequestError, match=field):
        list(llm.stream_chat(USER)) if sync else [r async for r in await llm.astream_chat(USER)]
    # Sent as given, once each: a bad request is not retried.
    sent = bodies(emu, ACTION[api])
    assert [b[field] for b in sent] == [True, 1]


async def test_text_blocks_are_joined_by_a_newline_on_the_wire(
    emu: EmulatorHandle, make_chat: MakeChat, make_llm: MakeLLM, api: str
) -> None:
    blocks = [{"type": "text", "text": "First line."}, {"type": "text", "text": "Second line."}]
    reply = await make_chat(api=api).ainvoke([HumanMessage(content=blocks)])
    assert user_parts(emu, api) == (["First line.\nSecond line."], [])
    assert 'You said: "First line. Second line."' in reply.text
    message = ChatMessage(role="user", blocks=[TextBlock(text="One"), TextBlock(text="Two")])
    make_llm(api=api).chat([message])
    assert user_parts(emu, api) == (["One\nTwo"], [])
