"""Continuing a thread from a reply's token, as a new process would (a client with an empty
ledger): the check before the run, the verification after it, and every way back to a replay.
One test body drives the sync and the async client over the scripted fake service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from hunyuan_api import Message, RunOptions, RunResult, StreamError, ToolCall
from tests.support.common import CHECKED_RUN
from tests.support.fake_service import (
    FakeService,
    Harness,
    error_response,
    json_response,
    run_stream,
    text_of,
)
from tests.support.messages import U

MakeHarness = Callable[..., Harness]
CALL = ToolCall("call_1", "lookup", '{"q": "x"}')


def carried(result: RunResult) -> Message:
    """The reply as a history keeps it: text, calls and the token."""
    return Message("assistant", result.text, result.tool_calls, thread_token=result.thread_token)


async def first_turn(make_harness: MakeHarness, service: FakeService) -> list[Message]:
    """One turn in "another process"; returns the history to continue, and clears the log."""
    history = [Message("system", "be brief"), U("one")]
    result = await make_harness().chat(history)
    assert result.thread_token is not None
    assert result.thread_token.thread_id == result.thread_id == "thread_1"
    assert result.thread_token.message_id == result.message_id
    service.requests.clear()
    return [*history, carried(result)]


def listing(*ids: str) -> httpx.Response:
    return json_response({"Data": [{"ID": i} for i in ids], "HasMore": True})


async def test_a_new_process_continues_from_the_token(
    make_harness: MakeHarness, service: FakeService
) -> None:
    history = await first_turn(make_harness, service)
    result = await make_harness().chat([*history, U("two")])

    assert service.actions() == ["GetThreadMessageList", "RunThread", "GetThreadMessageList"]
    check, verify = service.bodies("GetThreadMessageList")
    assert check == {"ThreadID": "thread_1", "Limit": 1, "Order": "desc"}
    assert verify == {"ThreadID": "thread_1", "Limit": 3, "Order": "desc"}
    (run,) = service.bodies("RunThread")
    assert run["ThreadID"] == "thread_1"
    assert run["AdditionalMessages"] == [{"Role": "user", "Content": "two"}]
    assert (result.continued_thread, result.messages_sent) == (True, 1)
    assert result.thread_token is not None
    assert result.thread_token.message_id == result.message_id == service.threads["thread_1"][-1]

    # The next process continues from the newest reply, not the first one.
    service.requests.clear()
    later = await make_harness().chat([*history, U("two"), carried(result), U("three")])
    assert later.continued_thread
    assert service.bodies("RunThread")[0]["AdditionalMessages"] == [
        {"Role": "user", "Content": "three"}
    ]


@pytest.mark.parametrize(
    "check_reply",
    [
        pytest.param(lambda: listing("msg_someone_else", "msg_2"), id="moved-on"),
        pytest.param(lambda: json_response({"Data": [], "HasMore": False}), id="empty"),
        pytest.param(lambda: error_response("ResourceNotFound", "gone"), id="gone"),
        pytest.param(lambda: error_response("InternalError", "oops"), id="error"),
        pytest.param(lambda: httpx.ConnectError("refused"), id="unreachable"),
        pytest.param(lambda: json_response({"Data": "garbage"}), id="malformed"),
    ],
)
async def test_a_thread_that_fails_the_check_is_never_continued(
    make_harness: MakeHarness, service: FakeService, check_reply: Callable[[], Any]
) -> None:
    history = await first_turn(make_harness, service)
    service.script("GetThreadMessageList", check_reply())
    result = await make_harness().chat([*history, U("two")])

    # One check, no retry of it: the history is replayed whole on a fresh thread.
    assert service.actions() == ["GetThreadMessageList", "CreateThread", "RunThread"]
    (run,) = service.bodies("RunThread")
    assert run["ThreadID"] == "thread_2"
    assert [m["Role"] for m in run["AdditionalMessages"]] == ["system", "user", "assistant", "user"]
    assert not result.continued_thread
    assert result.thread_token is not None
    assert result.thread_token.thread_id == "thread_2"


@pytest.mark.parametrize(
    ("code", "expected", "thread_id"),
    [
        # Another process is running on the thread: the history goes to a fresh one.
        (
            "UnsupportedOperation",
            ["GetThreadMessageList", "RunThread", "CreateThread", "RunThread"],
            "thread_2",
        ),
        # A transient refusal is retried on the same thread, checked again first: the backoff
        # gave others time to write there.
        ("LimitExceeded", [*CHECKED_RUN[:2], *CHECKED_RUN], "thread_1"),
    ],
    ids=["busy", "rate-limited"],
)
async def test_a_refused_run_on_a_checked_thread(
    make_harness: MakeHarness, service: FakeService, code: str, expected: list[str], thread_id: str
) -> None:
    history = await first_turn(make_harness, service)
    service.script("RunThread", error_response(code, "refused"))
    result = await make_harness().chat([*history, U("two")])
    assert service.actions() == expected
    assert result.thread_id == thread_id
    assert result.continued_thread == (thread_id == "thread_1")


async def test_a_run_placed_after_another_run_raises_with_its_output(
    make_harness: MakeHarness, service: FakeService, sync: bool
) -> None:
    history = await first_turn(make_harness, service)
    tip = service.threads["thread_1"][-1]
    # Between the check and the run, another process's run lands on the thread.
    service.script("GetThreadMessageList", listing(tip), listing("msg_ours", "msg_in", "msg_other"))
    service.script(
        "RunThread",
        lambda request, body: service.stream(
            run_stream("thread_1", ["made with", " the wrong context"], message_id="msg_ours")
        ),
    )
    harness = make_harness()
    events, error = await harness.collect([*history, U("two")])

    assert isinstance(error, StreamError)
    assert error.code == "ThreadConflict"
    assert "another run" in str(error)
    # The caller already had the output; the error carries exactly that.
    assert error.partial_text == text_of(events) == "made with the wrong context"
    assert service.actions() == ["GetThreadMessageList", "RunThread", "GetThreadMessageList"]
    # Nothing was kept: calling again replays on a fresh thread (the check now fails on what
    # the thread holds: the other run's messages, then this one's).
    assert not harness.client.ledger._claimed
    assert len(harness.client.ledger) == 0
    service.threads["thread_1"] += ["msg_other_in", "msg_other", "msg_in", "msg_ours"]
    service.requests.clear()
    again = await harness.chat([*history, U("two")])
    assert service.actions() == ["GetThreadMessageList", "CreateThread", "RunThread"]
    assert again.thread_id == "thread_2"


@pytest.mark.parametrize(
    ("after", "limits"),
    [
        # Others wrote after the run: its context was right, but there is nothing to continue.
        pytest.param(
            lambda tip: [
                listing("msg_later", "msg_later_in", "msg_ours"),  # the first page misses it
                listing("msg_later", "msg_later_in", "msg_ours", "msg_in", tip),
            ],
            [1, 3, 100],
            id="moved-on",
        ),
        # The listing after the run failed: the run was checked before, not after.
        pytest.param(
            lambda tip: [error_response("InternalError", "listing failed")],
            [1, 3],
            id="unverified",
        ),
    ],
)
async def test_a_run_that_is_not_the_thread_s_verified_tip_succeeds_without_a_token(
    make_harness: MakeHarness,
    service: FakeService,
    after: Callable[[str], list[httpx.Response]],
    limits: list[int],
) -> None:
    history = await first_turn(make_harness, service)
    service.script("GetThreadMessageList", listing(service.threads["thread_1"][-1]))
    service.script("GetThreadMessageList", *after(service.threads["thread_1"][-1]))
    service.script(
        "RunThread",
        lambda request, body: service.stream(run_stream("thread_1", ["ok"], message_id="msg_ours")),
    )
    harness = make_harness()
    result = await harness.chat([*history, U("two")])
    assert (result.text, result.continued_thread, result.thread_token) == ("ok", True, None)
    assert [b["Limit"] for b in service.bodies("GetThreadMessageList")] == limits
    assert len(harness.client.ledger) == 0


async def test_a_forged_token_is_never_checked_or_continued(
    make_harness: MakeHarness, service: FakeService
) -> None:
    history = await first_turn(make_harness, service)
    other = make_harness(secret_key="another-key")
    await other.chat([*history, U("two")])
    assert service.actions() == ["CreateThread", "RunThread"]


async def test_resume_threads_false_keeps_threads_in_the_process(
    make_harness: MakeHarness, service: FakeService
) -> None:
    history = await first_turn(make_harness, service)
    local = make_harness(resume_threads=False)
    result = await local.chat([*history, U("two")])
    assert service.actions() == ["CreateThread", "RunThread"]
    assert result.thread_token is None
    # Its own ledger still continues, without checks (as before tokens existed).
    service.requests.clear()
    replayed = [*history, U("two"), carried(result), U("three")]
    assert (await local.chat(replayed)).continued_thread
    assert service.actions() == ["RunThread"]


async def test_a_pinned_thread_gets_no_token_and_no_checks(
    make_harness: MakeHarness, service: FakeService
) -> None:
    history = await first_turn(make_harness, service)
    result = await make_harness().chat([*history, U("two")], RunOptions(thread_id="mine"))
    assert service.actions() == ["RunThread"]
    assert service.bodies("RunThread")[0]["AdditionalMessages"] == [
        {"Role": "system", "Content": "be brief"},
        {"Role": "user", "Content": "one"},
        {"Role": "assistant", "Content": "reply 1"},
        {"Role": "user", "Content": "two"},
    ]
    assert result.thread_token is None


async def test_agent_steps_skip_the_check_but_a_token_s_steps_do_not(
    make_harness: MakeHarness, service: FakeService
) -> None:
    tool_reply = "\n".join(
        [
            'data: {"Object": "thread.message", "ID": "msg_call", "Status": "in_progress"}',
            "",
            'data: {"Object": "thread.message.delta", "ID": "msg_call", "Delta": {"ToolCalls": '
            '[{"Index": 0, "Id": "call_1", "Type": "function", "Function": {"Name": "lookup", '
            '"Arguments": "{\\"q\\": \\"x\\"}"}}]}}',
            "",
            'data: {"Object": "thread.run", "ID": "run_1", "Status": "requires_action", '
            '"RequiredAction": {"Type": "submit_tool_outputs", "SubmitToolOutputs": {"ToolCalls": '
            '[{"Index": 0, "Id": "call_1", "Type": "function", "Function": {"Name": "lookup", '
            '"Arguments": "{\\"q\\": \\"x\\"}"}}]}}}',
            "",
            "",
        ]
    ).encode()

    def call_tool(request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        held = service.threads[body["ThreadID"]]
        held.extend(["msg_q"] * len(body["AdditionalMessages"]) + ["msg_call"])
        return service.stream([tool_reply])

    service.script("RunThread", call_tool)
    harness = make_harness()
    asked = [U("q")]
    first = await harness.chat(asked)
    assert first.tool_calls == (CALL,)
    step = [*asked, carried(first), Message("tool", "out", tool_call_id="call_1")]
    await harness.chat(step)
    assert service.actions() == ["CreateThread", "RunThread", "RunThread"]  # no checks

    service.requests.clear()
    # The same step in another process: the token's thread is checked before and after.
    service.threads["thread_1"][-2:] = ["msg_call"]  # the thread as the first run left it
    await make_harness().chat(step)
    assert service.actions() == ["GetThreadMessageList", "RunThread", "GetThreadMessageList"]


async def test_a_ledger_entry_another_process_outdated_is_not_trusted(
    make_harness: MakeHarness, service: FakeService
) -> None:
    # Worker A answered the first turn; worker B answered the next one on the same thread; then
    # the first turn is continued again on A (a regenerate, or a retried request).
    worker_a = make_harness()
    history = [U("one")]
    first = await worker_a.chat(history)
    history.append(carried(first))
    await make_harness().chat([*history, U("two")])
    service.requests.clear()

    result = await worker_a.chat([*history, U("two, asked again")])
    # A's ledger says thread_1 holds this history; the check shows B wrote there since.
    assert service.actions() == ["GetThreadMessageList", "CreateThread", "RunThread"]
    assert result.thread_id == "thread_2"
    assert len(service.bodies("RunThread")[0]["AdditionalMessages"]) == 3
