"""The thread reserve (``thread_reserve``): a new RunThread conversation starts with RunThread
alone once a client's reserve is warm, and every way a reserved thread can go wrong ends in the
same answer as without one.

The emulator's request log is the witness: which requests a call made before its run, which
thread each run went to, and which threads on the service no conversation has used.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import logging
import pickle
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hunyuan_api import (
    AsyncHunyuanClient,
    HunyuanClient,
    Message,
    RunFinished,
    TextDelta,
    ThreadLedger,
)
from hunyuan_api._run.reserve import ThreadReserve
from hunyuan_emulator import EmulatorHandle
from tests.support.common import emulator_settings, run_python

Client = HunyuanClient | AsyncHunyuanClient
_MADE: list[HunyuanClient] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    # Closed here, not left to the garbage collector: an unclosed socket found by a later
    # test's gc.collect() would be blamed on that test.
    yield
    while _MADE:
        _MADE.pop().close()


def _client(emu: EmulatorHandle, sync: bool, **settings: Any) -> Client:
    if sync:
        client = HunyuanClient(**{**emulator_settings(emu), "thread_reserve": 2, **settings})
        _MADE.append(client)
        return client
    return AsyncHunyuanClient(**{**emulator_settings(emu), "thread_reserve": 2, **settings})


def _chat(client: Client, text: str, history: list[Message] | None = None) -> str:
    messages = [*(history or []), Message("user", text)]
    if isinstance(client, HunyuanClient):
        return client.chat(messages).text
    return asyncio.run(_achat(client, messages))


async def _achat(client: AsyncHunyuanClient, messages: list[Message]) -> str:
    result = await client.chat(messages)
    # The refill runs beside the run; let it finish on this loop (as a longer-lived app would).
    await _refills_done()
    return result.text


async def _refills_done() -> None:
    refills = [t for t in asyncio.all_tasks() if t.get_name() == "hunyuan-thread-reserve"]
    await asyncio.gather(*refills)


def _settled(reserve: ThreadReserve, size: int) -> None:
    """Wait (bounded) for background refills: the reserve holds ``size``, none in flight."""
    deadline = time.monotonic() + 10
    while (len(reserve), reserve.pending) != (size, 0):
        assert time.monotonic() < deadline, reserve
        time.sleep(0.005)


def _reserve(client: Client) -> ThreadReserve:
    reserve = client.flows.reserve
    assert reserve is not None
    return reserve


def _actions(emu: EmulatorHandle, since: int = 0) -> list[str]:
    return [r.action for r in emu.state.requests[since:]]


def _run_threads(emu: EmulatorHandle, since: int = 0) -> list[str]:
    return [r.body["ThreadID"] for r in emu.state.requests[since:] if r.action == "RunThread"]


def _unused_threads(emu: EmulatorHandle) -> set[str]:
    return {t.id for t in emu.state.threads.values() if not t.messages}


def _answer(emu: EmulatorHandle, text: str, history: list[Message] | None = None) -> str:
    """What a client with no reserve answers (the emulator's model is deterministic), replayed
    on a thread of its own (its own ledger continues none of the test's threads)."""
    with HunyuanClient(**emulator_settings(emu), thread_reserve=0, ledger=ThreadLedger()) as c:
        return c.chat([*(history or []), Message("user", text)]).text


def _warm(emu: EmulatorHandle, client: Client) -> None:
    _chat(client, "warm the reserve up")
    _settled(_reserve(client), 2)


# -- the critical path ---------------------------------------------------------------------------


def test_a_warm_reserve_starts_a_new_conversation_with_runthread_alone(
    emu: EmulatorHandle, sync: bool
) -> None:
    client = _client(emu, sync)
    # Cold: the first conversation makes its thread inline, and the reserve fills beside it.
    first = _chat(client, "first conversation")
    _settled(_reserve(client), 2)
    assert sorted(_actions(emu)) == ["CreateThread"] * 3 + ["RunThread"]
    held = [thread_id for thread_id, _ in _reserve(client)._held]
    assert _unused_threads(emu) == set(held)
    assert _run_threads(emu)[0] not in held
    assert first == _answer(emu, "first conversation")
    mark = len(emu.state.requests)
    second = _chat(client, "second conversation")
    # RunThread is the first request, on the oldest reserved thread; one refill follows.
    assert _actions(emu, mark)[0] == "RunThread"
    assert _run_threads(emu, mark) == [held[0]]
    _settled(_reserve(client), 2)
    assert sorted(_actions(emu, mark)) == ["CreateThread", "RunThread"]
    assert second == _answer(emu, "second conversation")
    assert len(_unused_threads(emu)) == 2


def test_zero_is_the_old_behaviour(emu: EmulatorHandle, sync: bool) -> None:
    client = _client(emu, sync, thread_reserve=0)
    assert client.flows.reserve is None
    for n in range(3):
        _chat(client, f"conversation {n}")
    time.sleep(0.05)  # nothing may arrive late: no refill exists
    assert _actions(emu) == ["CreateThread", "RunThread"] * 3
    assert not _unused_threads(emu)


def test_the_bound_holds_under_a_burst(emu: EmulatorHandle) -> None:
    client = _client(emu, True, thread_reserve=3)
    _chat(client, "warm")
    _settled(_reserve(client), 3)
    answers: dict[int, str] = {}

    def talk(n: int) -> None:
        answers[n] = _chat(client, f"burst conversation {n}")

    workers = [threading.Thread(target=talk, args=(n,)) for n in range(12)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    _settled(_reserve(client), 3)
    # Every conversation got its own thread, and exactly the reserve is left unused.
    runs = _run_threads(emu)
    assert len(runs) == len(set(runs)) == 13
    assert len(_unused_threads(emu)) == 3
    assert answers == {n: _answer(emu, f"burst conversation {n}") for n in range(12)}


# -- threads that turn out unusable --------------------------------------------------------------


def test_vanished_reserved_threads_fall_back_inline(emu: EmulatorHandle, sync: bool) -> None:
    client = _client(emu, sync)
    _warm(emu, client)
    gone = emu.state.expire_threads()
    assert len(gone) == 2
    mark = len(emu.state.requests)
    events: list[object] = []
    if isinstance(client, HunyuanClient):
        events = list(client.stream_chat([Message("user", "after expiry")]))
    else:

        async def collect() -> None:
            async for event in client.stream_chat([Message("user", "after expiry")]):
                events.append(event)
            await _refills_done()

        asyncio.run(collect())
    runs = [r for r in emu.state.requests[mark:] if r.action == "RunThread"]
    assert emu.state.requests[mark] is runs[0]
    assert [r.outcome for r in runs] == ["ResourceNotFound", "stream"]
    assert runs[0].body["ThreadID"] in gone
    assert runs[1].body["ThreadID"] not in gone
    # The caller saw one answer, whole, once: the failed run delivered nothing.
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    finished = events[-1]
    assert isinstance(finished, RunFinished)
    assert text == finished.result.text == _answer(emu, "after expiry")
    # The suspect threads were dropped, and the reserve made fresh ones.
    _settled(_reserve(client), 2)
    assert not {thread_id for thread_id, _ in _reserve(client)._held} & set(gone)


def test_aged_reserved_threads_are_not_handed_out(emu: EmulatorHandle, sync: bool) -> None:
    client = _client(emu, sync)
    _warm(emu, client)
    aged = {thread_id for thread_id, _ in _reserve(client)._held}
    _reserve(client).max_age = 0.0
    expected = _answer(emu, "much later")
    mark = len(emu.state.requests)
    assert _chat(client, "much later") == expected
    assert [a for a in _actions(emu, mark) if a == "RunThread"] == ["RunThread"]
    assert _actions(emu, mark)[:2] == ["CreateThread", "RunThread"]
    assert not set(_run_threads(emu, mark)) & aged


def test_a_continued_conversation_never_touches_the_reserve(
    emu: EmulatorHandle, sync: bool
) -> None:
    client = _client(emu, sync)
    _warm(emu, client)
    first = Message("user", "a conversation")
    reply = _chat(client, first.content)
    _settled(_reserve(client), 2)
    held = list(_reserve(client)._held)
    thread = _run_threads(emu)[-1]
    history = [first, Message("assistant", reply)]
    expected = _answer(emu, "and a follow-up", history)
    mark = len(emu.state.requests)
    assert _chat(client, "and a follow-up", history) == expected
    assert _actions(emu, mark) == ["GetThreadMessageList", "RunThread", "GetThreadMessageList"]
    assert _run_threads(emu, mark) == [thread]
    assert list(_reserve(client)._held) == held


def test_chat_completions_and_openai_make_no_threads(emu: EmulatorHandle) -> None:
    for api in ("chat_completions", "openai"):
        client = HunyuanClient(**emulator_settings(emu, api), thread_reserve=2)
        assert client.chat([Message("user", "hello")]).text
        assert list(client.stream_chat([Message("user", "hello")]))
    time.sleep(0.05)  # a refill, were one started, would have arrived
    assert "CreateThread" not in _actions(emu)
    assert not emu.state.threads


# -- the shapes applications run in ------------------------------------------------------------


def test_asyncio_run_per_call(
    emu: EmulatorHandle, caplog: pytest.LogCaptureFixture, recwarn: pytest.WarningsRecorder
) -> None:
    gc.collect()
    recwarn.clear()
    client = _client(emu, False)
    caplog.set_level(logging.DEBUG, logger="asyncio")
    # Each call its own loop, the way a sync app calls an async API. A refill still in flight
    # when the loop ends is cancelled with it (never left pending, never warned about).
    for n in range(4):
        text = asyncio.run(client.chat([Message("user", f"call {n}")])).text
        assert text == _answer(emu, f"call {n}")
    # ... and the waiting ones: the reserve's threads cross loops, only its refills do not.
    for n in range(4, 8):
        mark = len(emu.state.requests)
        assert _chat(client, f"call {n}") == _answer(emu, f"call {n}")
        if n > 4:
            assert _actions(emu, mark)[0] == "RunThread"
    gc.collect()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    warned = [w for w in recwarn if issubclass(w.category, (RuntimeWarning, ResourceWarning))]
    assert not warned, [str(w.message) for w in warned]
    # Bounded all along: the reserve, plus at most one cancelled refill per ended loop.
    assert len(_unused_threads(emu)) <= 2 + 8


def test_wait_for_cancellation_never_reuses_the_taken_thread(emu: EmulatorHandle) -> None:
    client = _client(emu, False)
    _warm(emu, client)

    async def main() -> None:
        async def read_one_then_wait() -> None:
            async for _ in client.stream_chat([Message("user", "cancelled conversation")]):
                await asyncio.Event().wait()  # the caller stops reading mid-stream

        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(read_one_then_wait(), timeout=0.5)
        await _refills_done()

    asyncio.run(main())
    cancelled = _run_threads(emu)[-1]
    _settled(_reserve(client), 2)
    assert cancelled not in {thread_id for thread_id, _ in _reserve(client)._held}
    mark = len(emu.state.requests)
    for n in range(3):
        assert _chat(client, f"after cancel {n}") == _answer(emu, f"after cancel {n}")
    assert cancelled not in _run_threads(emu, mark)
    runs = _run_threads(emu)
    assert len(runs) == len(set(runs))


def test_a_forked_child_starts_with_an_empty_reserve(emu: EmulatorHandle) -> None:
    settings = emulator_settings(emu)
    code = f"""
import os, time
from hunyuan_api import HunyuanClient, Message
client = HunyuanClient(**{settings!r}, thread_reserve=2)
client.chat([Message("user", "parent")])
reserve = client.flows.reserve
while (len(reserve), reserve.pending) != (2, 0):
    time.sleep(0.005)
parent = [t for t, _ in reserve._held]
pid = os.fork()
if pid == 0:
    empty = (len(reserve), reserve.pending) == (0, 0)
    result = client.chat([Message("user", "child")])
    ok = empty and result.thread_id not in parent and result.text
    os._exit(0 if ok else 1)
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, status
assert [t for t, _ in reserve._held] == parent
print("ok")
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_copies_of_a_model_build_their_own_reserve(
    emu: EmulatorHandle, make_chat: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # An unpickled model reads its secrets from the environment again.
    monkeypatch.setenv("HUNYUAN_SECRET_ID", emu.secret_id)
    monkeypatch.setenv("HUNYUAN_SECRET_KEY", emu.secret_key)
    chat = make_chat(thread_reserve=2)
    chat.invoke("hello")
    reserve = chat._client.flows.reserve
    assert reserve is not None
    for copied in (copy.deepcopy(chat), pickle.loads(pickle.dumps(chat))):
        other = copied._client.flows.reserve
        assert other is not None
        assert other is not reserve
        assert copied.invoke("hello again").content


# -- the adapters, unchanged with it on ------------------------------------------------------


def test_chat_hunyuan_with_a_reserve(emu: EmulatorHandle, make_chat: Callable[..., Any]) -> None:
    chat = make_chat(thread_reserve=2)
    plain = make_chat(thread_reserve=0)
    assert chat.invoke("one").content == plain.invoke("one").content
    _settled(chat._client.flows.reserve, 2)
    mark = len(emu.state.requests)
    streamed = "".join(c.text for c in chat.stream("two"))
    assert _actions(emu, mark)[0] == "RunThread"
    assert streamed == plain.invoke("two").content

    async def astream() -> str:
        text = "".join([c.text async for c in chat.astream("three")])
        await _refills_done()
        return text

    assert asyncio.run(astream()) == plain.invoke("three").content


def test_llamaindex_hunyuan_with_a_reserve(emu: EmulatorHandle) -> None:
    from llama_index.core.llms import ChatMessage

    from llama_index_hunyuan import Hunyuan

    llm = Hunyuan(**emulator_settings(emu), thread_reserve=2)
    plain = Hunyuan(**emulator_settings(emu), thread_reserve=0)

    def ask(model: Hunyuan, text: str) -> str:
        return str(model.chat([ChatMessage(role="user", content=text)]).message.content)

    assert ask(llm, "one") == ask(plain, "one")
    _settled(llm._get_client().flows.reserve, 2)
    mark = len(emu.state.requests)
    streamed = list(llm.stream_chat([ChatMessage(role="user", content="two")]))
    assert streamed[-1].message.content == ask(plain, "two")
    assert _actions(emu, mark)[0] == "RunThread"
    assert ask(llm, "three") == ask(plain, "three")


# -- the reserve's own rules --------------------------------------------------------------------


def test_reserve_rules() -> None:
    now = [0.0]
    reserve = ThreadReserve(2, max_age=10.0, clock=lambda: now[0])
    assert reserve.take() is None
    assert reserve.claim()
    assert reserve.claim()
    assert not reserve.claim()  # held plus pending never exceeds the capacity
    reserve.put("a")
    reserve.put("b")
    assert not reserve.needs_refill()
    assert reserve.take() == "a"  # oldest first, and only once
    reserve.give_back("a")
    assert reserve.take() == "a"
    now[0] = 11.0
    assert reserve.take() is None  # "b" aged out
    assert reserve.claim()
    reserve.unclaim(failed=True)
    assert not reserve.needs_refill()  # quiet after a failure
    now[0] = 100.0
    assert reserve.claim()
    reserve.put("c")
    reserve.discard()
    assert reserve.take() is None
    reserve.put("d")
    reserve.pause()  # the client closed: no refill until it is used again
    assert not reserve.needs_refill()
    assert reserve.take() == "d"
    assert reserve.needs_refill()
    reserve.put("e")
    reserve._after_fork_in_child()
    assert (len(reserve), reserve.pending) == (0, 0)


def test_a_given_back_thread_keeps_its_age_and_dead_claims_expire() -> None:
    now = [0.0]
    reserve = ThreadReserve(2, max_age=10.0, claim_expiry=30.0, clock=lambda: now[0])
    assert reserve.claim()
    reserve.put("a")
    now[0] = 8.0
    taken = reserve.take_stamped()
    assert taken == ("a", 0.0)
    reserve.give_back(*taken)  # the run was refused before the service acted
    now[0] = 11.0
    assert reserve.take() is None  # made at 0, so too old at 11, although given back at 8
    # Two refills that will never answer (their event loop was closed under them)...
    assert reserve.claim()
    assert reserve.claim()
    assert not reserve.needs_refill()
    now[0] = 42.0  # ...stop holding places once ``claim_expiry`` has passed.
    assert reserve.pending == 0
    assert reserve.needs_refill()


def test_a_loop_closed_under_a_refill_does_not_fill_the_reserve_for_good(
    emu: EmulatorHandle,
) -> None:
    """A sync wrapper's pattern: ``run_until_complete`` then ``close()``, leftover tasks not
    cancelled. The refill task in flight is destroyed without a word; its place comes back
    once its request could no longer be answering (twice its timeout's phases)."""
    from hunyuan_emulator import Fault

    client = _client(emu, False, thread_reserve=1, timeout=1.0)
    # The inline CreateThread and the refill's are both slow: the refill, sent once the run's
    # stream is open, is still waiting for its answer when the short reply has ended.
    emu.state.add_fault(Fault.slow_first_byte(0.8), action="CreateThread", count=2)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(client.chat([Message("user", "from a sync wrapper")]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Task was destroyed but it is pending!"
        loop.close()
        del loop
        gc.collect()
    reserve = _reserve(client)
    assert reserve.pending == 1  # the dead refill still holds the only place...
    assert reserve.claim_expiry == 2 * 4 * 1.0  # twice the four phases of its timeout
    time.sleep(reserve.claim_expiry + 0.2)
    assert reserve.pending == 0  # ...until it expires,
    _chat(client, "a later call")  # and the next conversation refills the reserve.
    _settled(reserve, 1)


def test_closing_a_client_stops_its_refills(emu: EmulatorHandle) -> None:
    from hunyuan_emulator import Fault

    # A request in flight on another thread when its pool closes can sit in a blocking read
    # until its timeout (closing a socket does not wake a thread reading it): keep that short.
    client = _client(emu, True, thread_reserve=2, timeout=2.0)
    _warm(emu, client)
    # Room for three more, and the refill's first CreateThread is slow, so that request is in
    # flight, with two more to go, when the client closes.
    _reserve(client).capacity = 4
    emu.state.add_fault(Fault.slow_first_byte(0.5), action="CreateThread")
    with client:
        client.chat([Message("user", "a conversation")])
        assert (len(_reserve(client)), _reserve(client).pending) == (1, 1)
    for refill in [t for t in threading.enumerate() if t.name == "hunyuan-thread-reserve"]:
        refill.join(10)
    # It stopped after that request instead of opening new connections for the others.
    assert client._http_client is None
    assert _reserve(client).pending == 0
    assert len(_reserve(client)) <= 2
    # Used again, the client refills again.
    client.chat([Message("user", "later")])
    _settled(_reserve(client), 4)


def test_exit_waits_for_refills_in_flight_and_starts_none(emu: EmulatorHandle) -> None:
    """A script that exits right after its call, its refill still in flight: the exit lets the
    refill finish (a daemon thread frozen at finalization could hold a lock the main thread's
    finalization waits for) and starts no other."""
    from hunyuan_emulator import Fault

    # The inline CreateThread and the refill's first are slow: the refill, sent once the run's
    # stream is open, is in flight when the call returns, with a second one to go.
    emu.state.add_fault(Fault.slow_first_byte(0.4), action="CreateThread", count=2)
    settings = emulator_settings(emu)
    code = f"""
import atexit, threading
from hunyuan_api import HunyuanClient, Message
client = HunyuanClient(**{settings!r}, thread_reserve=2)
for event in client.stream_chat([Message("user", "one call, then exit")]):
    break
refills = lambda: [t for t in threading.enumerate() if t.name == "hunyuan-thread-reserve"]
assert refills(), "the refill should be in flight when the call returns"
atexit._run_exitfuncs()  # what the interpreter does first on its way out
assert not refills(), refills()
print(len(client.flows.reserve), client.flows.reserve.pending)
client.chat([Message("user", "a call during shutdown")])  # takes a thread, refills nothing
print(len(client.flows.reserve), client.flows.reserve.pending, len(refills()))
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    # The slow refill ended with its one thread and made no second; the call at exit took it.
    assert result.stdout.split("\n")[:2] == ["1 0", "0 0 0"], result.stdout


def test_a_child_forked_while_a_refill_holds_the_registry_lock_can_still_refill() -> None:
    code = """
import os
from hunyuan_api._transport import refills
with refills._live_lock:  # as a refill thread finishing at the moment of the fork
    pid = os.fork()
    if pid == 0:
        ok = refills._live_lock.acquire(timeout=5)
        os._exit(0 if ok and not refills._live else 1)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"
