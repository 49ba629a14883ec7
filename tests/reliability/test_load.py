"""Load and early close.

- 500 concurrent streams on one event loop (half through LangChain's ``astream``, half through
  LlamaIndex's ``astream_chat``: both adapters, one shared loop) against a spawned emulator that
  injects faults into about 5 % of model calls, for three rounds: every call ends within a bound
  in a success (with exactly the deterministic reply) or one of the project's typed errors; no
  task is left behind; both adapters' connection pools drain; the emulator sees no open run; the
  thread ledger holds no claim; and memory stays flat from round to round.
- Closing a stream early (breaking out of the loop, cancelling the task) closes the HTTP
  response at once, frees the emulator's run, and releases the thread the run had claimed.
"""

from __future__ import annotations

import asyncio
import collections
import gc
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core import exceptions as lc_exceptions
from langchain_core.messages import AIMessage, HumanMessage
from llama_index.core.base.llms.types import ChatMessage

from hunyuan_api import (
    HunyuanError,
    RetryPolicy,
    default_ledger,
)
from hunyuan_api._run.session import RunSession
from hunyuan_emulator import EmulatorHandle, Fault, run_emulator, spawn_emulator
from tests.support.pools import direct_transport, stuck_connections
from tests.support.reliability import Adapter, drive, fresh, make_model, reply_to

STREAMS = 500
ROUNDS = 3
#: Longest any one call may take under full load (rounds take ~10 s on two cores).
CALL_BOUND = 45.0

#: Injected into ~5 % of model calls: every fault kind except the slow first byte (whose
#: timeout-bound retries the fault matrix covers), before and after output.
LOAD_FAULTS = (
    Fault.error("FailedOperation.EngineServerError"),
    Fault.error("FailedOperation.EngineServerLimitExceeded"),
    Fault.http_status(502),
    Fault.error_frame("InternalError", "run_failed", 2),
    Fault.error_frame("LimitExceeded", "error", 0),
    Fault.drop(0),
    Fault.drop(3),
    Fault.truncate(3),
    Fault.malformed(3),
)


def _rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _live(kinds: tuple[type, ...]) -> collections.Counter[str]:
    return collections.Counter(type(o).__name__ for o in gc.get_objects() if isinstance(o, kinds))


@pytest.fixture(scope="module")
def loaded() -> Iterator[Any]:
    """A spawned emulator (its own process, so its own GIL and memory): streams paced at 10
    pieces a second so the 500 really overlap, faults in 5 % of model calls."""
    with spawn_emulator(
        concurrency_limit=1000,
        latency=0.05,
        tokens_per_second=10,
        fault_rate=0.05,
        rate_faults=LOAD_FAULTS,
        seed=20240601,
    ) as spawned:
        yield spawned


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for the RSS")
async def test_500_concurrent_streams_with_faults(
    loaded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small LRU bound reaches steady state in the first round, so memory can be compared.
    ledger = default_ledger()
    ledger.clear()
    monkeypatch.setattr(ledger, "maxsize", 64)
    retry = RetryPolicy(initial_delay=0.05, max_delay=0.2)
    chat = make_model("langchain", loaded, timeout=10.0, retry_policy=retry)
    llm = make_model("llamaindex", loaded, timeout=10.0, retry_policy=retry)

    async def one(i: int) -> str:
        adapter: Adapter = "langchain" if i % 2 else "llamaindex"
        prompt = f"load test call number {i}"
        out = await drive(adapter, "async", "stream", chat if i % 2 else llm, prompt)
        if out.error is None:
            assert out.text == reply_to(prompt), (out.text, prompt)
            return "success"
        error = out.error
        assert isinstance(error, HunyuanError), repr(error)
        if adapter == "langchain":
            assert isinstance(error, lc_exceptions.ModelError), type(error).__mro__
        if error.partial is not None:
            assert out.seen == error.partial_text
        return f"{adapter}:{type(error).__name__}:{error.code}"

    async def bounded(i: int) -> str:
        try:
            return await asyncio.wait_for(one(i), CALL_BOUND)
        except asyncio.TimeoutError:
            return "HUNG"

    memory: list[tuple[int, int]] = []
    totals: collections.Counter[str] = collections.Counter()
    report: list[str] = []
    for round_no in range(ROUNDS):
        started = time.perf_counter()
        outcomes = await asyncio.gather(*(bounded(i) for i in range(STREAMS)))
        took = time.perf_counter() - started
        counts = collections.Counter(outcomes)
        totals += counts
        assert "HUNG" not in counts, counts
        assert counts["success"] >= STREAMS * 0.9, counts
        # Nothing left running, holding a connection, a run or a thread. (Pools the transport
        # retired or found idle close in tasks of their own, which end within moments.)
        deadline = time.monotonic() + 1.0
        while len(asyncio.all_tasks()) > 1 and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        assert asyncio.all_tasks() == {asyncio.current_task()}
        for model in (chat._async_client, llm._get_aclient()):
            assert model.pool_stats()["in_flight"] == 0
            assert stuck_connections(direct_transport(model)) == []
        deadline = time.monotonic() + 2.0
        while loaded.control.active_runs() and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        assert loaded.control.active_runs() == 0
        assert not ledger._claimed
        gc.collect()
        live = _live((RunSession, httpx.Response))
        assert not live, live  # no stream's state survives its call
        memory.append((_rss_kib(), len(gc.get_objects())))
        report.append(
            f"round {round_no + 1}: {took:.1f} s, {dict(counts)}, rss {memory[-1][0]} KiB"
        )
    stats = loaded.control.stats()
    print("\n".join(report), f"\nemulator max concurrent runs: {stats['max_concurrent_seen']}")
    # The streams really overlapped on the server.
    assert stats["max_concurrent_seen"] >= 50, stats
    # Faults were injected, and both adapters met them.
    errors = {k for k in totals if k != "success"}
    assert any(k.startswith("langchain:") for k in errors), totals
    assert any(k.startswith("llamaindex:") for k in errors), totals
    # Memory is flat after the first round (which builds caches, pools and schemas).
    (rss1, objects1), (rss3, objects3) = memory[0], memory[-1]
    assert rss3 - rss1 < 16 * 1024, memory
    assert objects3 - objects1 < objects1 * 0.03, memory


# --------------------------------------------------------------------------- early close

LONG_REPLY = "word " * 400  # 400 pieces: 4 s at the paced emulator's 100 pieces a second


@pytest.fixture(scope="module")
def paced() -> Iterator[EmulatorHandle]:
    with run_emulator(tokens_per_second=100) as handle:
        yield handle


@pytest.fixture
def slow_emu(paced: EmulatorHandle) -> EmulatorHandle:
    return fresh(paced)


def _history(adapter: Adapter, first: Any) -> list[Any]:
    """A second turn that continues the first one's thread."""
    if adapter == "langchain":
        return [HumanMessage("first question"), first, HumanMessage("second question")]
    return [
        ChatMessage(role="user", content="first question"),
        first,
        ChatMessage(role="user", content="second question"),
    ]


def _first_turn(adapter: Adapter, model: Any) -> tuple[Any, str]:
    if adapter == "langchain":
        reply: AIMessage = model.invoke([HumanMessage("first question")])
        return reply, str(reply.response_metadata["thread_id"])
    response = model.chat([ChatMessage(role="user", content="first question")])
    return response.message, str(response.raw["thread_id"])


def _scope(model: Any, adapter: Adapter) -> Any:
    client = model._client if adapter == "langchain" else model._get_client()
    return client.flows.scope


async def _until(predicate: Any, timeout: float) -> float:
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, "not released in time"
        await asyncio.sleep(0.002)
    return time.monotonic() - started


async def _consume_then_stop(adapter: Adapter, model: Any, history: list[Any], how: str) -> None:
    """Receive a few chunks of a long stream, then stop it the way ``how`` says."""
    if how == "sync-break":
        chunks = model.stream(history) if adapter == "langchain" else model.stream_chat(history)
        for i, _ in enumerate(chunks):
            if i == 3:
                break
        del chunks  # the caller's last reference: the generator closes now
        return
    if how == "async-break":
        if adapter == "langchain":
            stream = model.astream(history)
        else:
            stream = await model.astream_chat(history)
        i = 0
        async for _ in stream:
            i += 1
            if i == 3:
                break
        del stream
        return
    got = asyncio.Event()

    async def consume() -> None:
        if adapter == "langchain":
            async for _ in model.astream(history):
                got.set()
        else:
            async for _ in await model.astream_chat(history):
                got.set()

    task = asyncio.create_task(consume())
    await got.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.parametrize("how", ["sync-break", "async-break", "async-cancel"])
@pytest.mark.parametrize("adapter", ["langchain", "llamaindex"])
async def test_closing_a_stream_early_frees_the_connection_run_and_thread(
    slow_emu: EmulatorHandle, adapter: Adapter, how: str
) -> None:
    model = make_model(adapter, slow_emu)
    first, thread_id = _first_turn(adapter, model)
    slow_emu.state.queue_reply(text=LONG_REPLY)
    history = _history(adapter, first)
    ledger = default_ledger()
    scope = _scope(model, adapter)

    await _consume_then_stop(adapter, model, history, how)

    # The emulator sees the connection closed within moments (its stream would run 4 s).
    waited = await _until(lambda: slow_emu.state.active_runs() == 0, timeout=1.0)
    assert waited < 1.0
    await _until(lambda: slow_emu.state.threads[thread_id].active_run is None, timeout=1.0)
    # The second turn had claimed the first turn's thread; the claim is gone, and since the
    # thread's content is now unknown it is never continued.
    runs = [r for r in slow_emu.state.requests if r.action == "RunThread"]
    assert [r.body["ThreadID"] for r in runs] == [thread_id, thread_id]
    assert not ledger.is_claimed(scope, thread_id)
    assert not ledger._claimed
    if how != "sync-break":
        aclient = model._async_client if adapter == "langchain" else model._get_aclient()
        assert aclient.pool_stats()["in_flight"] == 0
    # The ledger forgot the thread. The first reply's token still names it, and the check shows
    # the cancelled run stored nothing there, so the next call continues it with the new
    # message only, and succeeds.
    if adapter == "langchain":
        reply = await model.ainvoke(history)
        assert reply.response_metadata["thread_id"] == thread_id
    else:
        response = await model.achat(history)
        assert response.raw["thread_id"] == thread_id
    last_actions = [r.action for r in slow_emu.state.requests][-3:]
    assert last_actions == ["GetThreadMessageList", "RunThread", "GetThreadMessageList"]
    last = [r for r in slow_emu.state.requests if r.action == "RunThread"][-1]
    assert last.body["ThreadID"] == thread_id
    assert len(last.body["AdditionalMessages"]) == 1
    stored = [m.role for m in slow_emu.state.thread_messages(thread_id)]
    assert stored == ["user", "assistant", "user", "assistant"]
