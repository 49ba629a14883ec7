"""Many event loops in one process (issue 13, item 2).

Scripts, notebooks, Celery tasks and sync web frameworks call async code with
``asyncio.run(...)``, one loop per call. The async client keeps a connection pool per loop; each
must go with its loop. 300 ``asyncio.run`` calls through LangChain, LlamaIndex and the core client
leave the number of open file descriptors and of live event loops where they were, and so do
loops closed with ``loop.close()`` alone (no ``shutdown_asyncgens``).
"""

from __future__ import annotations

import asyncio
import gc
import os
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage

from hunyuan_api import AsyncHunyuanClient, Message
from hunyuan_emulator import EmulatorHandle
from tests.support.common import emulator_settings
from tests.support.reliability import make_model, reply_to

RUNS = 300

pytestmark = pytest.mark.skipif(
    not os.path.isdir("/proc/self/fd"), reason="counts open files in /proc"
)


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _calls(emu: EmulatorHandle) -> dict[str, Callable[[str], Awaitable[str]]]:
    chat = make_model("langchain", emu)
    llm = make_model("llamaindex", emu)
    core = AsyncHunyuanClient(**emulator_settings(emu))

    async def langchain(prompt: str) -> str:
        return str((await chat.ainvoke(prompt)).content)

    async def llamaindex(prompt: str) -> str:
        response = await llm.achat([ChatMessage(role="user", content=prompt)])
        return str(response.message.content)

    async def core_client(prompt: str) -> str:
        return (await core.chat([Message("user", prompt)])).text

    return {"langchain": langchain, "llamaindex": llamaindex, "core": core_client}


def _sync_call(
    call: Callable[[str], Awaitable[str]], prompt: str, loops: list[weakref.ref[Any]]
) -> str:
    async def main() -> str:
        loops.append(weakref.ref(asyncio.get_running_loop()))
        return await call(prompt)

    return asyncio.run(main())


@pytest.mark.slow
@pytest.mark.parametrize("api", ["langchain", "llamaindex", "core"])
def test_300_asyncio_run_calls_leave_open_files_and_live_loops_flat(
    emu: EmulatorHandle, api: str
) -> None:
    call = _calls(emu)[api]
    loops: list[weakref.ref[Any]] = []
    # The first call builds what every later one reuses (schemas, SSL context, client cache).
    assert _sync_call(call, "warm up", loops) == reply_to("warm up")
    gc.collect()
    fds_before = _open_fds()
    for i in range(RUNS):
        prompt = f"question {i} from its own event loop"
        assert _sync_call(call, prompt, loops) == reply_to(prompt)
    gc.collect()
    alive = sum(ref() is not None for ref in loops)
    assert alive == 0, f"{alive} of {len(loops)} event loops are still alive"
    # On main: one socket per run (300 more); now each pool closes with its loop.
    assert _open_fds() - fds_before <= 2, (fds_before, _open_fds())


@pytest.mark.parametrize("api", ["langchain", "core"])
def test_loops_closed_without_shutting_down_their_generators_do_not_leak(
    emu: EmulatorHandle, api: str
) -> None:
    call = _calls(emu)[api]
    loops: list[weakref.ref[Any]] = []
    warm = asyncio.new_event_loop()
    warm.run_until_complete(call("warm up"))
    warm.close()
    gc.collect()
    fds_before = _open_fds()
    for i in range(100):
        loop = asyncio.new_event_loop()
        loops.append(weakref.ref(loop))
        prompt = f"question {i} on a loop closed by hand"
        assert loop.run_until_complete(call(prompt)) == reply_to(prompt)
        loop.close()  # no shutdown_asyncgens(): the pool learns of it at the next loop
        del loop
    gc.collect()
    # The last loop's pool is let go when the next loop makes one; none older stays.
    assert sum(ref() is not None for ref in loops) <= 1
    assert _open_fds() - fds_before <= 3, (fds_before, _open_fds())
