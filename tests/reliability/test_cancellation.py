"""Cancellation, the way web applications cancel (issue 13, item 1).

A handler's deadline (``asyncio.wait_for(chat.ainvoke(...), t)``) and a client that disconnects
(the task iterating ``astream`` is cancelled mid-stream) cancel calls at every point of their
life: before the connection, while the pool assigns and sets it up, before the first byte, in
the middle of the body, while the response is being closed. Against the spawned emulator over
loopback, with the async client's real pool (``http1.HTTP1Transport``), 400 calls cancelled by
deadlines and 400 streams cancelled mid-stream must leave the async client serving: the next
calls all succeed (no ``PoolTimeout``), nothing is counted in flight, and every pooled
connection is idle or closed.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import random
import time
from typing import Any

import pytest

from hunyuan_api._transport.http1 import HTTP1Transport
from hunyuan_emulator import SpawnedEmulator
from tests.support.pools import direct_transport, stuck_connections
from tests.support.reliability import drive, make_model, reply_to

DEADLINE_CANCELS = 400
STREAM_CANCELS = 400
LONG = "Tell me a long story about " + "the sea and the wind and the rain " * 3


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _transport(aclient: Any) -> HTTP1Transport:
    return direct_transport(aclient)


async def _settle(transport: HTTP1Transport) -> None:
    # Requests a cancellation cut end when their tasks are done with them: give those a turn.
    for _ in range(50):
        if transport.in_flight == 0:
            return
        await asyncio.sleep(0.02)


async def _typical_duration(chat: Any) -> float:
    """The median of three uncancelled calls: what the deadlines are spread over."""
    durations = []
    for _ in range(3):
        started = time.perf_counter()
        await chat.ainvoke(LONG)
        durations.append(time.perf_counter() - started)
    return sorted(durations)[1]


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files in /proc")
async def test_hundreds_of_cancelled_calls_leave_the_async_client_serving(
    drill: SpawnedEmulator,
) -> None:
    chat = make_model("langchain", drill, timeout=3.0, max_retries=1)
    llm = make_model("llamaindex", drill, timeout=3.0, max_retries=1)
    rnd = random.Random(13)
    await chat.ainvoke(LONG)  # builds what later calls reuse
    took = await _typical_duration(chat)
    fds_before = _open_fds()

    async def with_deadline(i: int) -> str:
        # Deadlines spread over the whole call, with many in its first milliseconds, where
        # the pool assigns and sets up the connection.
        deadline = rnd.choice([rnd.uniform(0, 0.004), rnd.uniform(0, took * 1.2)])
        try:
            await asyncio.wait_for(chat.ainvoke(f"{LONG} {i}"), deadline)
        except asyncio.TimeoutError:
            return "cancelled"
        return "finished"

    async def cut_stream(i: int) -> str:
        got = asyncio.Event()

        async def consume() -> None:
            if i % 2:
                async for _ in chat.astream(f"{LONG} {i}"):
                    got.set()
            else:
                from llama_index.core.base.llms.types import ChatMessage

                stream = await llm.astream_chat([ChatMessage(role="user", content=f"{LONG} {i}")])
                async for _ in stream:
                    got.set()

        task = asyncio.create_task(consume())
        # A client disconnects at some point of the stream, sometimes before its first chunk.
        await asyncio.wait({task}, timeout=rnd.uniform(0, took))
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return "cancelled"
        return "finished"

    outcomes: collections.Counter[str] = collections.Counter()
    # One request at a time, as a quiet web worker serves them: every call goes to one pool.
    for i in range(DEADLINE_CANCELS // 2):
        outcomes[await with_deadline(i)] += 1
    # Twenty at a time.
    for batch in range(DEADLINE_CANCELS // 2 // 20):
        outcomes.update(await asyncio.gather(*(with_deadline(batch * 20 + i) for i in range(20))))
    for batch in range(STREAM_CANCELS // 20):
        outcomes.update(await asyncio.gather(*(cut_stream(batch * 20 + i) for i in range(20))))
    # Most calls really were cut (the rest finished inside their deadline).
    assert outcomes["cancelled"] >= (DEADLINE_CANCELS + STREAM_CANCELS) / 2, outcomes

    # Normal calls succeed on both adapters, twenty at once, with their own replies.
    prompts = [f"after the cancellations, question {i}" for i in range(20)]
    results = await asyncio.gather(
        *(
            drive("llamaindex", "async", "invoke", llm, p)
            if i % 2
            else drive("langchain", "async", "invoke", chat, p)
            for i, p in enumerate(prompts)
        )
    )
    for prompt, out in zip(prompts, results, strict=True):
        assert out.error is None, repr(out.error)
        assert out.text == reply_to(prompt)

    for aclient in (chat._async_client, llm._get_aclient()):
        transport = _transport(aclient)
        await _settle(transport)
        assert transport.in_flight == 0
        assert stuck_connections(transport) == []
    # Sockets do not pile up with the cancellations (an interrupted exchange's is closed).
    assert _open_fds() - fds_before < 64, (_open_fds(), fds_before)
    print(f"\n{dict(outcomes)}; connections: {len(_transport(chat._async_client).connections)}")


async def test_a_close_ends_in_one_step_so_no_cancellation_can_split_it(
    drill: SpawnedEmulator,
) -> None:
    """The narrowest window: the deadline hits while the response is being closed. The close
    has no await in it (``http1._Body.aclose``): it is over in its task's first step, before
    any cancellation can land, the request stops counting, and its connection (body unread) is
    aborted, never pooled. If the close ever gains an await, the first assertion fails."""
    chat = make_model("langchain", drill)
    await chat.ainvoke("hello")
    transport = _transport(chat._async_client)
    http = chat._async_client._http
    request = http.build_request("POST", drill.base_url, content=b"{}")
    response = await http.send(request, stream=True)
    assert transport.in_flight == 1
    held = transport.connections
    closing = asyncio.ensure_future(response.aclose())
    await asyncio.sleep(0)  # the close has started ...
    assert closing.done()  # ... and ended in that step: nothing is left to interrupt
    closing.cancel()  # (a cancellation now finds a finished task)
    with contextlib.suppress(asyncio.CancelledError):
        await closing
    await _settle(transport)
    assert transport.in_flight == 0
    assert stuck_connections(transport) == []
    assert len(transport.connections) == len(held) - 1  # the interrupted one is gone
