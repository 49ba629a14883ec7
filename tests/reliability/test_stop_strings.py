"""``stop="Hangzhou"``: a string is one stop sequence everywhere (issue 13, item 6).

Many callers pass a single stop sequence as a string. Split into characters it would cut the
output at the first ``H``. Every way to give it (model setting, LangChain ``invoke(stop=...)``,
LlamaIndex per-call keyword), through invoke and stream, sync and async, cuts at the word.
"""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage

from hunyuan_emulator import EmulatorHandle
from langchain_hunyuan import HunyuanLLM
from tests.support.common import emulator_settings
from tests.support.reliability import make_model

REPLY = "Hello from Hefei, then on to Hangzhou by the lake."
CUT = "Hello from Hefei, then on to "


async def _langchain(model: Any, mode: str, call: str, **kwargs: Any) -> str:
    if call == "invoke":
        reply = (
            model.invoke("go", **kwargs) if mode == "sync" else await model.ainvoke("go", **kwargs)
        )
        return str(getattr(reply, "content", reply))
    if mode == "sync":
        return "".join(str(getattr(c, "content", c)) for c in model.stream("go", **kwargs))
    return "".join([str(getattr(c, "content", c)) async for c in model.astream("go", **kwargs)])


async def _llamaindex(model: Any, mode: str, call: str, **kwargs: Any) -> str:
    messages = [ChatMessage(role="user", content="go")]
    if call == "invoke":
        if mode == "sync":
            response = model.chat(messages, **kwargs)
        else:
            response = await model.achat(messages, **kwargs)
        return str(response.message.content)
    if mode == "sync":
        return "".join(r.delta or "" for r in model.stream_chat(messages, **kwargs))
    return "".join([r.delta or "" async for r in await model.astream_chat(messages, **kwargs)])


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("call", ["invoke", "stream"])
@pytest.mark.parametrize("where", ["setting", "per call"])
@pytest.mark.parametrize("adapter", ["ChatHunyuan", "HunyuanLLM", "Hunyuan"])
async def test_a_stop_string_is_one_sequence(
    emu: EmulatorHandle, adapter: str, where: str, call: str, mode: str
) -> None:
    emu.state.queue_reply(text=REPLY)
    setting: dict[str, Any] = {"stop": "Hangzhou"} if where == "setting" else {}
    per_call: dict[str, Any] = {"stop": "Hangzhou"} if where == "per call" else {}
    if adapter == "Hunyuan":
        text = await _llamaindex(make_model("llamaindex", emu, **setting), mode, call, **per_call)
    elif adapter == "ChatHunyuan":
        text = await _langchain(make_model("langchain", emu, **setting), mode, call, **per_call)
    else:
        llm = HunyuanLLM(**emulator_settings(emu), **setting)
        text = await _langchain(llm, mode, call, **per_call)
    assert text == CUT
