"""Thread tokens (pure parts): signing, parsing untrusted metadata, how the ledger plans with
them, and how a listing of the thread decides where a run's messages landed."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest
from pydantic import SecretStr

from hunyuan_api import Message, ThreadLedger, ThreadMessageList, ThreadToken, ToolCall
from hunyuan_api._run.continuation import (
    TokenSigner,
    needs_check,
    parse_token,
    placement,
    tip_is,
    tip_query,
)
from hunyuan_api._run.threads import history_digests, ledger_scope
from hunyuan_api.adapter import THREAD_TOKEN_KEY, thread_token
from tests.support.messages import R, U

ENDPOINT = "https://hunyuan.tencentcloudapi.com/"
SCOPE = ledger_scope(ENDPOINT, "AKIDscope")
SIGNER = TokenSigner(ENDPOINT, SecretStr("the-secret-key"))
CALL = ToolCall("call_1", "lookup", '{"q": "x"}')


def replied(history: list[Message], text: str, thread: str, message: str, *calls: ToolCall):
    """``history`` plus an assistant reply carrying the token a run on ``thread`` would give."""
    reply = Message("assistant", text, calls)
    digest = history_digests([*history, reply])[-1]
    token = SIGNER.issue(thread, message, digest)
    return [*history, Message("assistant", text, calls, thread_token=token)], token


# -- signing ------------------------------------------------------------------------------------


def test_a_token_is_trusted_for_exactly_the_history_it_names() -> None:
    history, token = replied([U("hi")], "hello", "thread_1", "msg_2")
    digests = history_digests(history)
    assert SIGNER.trusts(token, digests[-1])
    assert not SIGNER.trusts(token, digests[0])
    edited = history_digests([U("hi"), Message("assistant", "hello!")])[-1]
    assert not SIGNER.trusts(token, edited)


@pytest.mark.parametrize(
    "signer",
    [
        TokenSigner(ENDPOINT, SecretStr("another-key")),
        TokenSigner("http://127.0.0.1:8000/", SecretStr("the-secret-key")),
    ],
    ids=["other-secret-key", "other-endpoint"],
)
def test_a_token_from_other_credentials_or_another_endpoint_is_not_trusted(
    signer: TokenSigner,
) -> None:
    history, token = replied([U("hi")], "hello", "thread_1", "msg_2")
    assert not signer.trusts(token, history_digests(history)[-1])


@pytest.mark.parametrize("field", ["thread_id", "message_id", "digest", "mac"])
def test_a_tampered_token_is_not_trusted(field: str) -> None:
    history, token = replied([U("hi")], "hello", "thread_1", "msg_2")
    raw = token.as_metadata()
    raw[field] = raw[field][:-1] + ("0" if raw[field][-1] != "0" else "1")
    forged = parse_token(raw)
    assert forged is not None
    assert not SIGNER.trusts(forged, history_digests(history)[-1])


def test_the_signer_shows_and_pickles_no_key_material() -> None:
    assert "secret" not in repr(SIGNER)
    assert SIGNER._key.hex() not in repr(SIGNER)
    with pytest.raises(TypeError):
        pickle.dumps(SIGNER)


# -- parsing what a store gives back ---------------------------------------------------------------


def test_a_token_survives_a_json_round_trip() -> None:
    _, token = replied([U("hi")], "hello", "thread_1", "msg_2")
    stored = json.loads(json.dumps({THREAD_TOKEN_KEY: token.as_metadata()}))
    assert thread_token(stored) == token
    assert parse_token(token) is token


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "thread_1",
        ["thread_1", "msg_2"],
        {},
        {"thread_id": "thread_1", "message_id": "msg_2", "digest": "00" * 16},
        {"thread_id": 1, "message_id": "msg_2", "digest": "00" * 16, "mac": "00" * 16},
        {"thread_id": "t", "message_id": "m", "digest": "zz" * 16, "mac": "00" * 16},
        {"thread_id": "t", "message_id": "m", "digest": "00" * 15, "mac": "00" * 16},
        {"thread_id": "t" * 201, "message_id": "m", "digest": "00" * 16, "mac": "00" * 16},
        {"thread_id": "t\n", "message_id": "m", "digest": "00" * 16, "mac": "00" * 16},
        {"thread_id": "", "message_id": "m", "digest": "00" * 16, "mac": "00" * 16},
    ],
)
def test_malformed_metadata_is_no_token(raw: Any) -> None:
    assert parse_token(raw) is None
    assert thread_token({THREAD_TOKEN_KEY: raw}) is None
    assert thread_token(None) is None


def test_the_token_is_no_part_of_a_message_s_content() -> None:
    _, token = replied([U("hi")], "hello", "thread_1", "msg_2")
    plain = Message("assistant", "hello")
    carrying = Message("assistant", "hello", thread_token=token)
    assert plain == carrying
    assert history_digests([U("hi"), plain]) == history_digests([U("hi"), carrying])
    assert "thread_1" not in repr(carrying)


# -- the ledger's plan -----------------------------------------------------------------------------


def test_a_history_the_ledger_does_not_know_resumes_the_token_s_thread() -> None:
    history, _ = replied([Message("system", "s"), U("hi")], "hello", "thread_1", "msg_2")
    plan = ThreadLedger().plan(SCOPE, [*history, U("next")], trust=SIGNER.trusts)
    assert (plan.mode, plan.thread_id, plan.expect) == ("resume", "thread_1", "msg_2")
    assert plan.send == [U("next")]
    assert plan.claimed


def test_without_trust_tokens_are_ignored() -> None:
    history, _ = replied([U("hi")], "hello", "thread_1", "msg_2")
    assert ThreadLedger().plan(SCOPE, [*history, U("next")]).mode == "fresh"


def test_an_edited_history_does_not_resume() -> None:
    history, _ = replied([U("hi")], "hello", "thread_1", "msg_2")
    edited = [U("hi, edited"), history[1], U("next")]
    assert ThreadLedger().plan(SCOPE, edited, trust=SIGNER.trusts).mode == "fresh"


def test_a_trimmed_history_does_not_resume() -> None:
    history, _ = replied([Message("system", "s"), U("a")], "b", "thread_1", "msg_2")
    history += [U("c")]
    history, _ = replied(history, "d", "thread_1", "msg_4")
    trimmed = [history[0], *history[3:], U("e")]  # the first exchange dropped
    assert ThreadLedger().plan(SCOPE, trimmed, trust=SIGNER.trusts).mode == "fresh"


def test_tool_results_resume_only_after_a_reply_with_tool_calls() -> None:
    history, _ = replied([U("q")], "", "thread_1", "msg_2", CALL)
    plan = ThreadLedger().plan(SCOPE, [*history, R("out", "call_1")], trust=SIGNER.trusts)
    assert (plan.mode, plan.send) == ("resume", [R("out", "call_1")])
    plain, _ = replied([U("q")], "plain", "thread_1", "msg_2")
    assert ThreadLedger().plan(SCOPE, [*plain, R("out", "c")], trust=SIGNER.trusts).mode == "fresh"


def test_the_latest_reply_wins_and_the_ledger_wins_on_the_same_reply() -> None:
    ledger = ThreadLedger()
    first, _ = replied([U("a")], "b", "thread_1", "msg_2")
    ledger.commit(ledger.plan(SCOPE, first[:1]), "thread_1", first[1], "msg_2")
    # The same reply: the ledger's entry (same thread) is used, as "continue".
    plan = ledger.plan(SCOPE, [*first, U("c")], trust=SIGNER.trusts)
    assert (plan.mode, plan.thread_id, plan.expect) == ("continue", "thread_1", "msg_2")
    ledger.release(plan, "thread_1")
    # A later reply (written by another process) that the ledger never saw: its token wins.
    later, _ = replied([*first, U("c")], "d", "thread_1", "msg_4")
    plan = ledger.plan(SCOPE, [*later, U("e")], trust=SIGNER.trusts)
    assert (plan.mode, plan.expect, plan.send) == ("resume", "msg_4", [U("e")])


def test_two_in_process_resumes_of_one_thread_do_not_both_continue() -> None:
    ledger = ThreadLedger()
    history, _ = replied([U("hi")], "hello", "thread_1", "msg_2")
    first = ledger.plan(SCOPE, [*history, U("one")], trust=SIGNER.trusts)
    second = ledger.plan(SCOPE, [*history, U("two")], trust=SIGNER.trusts)
    assert (first.mode, second.mode) == ("resume", "fresh")
    ledger.release(first, "thread_1")
    assert ledger.plan(SCOPE, [*history, U("two")], trust=SIGNER.trusts).mode == "resume"


def test_a_pinned_thread_ignores_tokens() -> None:
    history, _ = replied([U("hi")], "hello", "thread_1", "msg_2")
    plan = ThreadLedger().plan(SCOPE, [*history, U("n")], pinned="mine", trust=SIGNER.trusts)
    assert (plan.mode, plan.thread_id) == ("pinned", "mine")


def test_the_ledger_remembers_each_thread_s_newest_message_and_forgets_it() -> None:
    ledger = ThreadLedger()
    plan = ledger.plan(SCOPE, [U("a")])
    ledger.commit(plan, "thread_1", Message("assistant", "b"), "msg_2")
    follow = ledger.plan(SCOPE, [U("a"), Message("assistant", "b"), U("c")])
    assert follow.expect == "msg_2"
    ledger.abandon(follow, "thread_1")
    assert not ledger._tip
    ledger.commit(ledger.plan(SCOPE, [U("x")]), "thread_2", Message("assistant", "y"), "m")
    ledger.clear()
    assert not ledger._tip


def test_the_tip_map_stays_bounded() -> None:
    ledger = ThreadLedger(maxsize=3)
    for n in range(10):
        plan = ledger.plan(SCOPE, [U(f"q{n}")])
        ledger.commit(plan, f"thread_{n}", Message("assistant", "a"), f"msg_{n}")
    assert len(ledger._tip) <= 3


# -- which continuations are checked ---------------------------------------------------------------


def test_new_turns_and_resumes_are_checked_agent_steps_from_the_ledger_are_not() -> None:
    ledger = ThreadLedger()
    plan = ledger.plan(SCOPE, [U("q")])
    ledger.commit(plan, "thread_1", Message("assistant", "", (CALL,)), "msg_2")
    step = ledger.plan(SCOPE, [U("q"), Message("assistant", "", (CALL,)), R("out", "call_1")])
    assert step.mode == "continue"
    assert not needs_check(step, SIGNER)
    ledger.commit(step, "thread_1", Message("assistant", "done"), "msg_4")
    history = [U("q"), Message("assistant", "", (CALL,)), R("out", "call_1")]
    turn = ledger.plan(SCOPE, [*history, Message("assistant", "done"), U("next")])
    assert turn.mode == "continue"
    assert needs_check(turn, SIGNER)
    assert not needs_check(turn, None)  # resume_threads=False: no checks, as before
    ledger.release(turn, "thread_1")
    # Tool results followed by more (an older ledger state, extended elsewhere): not one step.
    older = ThreadLedger()
    older.commit(older.plan(SCOPE, [U("q")]), "thread_1", Message("assistant", "", (CALL,)), "m")
    beyond = older.plan(SCOPE, [*history, Message("assistant", "done"), U("next")])
    assert (beyond.mode, [m.role for m in beyond.send]) == (
        "continue",
        ["tool", "assistant", "user"],
    )
    assert needs_check(beyond, SIGNER)
    tokened, _ = replied([U("q")], "", "thread_9", "msg_9", CALL)
    resumed = ThreadLedger().plan(SCOPE, [*tokened, R("o", "call_1")], trust=SIGNER.trusts)
    assert resumed.mode == "resume"
    assert needs_check(resumed, SIGNER)


# -- reading a thread listing ----------------------------------------------------------------------


def listing(*ids: str, has_more: bool = False) -> ThreadMessageList:
    return ThreadMessageList.model_validate({"Data": [{"ID": i} for i in ids], "HasMore": has_more})


def test_tip_query_and_tip_is() -> None:
    assert tip_query("thread_1") == {"ThreadID": "thread_1", "Limit": 1, "Order": "desc"}
    assert tip_query("thread_1", 500)["Limit"] == 100
    assert tip_is(listing("msg_2", "msg_1"), "msg_2")
    assert not tip_is(listing("msg_3", "msg_2"), "msg_2")
    assert not tip_is(listing(), "msg_2")


@pytest.mark.parametrize(
    ("ids", "has_more", "limit", "expected"),
    [
        (("r", "u", "p"), True, 3, "ours"),  # the run's user message right after p
        (("x", "y", "r", "u", "p"), False, 100, "moved"),  # others wrote after the run
        (("r", "u", "o", "p"), True, 3, "conflict"),  # another run's reply came between
        (("r", "u"), False, 3, "conflict"),  # the thread holds nothing before the run's messages
        (("x", "y", "z"), True, 3, "unknown"),  # the reply is not on this page
        (("x", "r", "u"), True, 3, "unknown"),  # the page ends before p
    ],
)
def test_placement(ids: tuple[str, ...], has_more: bool, limit: int, expected: str) -> None:
    assert placement(listing(*ids, has_more=has_more), "r", "p", 1, limit) == expected


def test_thread_token_is_public_and_plain() -> None:
    token = ThreadToken("t", "m", "00" * 16, "11" * 16)
    assert token.as_metadata() == {
        "thread_id": "t",
        "message_id": "m",
        "digest": "00" * 16,
        "mac": "11" * 16,
    }
