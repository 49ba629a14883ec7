"""Time to the first token over a simulated link (``bench.link``), as a user of ``ChatHunyuan``
sees it: from calling ``astream`` (or ``stream``) to the first chunk with text.

The emulator answers at once; the link delays each direction by a fixed one-way delay (40 ms by
default, so one round trip is 80 ms). So every round trip a call makes before its first token
shows as a whole step, which loopback hides. Contenders run in turns, round after round, on warm
clients (connections open, a thread reserve filled by the previous rounds):

- a new RunThread conversation with the thread reserve on (the default): RunThread alone;
- the same with ``thread_reserve=0``: CreateThread, then RunThread;
- a continued RunThread conversation (a new user turn on a thread this process made): its
  newest message is checked (GetThreadMessageList), then RunThread (docs/threads.md);
- a ChatCompletions call and an OpenAI-compatible call: one request each.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from .link import Link, running

CONTENDERS = (
    "RunThread, new conversation (reserve on)",
    "RunThread, new conversation (reserve on, sync stream)",
    "RunThread, new conversation (thread_reserve=0)",
    "RunThread, continued conversation (new user turn)",
    "ChatCompletions",
    "OpenAI-compatible",
)
NEW_ON, NEW_ON_SYNC, NEW_OFF, CONTINUED, CHAT_COMPLETIONS, OPENAI = CONTENDERS


async def _afirst(chunks: AsyncIterator[Any]) -> tuple[float, Any]:
    """Seconds to the first chunk with text, and the whole reply (read to the end, untimed, so
    the connection goes back to the pool)."""
    start = time.perf_counter()
    first = None
    whole = None
    async for chunk in chunks:
        if first is None and chunk.text:
            first = time.perf_counter() - start
        whole = chunk if whole is None else whole + chunk
    assert first is not None
    return first, whole


def _first(chunks: Iterator[Any]) -> float:
    start = time.perf_counter()
    first = None
    for chunk in chunks:
        if first is None and chunk.text:
            first = time.perf_counter() - start
    assert first is not None
    return first


def _contenders(emu: Any, link: Link) -> dict[str, Callable[[int], Awaitable[float]]]:
    from langchain_core.messages import BaseMessage, HumanMessage

    from langchain_hunyuan import ChatHunyuan

    pair = {"secret_id": emu.secret_id, "secret_key": emu.secret_key, "base_url": link.url}
    on = ChatHunyuan(api="run_thread", thread_reserve=2, **pair)
    on_sync = ChatHunyuan(api="run_thread", thread_reserve=2, **pair)
    off = ChatHunyuan(api="run_thread", thread_reserve=0, **pair)
    cont = ChatHunyuan(api="run_thread", **pair)
    cc = ChatHunyuan(api="chat_completions", **pair)
    oa = ChatHunyuan(api="openai", base_url=link.url + "/v1", api_key=emu.api_key)
    history: list[BaseMessage] = []

    async def new(model: ChatHunyuan, n: int) -> float:
        # A history no thread holds: a new conversation every time.
        return (await _afirst(model.astream([HumanMessage(f"Hello, conversation {n}.")])))[0]

    async def new_sync(n: int) -> float:
        # In a worker thread, as a sync app would call it (the event loop stays free).
        return await asyncio.to_thread(
            _first, on_sync.stream([HumanMessage(f"Hello, sync conversation {n}.")])
        )

    async def continued(n: int) -> float:
        if not history:
            history.append(HumanMessage("Hello, a long conversation."))
            history.append((await _afirst(cont.astream(history)))[1])
        history.append(HumanMessage(f"Tell me more, turn {n}."))
        first, reply = await _afirst(cont.astream(history))
        history.append(reply)
        return first

    async def one(model: ChatHunyuan, n: int) -> float:
        return (await _afirst(model.astream(f"Hello, call {n}.")))[0]

    return {
        NEW_ON: lambda n: new(on, n),
        NEW_ON_SYNC: new_sync,
        NEW_OFF: lambda n: new(off, n),
        CONTINUED: continued,
        CHAT_COMPLETIONS: lambda n: one(cc, n),
        OPENAI: lambda n: one(oa, n),
    }


async def _measure(emu: Any, link: Link, repeat: int, warmup: int) -> dict[str, list[float]]:
    contenders = _contenders(emu, link)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for n in range(warmup + repeat):
        for name, call in contenders.items():
            seconds = await call(n)
            if n >= warmup:
                times[name].append(seconds)
    return times


def run(repeat: int, delay: float = 0.040, warmup: int = 2) -> dict[str, Any]:
    from hunyuan_emulator import run_emulator

    with run_emulator() as emu, running(Link(emu.host, emu.port, delay=delay)) as link:
        times = asyncio.run(_measure(emu, link, repeat, warmup))
        connections = link.connections
    out: dict[str, Any] = {
        "delay": delay,
        "repeat": repeat,
        "connections": connections,
        "times": {
            name: {"median": statistics.median(ts), "min": min(ts), "all": ts}
            for name, ts in times.items()
        },
    }
    cc = out["times"][CHAT_COMPLETIONS]["median"]
    out["ratio_new_vs_chat_completions"] = out["times"][NEW_ON]["median"] / cc
    return out


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 10), indent=1))
