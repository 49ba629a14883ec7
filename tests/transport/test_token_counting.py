"""Token counting without a request per count: each distinct message is asked about once per
client (GetTokenCount, concurrently), remembered by digest, and what happens offline is the
``token_counting`` setting's decision."""

from __future__ import annotations

import asyncio
import copy
import pickle
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.messages import trim_messages as lc_trim_messages

import hunyuan_api
from hunyuan_api import RetryPolicy
from hunyuan_api._run.tokens import TokenCountCache, estimate_tokens
from hunyuan_emulator import EmulatorHandle, Fault, count_tokens
from langchain_hunyuan import ChatHunyuan, HunyuanAuthenticationError, HunyuanConnectionError
from langchain_hunyuan._messages import convert_messages, render_for_count
from tests.support.common import emulator_settings

MakeChat = Callable[..., ChatHunyuan]

#: A system prompt and seven turns: eight distinct messages.
HISTORY: list[BaseMessage] = [
    SystemMessage("You answer in one sentence."),
    *[
        (HumanMessage if i % 2 == 0 else AIMessage)(f"turn {i}: " + "word " * (3 + 2 * i))
        for i in range(7)
    ],
]


def counts(emu: EmulatorHandle) -> int:
    return sum(1 for r in emu.state.requests if r.action == "GetTokenCount")


def joined_count(messages: Sequence[BaseMessage]) -> int:
    """What a count of ``messages`` was before counts were per message: one request for their
    rendering joined by newlines (the emulator's tokenizer, run locally)."""
    return count_tokens("\n".join(render_for_count(m) for m in convert_messages(messages)))


def trim(messages: Sequence[BaseMessage], counter: object) -> list[BaseMessage]:
    return lc_trim_messages(
        messages,
        max_tokens=40,
        token_counter=counter,  # type: ignore[arg-type]
        strategy="last",
        include_system=True,
        start_on="human",
    )


def test_trim_messages_asks_about_each_message_once(
    emu: EmulatorHandle, make_chat: MakeChat
) -> None:
    chat = make_chat()
    kept = trim(HISTORY, chat)
    # Eight messages, eight requests, however many times langchain-core recounted sublists...
    assert counts(emu) == len(HISTORY)
    assert {r.body["Prompt"] for r in emu.state.requests} == {
        render_for_count(m) for m in convert_messages(HISTORY)
    }
    # ...the same messages kept as with one request per recount (the previous behaviour)...
    assert kept == trim(HISTORY, joined_count)
    assert kept[0] == HISTORY[0]
    assert 1 < len(kept) < len(HISTORY)
    # ...and none at all the second time, nor for a history that grew by one message.
    assert trim(HISTORY, chat) == kept
    assert counts(emu) == len(HISTORY)
    chat.get_num_tokens_from_messages([*HISTORY, HumanMessage("one more")])
    assert counts(emu) == len(HISTORY) + 1


def test_a_count_asks_once_per_distinct_text(emu: EmulatorHandle, make_chat: MakeChat) -> None:
    chat = make_chat()
    repeated = [HumanMessage("again and again")] * 5 + [AIMessage("again and again")]
    total = chat.get_num_tokens_from_messages(repeated)
    assert counts(emu) == 2  # "user: ..." and "assistant: ..."
    assert total == joined_count(repeated)
    assert chat.get_num_tokens("user: again and again") == count_tokens("user: again and again")
    assert counts(emu) == 2  # the same text through get_num_tokens: the same cache


def test_copies_and_pickles_do_not_carry_the_counts(
    emu: EmulatorHandle, make_chat: MakeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = make_chat()
    total = chat.get_num_tokens_from_messages(HISTORY)
    copied = copy.deepcopy(chat)
    # A pickle carries no secret: the unpickled model reads the pair from the environment.
    monkeypatch.setenv("HUNYUAN_SECRET_ID", emu.secret_id)
    monkeypatch.setenv("HUNYUAN_SECRET_KEY", emu.secret_key)
    restored = pickle.loads(pickle.dumps(chat))
    assert list(copied._clients) == list(restored._clients) == []
    assert copied.get_num_tokens_from_messages(HISTORY) == total
    assert counts(emu) == 2 * len(HISTORY)
    assert restored.get_num_tokens_from_messages(HISTORY) == total
    assert counts(emu) == 3 * len(HISTORY)
    # The original kept its own.
    assert chat.get_num_tokens_from_messages(HISTORY) == total
    assert counts(emu) == 3 * len(HISTORY)


def test_a_changed_endpoint_is_a_new_cache(emu: EmulatorHandle, make_chat: MakeChat) -> None:
    chat = make_chat()
    chat.get_num_tokens("count me")
    chat.base_url = emu.base_url + "/"  # the same emulator, but another client
    chat.get_num_tokens("count me")
    assert counts(emu) == 2


def test_async_client_counts_concurrently_and_remembers(emu: EmulatorHandle) -> None:
    client = hunyuan_api.AsyncHunyuanClient(**emulator_settings(emu))
    texts = ["一二三", "four five", "一二三", "six"]

    async def count() -> list[int]:
        return await asyncio.wait_for(client.count_tokens_many(texts), timeout=30)

    # A new event loop per call (asyncio.run), as scripts and notebooks do: the counts outlive it.
    assert asyncio.run(count()) == [count_tokens(t) for t in texts]
    assert counts(emu) == 3
    assert asyncio.run(count()) == [count_tokens(t) for t in texts]
    assert asyncio.run(client.count_tokens("six")) == 1
    assert counts(emu) == 3


def test_a_cancelled_async_count_sends_nothing_more(emu: EmulatorHandle) -> None:
    emu.state.add_fault(Fault.slow_first_byte(1), action="GetTokenCount", count=20)
    client = hunyuan_api.AsyncHunyuanClient(**emulator_settings(emu))
    texts = [f"text {i}" for i in range(20)]

    async def cancelled() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.count_tokens_many(texts), timeout=0.3)
        # On the same loop, past the time the slow answers take: a request the cancellation
        # left running would have sent the next wave, or filled the cache, by now.
        await asyncio.sleep(1.5)

    asyncio.run(cancelled())
    # Only the first wave was sent, and nothing it had not answered was remembered.
    assert counts(emu) <= 8
    assert len(client.token_counts) == 0


@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_a_failed_count_keeps_the_counts_beside_it(emu: EmulatorHandle, sync: bool) -> None:
    """One request of four fails: the count raises, and the three answers that arrived are
    remembered, so the next count asks about the failed text alone."""
    settings = {**emulator_settings(emu), "max_retries": 0}
    texts = ["alpha beta", "gamma delta", "epsilon zeta", "eta theta"]
    emu.state.add_fault(Fault.error("InternalError"), action="GetTokenCount")
    if sync:
        client: Any = hunyuan_api.HunyuanClient(**settings)
        count = client.count_tokens_many
    else:
        client = hunyuan_api.AsyncHunyuanClient(**settings)

        def count(texts: list[str]) -> list[int]:
            return asyncio.run(client.count_tokens_many(texts))

    with pytest.raises(hunyuan_api.ServerError) as caught:
        count(texts)
    assert caught.value.code == "InternalError"
    assert caught.value.request_id
    assert len(client.token_counts) == 3
    assert count(texts) == [count_tokens(t) for t in texts]
    assert counts(emu) == len(texts) + 1


@pytest.mark.parametrize(
    ("low", "high"),
    [(0x3000, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x20000, 0x2FFFF)],
)
def test_the_estimate_counts_wide_characters_one_each(low: int, high: int) -> None:
    for inside in (low, high):
        assert estimate_tokens(chr(inside) * 8) == 8
    for outside in (low - 1, high + 1):
        assert estimate_tokens(chr(outside) * 8) == 2  # four narrow characters a token


# -- offline ----------------------------------------------------------------------------------


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RetryPolicy, "delay", lambda self, attempt, rng=None: 0.0)


def offline(**settings: Any) -> ChatHunyuan:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    return ChatHunyuan(
        base_url="http://127.0.0.1:9", secret_id="AKIDoffline", secret_key="offline", **settings
    )


def estimated(messages: Sequence[BaseMessage]) -> int:
    return sum(estimate_tokens(render_for_count(m)) for m in convert_messages(messages))


def test_offline_counting_raises_and_names_the_setting(no_backoff: None) -> None:
    with pytest.raises(HunyuanConnectionError) as caught:
        offline().get_num_tokens_from_messages(HISTORY)
    assert "token_counting='service_or_estimate'" in str(caught.value)


def test_offline_counting_estimates_when_asked(no_backoff: None) -> None:
    chat = offline(token_counting="service_or_estimate")
    assert chat.get_num_tokens_from_messages(HISTORY) == estimated(HISTORY)
    kept = trim(HISTORY, chat)
    assert kept == trim(HISTORY, estimated)
    # Estimates are not remembered: the next count asks the service again.
    assert len(chat._client.token_counts) == 0


def test_estimate_never_asks(emu: EmulatorHandle, make_chat: MakeChat) -> None:
    chat = make_chat(token_counting="estimate")
    assert chat.get_num_tokens_from_messages(HISTORY) == estimated(HISTORY)
    assert trim(HISTORY, chat) == trim(HISTORY, estimated)
    assert emu.state.requests == []


def test_a_server_error_is_estimated_only_for_its_text(
    emu: EmulatorHandle, make_chat: MakeChat
) -> None:
    emu.state.add_fault(Fault.error("InternalError"), action="GetTokenCount")
    chat = make_chat(token_counting="service_or_estimate", max_retries=0)
    # Texts whose estimates differ from the emulator's counts.
    texts = ["alpha beta gamma delta", "one two three four five six seven"]
    both = chat._client.count_tokens_many(texts)
    # One of the two (whichever reached the emulator first) met the fault and was estimated.
    assert sorted(both) != sorted(count_tokens(t) for t in texts)
    assert len(chat._client.token_counts) == 1
    assert chat._client.count_tokens_many(texts) == [count_tokens(t) for t in texts]
    assert counts(emu) == 3


def test_a_refusal_is_raised_even_when_estimates_are_allowed(
    emu: EmulatorHandle, make_chat: MakeChat
) -> None:
    chat = make_chat(secret_key="not-the-emulator-key", token_counting="service_or_estimate")
    with pytest.raises(HunyuanAuthenticationError):
        chat.get_num_tokens_from_messages(HISTORY)


# -- the cache ----------------------------------------------------------------------------------


def test_the_cache_is_bounded_and_keeps_no_text() -> None:
    cache = TokenCountCache(size=2)
    cache.put("first secret-looking text", 1)
    cache.put("second", 2)
    assert cache.get("first secret-looking text") == 1  # now the most recently used
    cache.put("third", 3)
    assert (cache.get("second"), cache.get("first secret-looking text"), len(cache)) == (None, 1, 2)
    assert all(isinstance(key, bytes) and len(key) == 16 for key in cache._counts)
    assert b"secret" not in b"".join(cache._counts)


def test_changing_the_setting_takes_effect(emu: EmulatorHandle, make_chat: MakeChat) -> None:
    chat = make_chat()
    chat.get_num_tokens("counted by the service")
    chat.token_counting = "estimate"
    assert chat.get_num_tokens("not sent anywhere") == estimate_tokens("not sent anywhere")
    assert counts(emu) == 1
