"""What LangChain code written for other partner packages expects of a model: binding
``parallel_tool_calls``, ``llm_output`` on results, copies and pickles of a model that has made
calls, and the ``load`` allowlist. Each test runs its body on the sync and the async path."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from langchain_core.load import dumpd, load
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool

from langchain_hunyuan import ChatHunyuan, HunyuanLLM
from tests.support.common import COPIES, SHALLOW_COPIES, on_emulator
from tests.support.langchain import aggregate, collect, invoke, runs

if TYPE_CHECKING:
    from hunyuan_emulator import EmulatorHandle

MakeChat = Callable[..., ChatHunyuan]


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"It is sunny in {city}."


TWO_CALLS = [("get_weather", {"city": "上海"}), ("get_weather", {"city": "北京"})]

# -- parallel_tool_calls ------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["run_thread", "chat_completions", "openai"])
async def test_parallel_tool_calls_false_keeps_the_first_call(
    make_chat: MakeChat, emu: EmulatorHandle, sync: bool, api: str
) -> None:
    chat = make_chat(api=api)
    single = chat.bind_tools([get_weather], parallel_tool_calls=False)
    emu.state.queue_reply(tool_calls=TWO_CALLS, times=3)
    reply = await invoke(single, "weather in both?", sync)
    assert [c["args"] for c in reply.tool_calls] == [{"city": "上海"}]
    chunks = await collect(single, "weather in both?", sync)
    assert {c["index"] for chunk in chunks for c in chunk.tool_call_chunks} == {0}
    assert [c["args"] for c in aggregate(chunks).tool_calls] == [{"city": "上海"}]
    # The same model without the limit gets every call the service made.
    both = await invoke(chat.bind_tools([get_weather]), "weather in both?", sync)
    assert len(both.tool_calls) == 2
    # Sent where the API has the field (the OpenAI-compatible one), never elsewhere.
    with_tools = [r.body for r in emu.state.requests if {"Tools", "tools"} & set(r.body)]
    sent = [body.get("parallel_tool_calls") for body in with_tools]
    assert sent == ([False, False, None] if api == "openai" else [None, None, None])
    assert not [key for body in with_tools for key in body if key.lower() == "paralleltoolcalls"]


async def test_after_a_withheld_call_the_next_turn_replays(
    make_chat: MakeChat, emu: EmulatorHandle, sync: bool
) -> None:
    """The service's thread holds both calls, the caller answered one: continuing that thread
    would leave a call unanswered, so the next turn goes to a fresh thread."""
    single = make_chat().bind_tools([get_weather], parallel_tool_calls=False)
    emu.state.queue_reply(tool_calls=TWO_CALLS)
    question = HumanMessage("weather in both?")
    reply = await invoke(single, [question], sync)
    (call,) = reply.tool_calls
    answer = {"role": "tool", "content": "晴", "tool_call_id": call["id"]}
    follow = await invoke(single, [question, reply, answer], sync)
    assert follow.response_metadata["continued_thread"] is False
    first, second = runs(emu)
    assert first.body["ThreadID"] != second.body["ThreadID"]


# -- llm_output ---------------------------------------------------------------------------------


async def test_llm_output_has_token_usage_and_model_name(make_chat: MakeChat, sync: bool) -> None:
    chat = make_chat(model="hunyuan-pro")
    batch = [[HumanMessage("one")], [HumanMessage("two")]]
    result = chat.generate(batch) if sync else await chat.agenerate(batch)
    replies = [g[0].message for g in result.generations]
    usages = [r.response_metadata["token_usage"] for r in replies]
    assert result.llm_output is not None
    assert result.llm_output["model_name"] == "hunyuan-pro"
    assert result.llm_output["model_provider"] == "hunyuan"
    assert result.llm_output["token_usage"] == {
        key: sum(u[key] for u in usages) for key in ("prompt_tokens", "completion_tokens")
    } | {"total_tokens": sum(u["total_tokens"] for u in usages)}
    assert all(u["total_tokens"] > 0 for u in usages)
    # Each call's own result (what callbacks' on_llm_end receives) names the model it asked for.
    seen: list[Any] = []

    from langchain_core.callbacks import BaseCallbackHandler

    class Ends(BaseCallbackHandler):
        def on_llm_end(self, response: Any, **kwargs: Any) -> None:
            seen.append(response.llm_output)

    config: Any = {"callbacks": [Ends()]}
    await invoke(chat, "hi", sync, config=config, model="hunyuan-turbo")
    assert seen[0]["model_name"] == "hunyuan-turbo"
    assert seen[0]["token_usage"]["total_tokens"] > 0


# -- copies and pickles -------------------------------------------------------------------------


@pytest.mark.parametrize("how", sorted(COPIES))
@pytest.mark.parametrize("cls", [ChatHunyuan, HunyuanLLM])
async def test_a_used_model_copies_and_pickles(
    cls: type[ChatHunyuan | HunyuanLLM],
    how: str,
    emu: EmulatorHandle,
    sync: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Secrets never enter a pickle: the unpickled model reads them from the environment.
    monkeypatch.setenv("HUNYUAN_SECRET_ID", emu.secret_id)
    monkeypatch.setenv("HUNYUAN_SECRET_KEY", emu.secret_key)
    model = on_emulator(cls, emu)(temperature=0.5)
    await invoke(model, "before", sync)
    client = model._client if sync else model._async_client

    copied = COPIES[how](model)
    await invoke(copied, "after", sync)
    await invoke(model, "the original still works", sync)

    copied_client = copied._client if sync else copied._async_client
    assert (copied_client is client) == (how in SHALLOW_COPIES)
    assert copied.temperature == 0.5
    assert [r.body["Temperature"] for r in runs(emu)] == [0.5] * 3


# -- load ---------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:The function `load` is in beta")
def test_load_allows_what_langchain_core_allows_a_partner_package() -> None:
    """langchain-core's ``load`` admits a class by its path: ChatOpenAI's is in
    ``langchain_core.load.mapping`` and its package in ``DEFAULT_NAMESPACES``, so
    ``allowed_objects="all"`` loads it; a package outside langchain-core is in neither, and
    names itself through the two arguments ``load`` has for that (README "Serialization")."""
    chat = ChatHunyuan(model="hunyuan-pro", secret_id="AKIDload", secret_key="load-key")
    data = dumpd(chat)
    path = tuple(data["id"])
    assert path == ("langchain_hunyuan", "chat_models", "ChatHunyuan")
    secrets = {"HUNYUAN_SECRET_ID": "AKIDload", "HUNYUAN_SECRET_KEY": "load-key"}
    by_class = load(
        data,
        allowed_objects=[ChatHunyuan],
        valid_namespaces=["langchain_hunyuan"],
        secrets_map=secrets,
    )
    by_mapping = load(
        data,
        allowed_objects="all",
        valid_namespaces=["langchain_hunyuan"],
        additional_import_mappings={path: path},
        secrets_map=secrets,
    )
    for loaded in (by_class, by_mapping):
        assert isinstance(loaded, ChatHunyuan)
        assert loaded.model == "hunyuan-pro"
        assert loaded.secret_key is not None
        assert loaded.secret_key.get_secret_value() == "load-key"
    with pytest.raises(ValueError, match="is not allowed"):
        load(data, allowed_objects="all", valid_namespaces=["langchain_hunyuan"])
