"""Moderation: a reply Tencent's moderation stops is withdrawn, never returned, in both adapters'
async paths and in either word the OpenAI-compatible endpoint may use; ``stream_moderation``
travels as ChatCompletions' ``StreamModeration`` and is refused where there is no such field.
(tests/transport/test_semantics.py has the sync paths on every transport.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from llama_index.core.base.llms.types import ChatMessage

import hunyuan_api
from langchain_hunyuan import HunyuanContentFilterError
from tests.support.transport import ACTION, bodies

if TYPE_CHECKING:
    from hunyuan_emulator import EmulatorHandle
    from langchain_hunyuan import ChatHunyuan
    from llama_index_hunyuan import Hunyuan

MakeChat = Callable[..., "ChatHunyuan"]
MakeLLM = Callable[..., "Hunyuan"]
USER = [ChatMessage(role="user", content="hi")]
SHOWN = "Some words then"


@pytest.mark.parametrize(
    ("api", "word"),
    [
        ("run_thread", "sensitive"),
        ("chat_completions", "sensitive"),
        ("openai", "sensitive"),
        # OpenAI's word, which the OpenAI-compatible endpoint may send instead.
        ("openai", "content_filter"),
    ],
)
async def test_a_moderated_reply_raises_with_what_was_shown(
    emu: EmulatorHandle, make_chat: MakeChat, make_llm: MakeLLM, api: str, word: str
) -> None:
    """Whatever the word, nothing is returned as an answer."""
    emu.state.queue_reply(text=SHOWN, finish_reason=word, times=4)
    chat = make_chat(api=api)
    with pytest.raises(HunyuanContentFilterError) as raised:
        await chat.ainvoke("hi")
    assert raised.value.partial_text == SHOWN
    llm = make_llm(api=api)
    with pytest.raises(hunyuan_api.ContentFilterError) as raised_llm:
        await llm.achat(USER)
    assert raised_llm.value.partial_text == SHOWN
    streamed: list[Any] = []

    async def drain() -> None:
        async for response in await llm.astream_chat(USER):
            streamed.append(response)

    with pytest.raises(hunyuan_api.ContentFilterError) as raised_stream:
        await drain()
    assert streamed[-1].message.content == SHOWN
    assert streamed[-1].additional_kwargs["finish_reason"] == "content_filter"
    assert raised_stream.value.partial_text == SHOWN
    chunks: list[Any] = []
    with pytest.raises(HunyuanContentFilterError):
        chunks.extend(chat.stream("hi"))
    assert "".join(c.text for c in chunks) == SHOWN
    assert chunks[-1].response_metadata["finish_reason"] == "content_filter"
    # Moderation is the service's verdict: never retried.
    assert len(bodies(emu, ACTION[api])) == 4


def test_stream_moderation_is_a_chat_completions_field(
    emu: EmulatorHandle, make_chat: MakeChat, make_llm: MakeLLM
) -> None:
    make_chat(api="chat_completions", stream_moderation=False).invoke("hi")
    list(make_llm(api="chat_completions", stream_moderation=True).stream_chat(USER))
    sent = [b.get("StreamModeration") for b in bodies(emu, "ChatCompletions")]
    assert sent == [False, True]
    for api in ("run_thread", "openai"):
        with pytest.raises(ValueError, match="stream_moderation is a ChatCompletions field"):
            make_chat(api=api, stream_moderation=True)
        with pytest.raises(ValueError, match="stream_moderation is a ChatCompletions field"):
            make_llm(api=api, stream_moderation=True)
