"""Embedding calls on every way in against the emulator: GetEmbedding with a SecretId/SecretKey
pair (``run_thread``/``chat_completions``), ``/v1/embeddings`` with an API KEY (``openai``);
batches, order, the concurrency limit as the emulator measures it, retries, failures under its
faults, cancellation."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from hunyuan_api import (
    AsyncHunyuanClient,
    BadRequestError,
    EmbeddingOptions,
    HunyuanClient,
    RetryPolicy,
)
from hunyuan_api._run.embeddings import DEFAULT_MAX_CONCURRENCY
from hunyuan_emulator import EmulatorHandle
from hunyuan_emulator.model.embedding import embed_text
from tests.support.common import emulator_settings

TEXTS = [f"document {i}: 第{i}份文件 about topic {i % 7}" for i in range(120)]
FAST = RetryPolicy(initial_delay=0.01, max_delay=0.01)


def expected(text: str) -> list[float]:
    """The emulator's own vector for ``text`` (its model, independent of the client)."""
    return embed_text(text, dimensions=1024, max_tokens=1024)


def action_of(api: str) -> str:
    return "v1/embeddings" if api == "openai" else "GetEmbedding"


async def embed(sync: bool, emu: EmulatorHandle, api: str, texts: list[str], **options: Any) -> Any:
    settings = {**emulator_settings(emu, api), "retry_policy": FAST}
    opts = EmbeddingOptions(**options)
    if sync:
        with HunyuanClient(**settings) as client:
            return await asyncio.to_thread(client.embed, texts, opts)
    async with AsyncHunyuanClient(**settings) as aclient:
        return await aclient.embed(texts, opts)


def requests_of(emu: EmulatorHandle, api: str) -> list[Any]:
    return [r for r in emu.state.requests if r.action == action_of(api)]


async def test_batches_of_fifty_in_the_order_of_the_texts(
    sync: bool, emu: EmulatorHandle, api: str
) -> None:
    result = await embed(sync, emu, api, TEXTS)
    assert result.embeddings == [expected(t) for t in TEXTS]
    sent = requests_of(emu, api)
    assert len(emu.state.requests) == len(sent) == 3
    if api == "openai":
        bodies = sorted((r.body["input"] for r in sent), key=len)
        assert {r.body["model"] for r in sent} == {"hunyuan-embedding"}
        assert all(set(r.body) == {"model", "input"} for r in sent)
    else:
        bodies = sorted((r.body["InputList"] for r in sent), key=len)
        assert all(set(r.body) == {"InputList"} for r in sent)
    assert [len(b) for b in bodies] == [20, 50, 50]
    assert sorted(t for b in bodies for t in b) == sorted(TEXTS)
    assert result.usage.total_tokens == result.usage.prompt_tokens > len(TEXTS)
    assert len(result.request_ids) == 3


async def test_an_empty_list_makes_no_request(sync: bool, emu: EmulatorHandle, api: str) -> None:
    result = await embed(sync, emu, api, [])
    assert result.embeddings == []
    assert emu.state.requests == []


@pytest.mark.parametrize("limit", [DEFAULT_MAX_CONCURRENCY, 2])
async def test_requests_in_flight_stay_within_the_limit(
    sync: bool, emu: EmulatorHandle, api: str, limit: int
) -> None:
    # Every request holds its slot for 0.3 s: enough overlap for the limit to be reached.
    emu.state.add_fault("slow_first_byte:0.3", action=action_of(api), count=8)
    texts = TEXTS[:80]
    result = await embed(sync, emu, api, texts, batch_size=10, max_concurrency=limit)
    assert result.embeddings == [expected(t) for t in texts]
    assert emu.state.max_concurrent_seen == limit
    assert len(requests_of(emu, api)) == 8


async def test_transient_failures_are_retried(sync: bool, emu: EmulatorHandle, api: str) -> None:
    emu.state.add_fault("error:FailedOperation.EngineServerError", action=action_of(api))
    emu.state.add_fault("http_status:502", action=action_of(api))
    result = await embed(sync, emu, api, TEXTS[:60], max_concurrency=1)
    assert result.embeddings == [expected(t) for t in TEXTS[:60]]
    outcomes = [r.outcome for r in requests_of(emu, api)]
    assert outcomes[:2] == [
        "fault:error:FailedOperation.EngineServerError",
        "fault:http_status:502",
    ]
    assert outcomes[2:] == ["ok", "ok"]


async def test_a_refused_request_stops_the_call_with_what_was_embedded(
    sync: bool, emu: EmulatorHandle, api: str
) -> None:
    # The first request answers, the second is refused (not retried), the rest never start.
    emu.state.add_fault("slow_first_byte:0", action=action_of(api))
    emu.state.add_fault("error:InvalidParameter", action=action_of(api))
    with pytest.raises(BadRequestError) as raised:
        await embed(sync, emu, api, TEXTS, max_concurrency=1)
    error = raised.value
    assert "50 of 120 texts were embedded before it" in str(error)
    assert "embedding request 2 of 3, texts 50 to 99" in str(error)
    assert error.partial is not None
    assert error.partial.embeddings == [expected(t) for t in TEXTS[:50]]
    assert len(requests_of(emu, api)) == 2
    assert emu.state.active_runs() == 0


async def test_cancelling_a_call_cancels_its_requests(emu: EmulatorHandle, api: str) -> None:
    emu.state.add_fault("slow_first_byte:5", action=action_of(api), count=3)
    async with AsyncHunyuanClient(**emulator_settings(emu, api)) as client:
        began = time.monotonic()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.embed(TEXTS), 0.5)
        assert time.monotonic() - began < 3
        # Nothing more was sent, and the emulator saw every request hang up.
        assert len(requests_of(emu, api)) == 3
        for _ in range(100):
            if emu.state.active_runs() == 0:
                break
            await asyncio.sleep(0.02)
        assert emu.state.active_runs() == 0
        # The client is still usable afterwards.
        emu.state.reset()
        assert len((await client.embed(TEXTS[:2])).embeddings) == 2


def test_one_async_client_on_several_event_loops(emu: EmulatorHandle, api: str) -> None:
    client = AsyncHunyuanClient(**emulator_settings(emu, api))
    for _ in range(2):
        result = asyncio.run(client.embed(TEXTS[:70], EmbeddingOptions(max_concurrency=2)))
        assert result.embeddings == [expected(t) for t in TEXTS[:70]]


def test_the_same_vectors_on_every_way_in(emu: EmulatorHandle) -> None:
    vectors = []
    for api in ("run_thread", "chat_completions", "openai"):
        with HunyuanClient(**emulator_settings(emu, api)) as client:
            vectors.append(client.embed(["腾讯总部在深圳"]).embeddings)
    assert vectors[0] == vectors[1] == vectors[2]
    assert [r.action for r in emu.state.requests] == [
        "GetEmbedding",
        "GetEmbedding",
        "v1/embeddings",
    ]
