"""The thread ledger: which thread a history runs on and which messages are sent."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import pytest
from pydantic import SecretStr

from hunyuan_api import (
    Message,
    RunOptions,
    ThreadLedger,
    ToolCall,
    default_ledger,
)
from hunyuan_api._run.threads import ledger_scope
from tests.support.fake_service import finished
from tests.support.messages import A, R, U

SCOPE = ledger_scope("https://hunyuan.tencentcloudapi.com/", SecretStr("AKIDscope"))
CALL = ToolCall("call_1", "get_weather", '{"city": "北京"}')


def run_fresh(ledger: ThreadLedger, history: list[Message], reply: Message, thread_id: str) -> None:
    plan = ledger.plan(SCOPE, history)
    assert plan.mode == "fresh"
    ledger.commit(plan, thread_id, reply)


def test_fresh_then_continue_sends_only_new_messages() -> None:
    ledger = ThreadLedger()
    history = [Message("system", "sys"), U("hi")]
    plan = ledger.plan(SCOPE, history)
    assert (plan.mode, plan.thread_id, plan.send) == ("fresh", None, history)
    ledger.commit(plan, "thread_1", A("hello"))

    nxt = [*history, A("hello"), U("how are you?")]
    plan2 = ledger.plan(SCOPE, nxt)
    assert (plan2.mode, plan2.thread_id) == ("continue", "thread_1")
    assert plan2.send == [U("how are you?")]
    assert plan2.claimed
    assert ledger.is_claimed(SCOPE, "thread_1")
    ledger.commit(plan2, "thread_1", A("fine"))
    assert not ledger.is_claimed(SCOPE, "thread_1")

    # and again, from the newest state
    plan3 = ledger.plan(SCOPE, [*nxt, A("fine"), U("bye"), U("really")])
    assert plan3.mode == "continue"
    assert plan3.send == [U("bye"), U("really")]


def test_tool_results_continue_after_an_assistant_turn_with_tool_calls() -> None:
    ledger = ThreadLedger()
    run_fresh(ledger, [U("weather?")], A("", CALL), "thread_1")
    plan = ledger.plan(SCOPE, [U("weather?"), A("", CALL), R("晴", "call_1")])
    assert plan.mode == "continue"
    assert plan.send == [R("晴", "call_1")]


def test_tool_results_never_continue_after_a_plain_assistant_turn() -> None:
    ledger = ThreadLedger()
    run_fresh(ledger, [U("q")], A("plain"), "thread_1")
    plan = ledger.plan(SCOPE, [U("q"), A("plain"), R("out", "call_1")])
    assert plan.mode == "fresh"


def test_argument_key_order_does_not_matter_but_values_do() -> None:
    ledger = ThreadLedger()
    run_fresh(ledger, [U("q")], A("", ToolCall("c", "f", '{"a": 1, "b": 2}')), "thread_1")
    same = ledger.plan(SCOPE, [U("q"), A("", ToolCall("c", "f", '{"b":2,"a":1}')), R("r", "c")])
    assert same.mode == "continue"
    ledger.release(same, same.thread_id)
    other = ledger.plan(SCOPE, [U("q"), A("", ToolCall("c", "f", '{"a": 1, "b": 3}')), R("r", "c")])
    assert other.mode == "fresh"


@pytest.mark.parametrize(
    "history",
    [
        [U("EDITED"), A("hello"), U("next")],  # an earlier message edited
        [U("hi"), A("hello (edited reply)"), U("next")],  # the assistant reply edited
        [U("hi")],  # truncated to before the reply
        [U("hi"), A("hello")],  # ends on the assistant (nothing to send)
        [U("other"), A("conversation"), U("entirely")],  # foreign
    ],
)
def test_edited_truncated_or_foreign_history_never_continues(history: list[Message]) -> None:
    ledger = ThreadLedger()
    run_fresh(ledger, [U("hi")], A("hello"), "thread_1")
    assert ledger.plan(SCOPE, history).mode == "fresh"


def test_truncating_to_an_earlier_turn_of_a_thread_does_not_continue_it() -> None:
    ledger = ThreadLedger()
    run_fresh(ledger, [U("1")], A("a1"), "thread_1")
    plan = ledger.plan(SCOPE, [U("1"), A("a1"), U("2")])
    ledger.commit(plan, "thread_1", A("a2"))
    # The thread now holds 1, a1, 2, a2: a history branching after a1 is not what it holds.
    assert ledger.plan(SCOPE, [U("1"), A("a1"), U("2 but different")]).mode == "fresh"
    assert ledger.plan(SCOPE, [U("1"), A("a1"), U("2"), A("a2"), U("3")]).mode == "continue"


def test_a_claimed_thread_is_not_continued_concurrently() -> None:
    ledger, history = _ledger_holding_thread_1()
    first = ledger.plan(SCOPE, history)
    second = ledger.plan(SCOPE, history)
    assert first.mode == "continue"
    assert second.mode == "fresh"
    assert second.send == history
    ledger.release(first, first.thread_id)
    assert ledger.plan(SCOPE, history).mode == "continue"


def test_release_keeps_the_thread_abandon_forgets_it() -> None:
    ledger, history = _ledger_holding_thread_1()
    plan = ledger.plan(SCOPE, history)
    ledger.release(plan, "thread_1")
    assert not ledger.is_claimed(SCOPE, "thread_1")
    plan = ledger.plan(SCOPE, history)
    assert plan.mode == "continue"
    ledger.abandon(plan, "thread_1")
    assert not ledger.is_claimed(SCOPE, "thread_1")
    assert ledger.plan(SCOPE, history).mode == "fresh"
    assert len(ledger) == 0


def test_scopes_are_separate() -> None:
    ledger, history = _ledger_holding_thread_1()
    other_account = ledger_scope("https://hunyuan.tencentcloudapi.com/", SecretStr("AKIDother"))
    other_endpoint = ledger_scope("http://127.0.0.1:8765/", SecretStr("AKIDscope"))
    assert ledger.plan(other_account, history).mode == "fresh"
    assert ledger.plan(other_endpoint, history).mode == "fresh"
    assert ledger.plan(SCOPE, history).mode == "continue"
    assert "AKIDscope" not in repr(SCOPE)
    assert "AKIDscope" not in repr(ledger)


def test_lru_bound_evicts_the_least_recently_used() -> None:
    ledger = ThreadLedger(maxsize=3)
    for n in range(3):
        run_fresh(ledger, [U(f"q{n}")], A(f"a{n}"), f"thread_{n}")
    # touch thread_0 so thread_1 is the oldest
    plan = ledger.plan(SCOPE, [U("q0"), A("a0"), U("more")])
    assert plan.mode == "continue"
    ledger.release(plan, plan.thread_id)
    run_fresh(ledger, [U("q3")], A("a3"), "thread_3")
    assert len(ledger) == 3
    assert ledger.plan(SCOPE, [U("q1"), A("a1"), U("more")]).mode == "fresh"
    for n in (0, 2, 3):
        plan = ledger.plan(SCOPE, [U(f"q{n}"), A(f"a{n}"), U("more")])
        assert plan.mode == "continue", n
        ledger.release(plan, plan.thread_id)


def test_ledger_stays_bounded_when_threads_share_content() -> None:
    """Two threads that hold the same content (the same prompt run twice) must not leave
    entries behind that no eviction can reach."""
    ledger = ThreadLedger(maxsize=4)
    for n in range(50):
        run_fresh(ledger, [U("same")], A("same reply"), f"thread_{n}")
        run_fresh(ledger, [U(f"unique {n}")], A("r"), f"thread_u{n}")
    assert len(ledger) <= 4
    assert len(ledger._digest_of) <= 4
    plan = ledger.plan(SCOPE, [U("same"), A("same reply"), U("next")])
    assert plan.mode == "continue"


def test_pinned_thread_sends_given_messages_then_only_new_ones() -> None:
    ledger = ThreadLedger()
    history = [U("hi")]
    plan = ledger.plan(SCOPE, history, pinned="user_thread")
    assert (plan.mode, plan.thread_id, plan.send) == ("pinned", "user_thread", history)
    ledger.commit(plan, "user_thread", A("hello"))
    plan2 = ledger.plan(SCOPE, [U("hi"), A("hello"), U("next")], pinned="user_thread")
    assert (plan2.mode, plan2.send) == ("pinned", [U("next")])
    # an unrelated history on a pinned thread is appended whole: the user owns the thread
    plan3 = ledger.plan(SCOPE, [U("something else")], pinned="user_thread")
    assert plan3.send == [U("something else")]
    # a pinned thread never shows up as a continuation candidate
    assert ledger.plan(SCOPE, [U("hi"), A("hello"), U("next")]).mode == "fresh"


def _run_in_threads(worker: Callable[..., None], count: int, *, numbered: bool = False) -> None:
    threads = [threading.Thread(target=worker, args=(n,) if numbered else ()) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _ledger_holding_thread_1() -> tuple[ThreadLedger, list[Message]]:
    """A ledger whose thread_1 holds [hi, hello], and the history that continues it."""
    ledger = ThreadLedger()
    run_fresh(ledger, [U("hi")], A("hello"), "thread_1")
    return ledger, [U("hi"), A("hello"), U("next")]


def test_many_threads_never_lose_a_claim() -> None:
    ledger, history = _ledger_holding_thread_1()
    barrier = threading.Barrier(16)
    results: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        for _ in range(200):
            plan = ledger.plan(SCOPE, history)
            with lock:
                results.append(plan.mode)
            if plan.mode == "continue":
                # only one holder at a time
                assert ledger.is_claimed(SCOPE, "thread_1")
                ledger.release(plan, plan.thread_id)

    _run_in_threads(worker, 16)
    assert len(results) == 16 * 200
    assert "continue" in results
    assert not ledger.is_claimed(SCOPE, "thread_1")
    assert ledger.plan(SCOPE, history).mode == "continue"


def test_concurrent_claims_are_exclusive() -> None:
    ledger, history = _ledger_holding_thread_1()
    barrier = threading.Barrier(32)
    modes: list[str] = []

    def worker() -> None:
        barrier.wait()
        modes.append(ledger.plan(SCOPE, history).mode)

    _run_in_threads(worker, 32)
    assert modes.count("continue") == 1
    assert modes.count("fresh") == 31


def test_concurrent_commits_of_distinct_threads_are_all_kept() -> None:
    ledger = ThreadLedger()

    def worker(n: int) -> None:
        for k in range(50):
            run_fresh(ledger, [U(f"{n}-{k}")], A("r"), f"thread_{n}_{k}")

    _run_in_threads(worker, 8, numbered=True)
    assert len(ledger) == 400
    for n in range(8):
        plan = ledger.plan(SCOPE, [U(f"{n}-49"), A("r"), U("x")])
        assert plan.thread_id == f"thread_{n}_49"


# -- the process-wide ledger, through clients ----------------------------------------------


async def test_new_client_with_same_endpoint_and_secret_id_continues(make_harness) -> None:
    secret_id = f"AKID{uuid.uuid4().hex}"
    first = make_harness(secret_id=secret_id, ledger=None)
    assert first.client.ledger is default_ledger()
    history = [U("hi")]
    result = await first.chat(history)
    assert not result.continued_thread

    nxt = [*history, A(result.text), U("more")]
    second = make_harness(secret_id=secret_id, secret_key="another-key", ledger=None)
    result2 = finished(await second.stream(nxt))
    assert result2.continued_thread
    assert result2.thread_id == result.thread_id
    assert result2.messages_sent == 1

    nxt2 = [*nxt, A(result2.text), U("again")]
    other_id = make_harness(secret_id=f"AKID{uuid.uuid4().hex}", ledger=None)
    assert not (await other_id.chat(nxt2)).continued_thread
    other_endpoint = make_harness(
        secret_id=secret_id,
        base_url="https://hunyuan.ap-guangzhou.tencentcloudapi.com",
        ledger=None,
    )
    assert not (await other_endpoint.chat(nxt2)).continued_thread
    # the original account+endpoint still continues
    same = make_harness(secret_id=secret_id, ledger=None)
    assert (await same.chat(nxt2, RunOptions())).continued_thread
