"""The fault matrix: every way a remote streaming call can fail, through both adapters, sync and
async, streaming and not, ends in exactly one documented outcome (docs/reliability.md):

- retried to success, with exactly the text of an unfaulted run (nothing duplicated) and the
  number of attempts the retry rules allow, on the same thread when the service provably did not
  act on the request and on a fresh thread otherwise;
- or one typed error carrying its code and the failing request's RequestId, with the partial
  output attached (and equal to what the caller received) when the stream had begun.

Faults come from the emulator's per-request script, so every outcome is deterministic.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest

from hunyuan_api import (
    AccountError,
    APIError,
    APITimeoutError,
    AsyncHunyuanClient,
    AuthenticationError,
    BadRequestError,
    ContentFilterError,
    HunyuanError,
    Message,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    StreamError,
    default_ledger,
)
from hunyuan_emulator import EmulatorHandle, Fault, run_emulator
from tests.support.reliability import (
    ADAPTERS,
    CALLS,
    MODES,
    PROMPT,
    Adapter,
    Call,
    Mode,
    assert_error_class,
    drive,
    fresh,
    make_model,
    reply_to,
    streamed_prefix,
)

REPLY = reply_to(PROMPT)
AFTER = 3  # deltas streamed before a mid-stream fault fires
MAX_RETRIES = 2

#: Protocol §2's transient codes: retried before the stream, with backoff.
TRANSIENT_CODES = (
    "FailedOperation.EngineRequestTimeout",
    "FailedOperation.EngineServerError",
    "FailedOperation.EngineServerLimitExceeded",
    "LimitExceeded",
    "RequestLimitExceeded",
    "InternalError",
    "ServiceUnavailable",
)


@dataclass(frozen=True)
class Case:
    """One fault and the outcome it must end in."""

    id: str
    faults: tuple[tuple[Fault, int], ...]
    #: "ok": retried to success; "error": the typed error below.
    outcome: Literal["ok", "error"]
    #: RunThread requests the call makes in all.
    attempts: int
    #: ok cases with a retry: whether the retry reused the thread (the service never acted).
    same_thread: bool | None = None
    error: type[HunyuanError] | None = None
    code: str | None = None
    #: Deltas received before the failure: the error's partial text (None: no output yet).
    partial_after: int | None = None
    #: Whether the error names the failing response's RequestId (None when no response came).
    request_id: bool = True
    action: str = "RunThread"
    model_settings: dict[str, Any] = field(default_factory=dict)


def _ok_after_one(fault: Fault, *, same_thread: bool, id: str) -> Case:
    return Case(id, ((fault, 1),), "ok", attempts=2, same_thread=same_thread)


CASES: list[Case] = [
    # -- transient errors before the stream: retried on the same thread, then success --------
    *(
        _ok_after_one(Fault.error(code), same_thread=True, id=f"before-{code}")
        for code in TRANSIENT_CODES
    ),
    # A gateway page proves nothing about the service, so the retry takes a fresh thread.
    _ok_after_one(Fault.http_status(502), same_thread=False, id="before-http502"),
    _ok_after_one(Fault.http_status(503), same_thread=False, id="before-http503"),
    # -- transient errors that persist: the typed error after max_retries ---------------------
    Case(
        "persistent-InternalError",
        ((Fault.error("InternalError"), MAX_RETRIES + 1),),
        "error",
        attempts=MAX_RETRIES + 1,
        error=ServerError,
        code="InternalError",
    ),
    Case(
        "persistent-LimitExceeded",
        ((Fault.error("LimitExceeded"), MAX_RETRIES + 1),),
        "error",
        attempts=MAX_RETRIES + 1,
        error=RateLimitError,
        code="LimitExceeded",
    ),
    Case(
        "persistent-http503",
        ((Fault.http_status(503), MAX_RETRIES + 1),),
        "error",
        attempts=MAX_RETRIES + 1,
        error=ServerError,
        code="HTTP.503",
        request_id=False,  # a gateway's HTML page carries no RequestId
    ),
    # -- non-transient errors before the stream: raised at once ------------------------------
    *(
        Case(f"before-{code}", ((Fault.error(code), 1),), "error", 1, error=cls, code=code)
        for code, cls in (
            ("AuthFailure.SignatureFailure", AuthenticationError),
            ("InvalidParameterValue.Model", BadRequestError),
            ("ResourceNotFound", NotFoundError),
            ("FailedOperation.ServiceNotActivated", AccountError),
            ("OperationDenied.TextIllegalDetected", ContentFilterError),
            ("FailedOperation.SomethingNew", APIError),
        )
    ),
    # -- failures of CreateThread, the run's first request -----------------------------------
    Case(
        "create-thread-InternalError",
        ((Fault.error("InternalError"), 1),),
        "ok",
        attempts=1,
        action="CreateThread",
    ),
    Case(
        "create-thread-AuthFailure",
        ((Fault.error("AuthFailure.SecretIdNotFound"), 1),),
        "error",
        attempts=0,
        error=AuthenticationError,
        code="AuthFailure.SecretIdNotFound",
        action="CreateThread",
    ),
    # -- an error frame (each of the three forms) after output: typed error with partial ----
    *(
        Case(
            f"frame-after-output-{form}",
            ((Fault.error_frame("FailedOperation.EngineServerError", form, AFTER), 1),),
            "error",
            1,
            error=ServerError,
            # The ErrorMsg form carries ChatCompletions' numeric codes (4000: internal error).
            code="4000" if form == "error_msg" else "FailedOperation.EngineServerError",
            partial_after=AFTER,
        )
        for form in ("run_failed", "error", "error_msg")
    ),
    Case(
        "frame-after-output-ratelimit",
        ((Fault.error_frame("LimitExceeded", "error", AFTER), 1),),
        "error",
        1,
        error=RateLimitError,
        code="LimitExceeded",
        partial_after=AFTER,
    ),
    # -- the same frames before any output: retried on a fresh thread ------------------------
    *(
        _ok_after_one(
            Fault.error_frame("FailedOperation.EngineServerError", form, 0),
            same_thread=False,
            id=f"frame-before-output-{form}",
        )
        for form in ("run_failed", "error", "error_msg")
    ),
    # A non-transient frame before output is raised at once (the stream had begun: partial "").
    Case(
        "frame-before-output-content-filter",
        ((Fault.error_frame("OperationDenied.TextIllegalDetected", "run_failed", 0), 1),),
        "error",
        1,
        error=ContentFilterError,
        code="OperationDenied.TextIllegalDetected",
        partial_after=0,
    ),
    # -- broken streams after output: StreamError with partial, never a success -------------
    Case(
        "drop-after-output",
        ((Fault.drop(AFTER), 1),),
        "error",
        1,
        error=StreamError,
        code="StreamInterrupted",
        partial_after=AFTER,
    ),
    Case(
        "truncate-after-output",
        ((Fault.truncate(AFTER), 1),),
        "error",
        1,
        error=StreamError,
        code="StreamTruncated",
        partial_after=AFTER,
    ),
    Case(
        "malformed-after-output",
        ((Fault.malformed(AFTER), 1),),
        "error",
        1,
        error=StreamError,
        code="StreamMalformed",
        partial_after=AFTER,
    ),
    # -- the same before output: retried on a fresh thread -----------------------------------
    _ok_after_one(Fault.drop(0), same_thread=False, id="drop-before-output"),
    _ok_after_one(Fault.truncate(0), same_thread=False, id="truncate-before-output"),
    _ok_after_one(Fault.malformed(0), same_thread=False, id="malformed-before-output"),
    # A truncated stream that keeps failing is an error, never a silent success.
    Case(
        "truncate-every-attempt",
        ((Fault.truncate(0), MAX_RETRIES + 1),),
        "error",
        MAX_RETRIES + 1,
        error=StreamError,
        code="StreamTruncated",
        partial_after=0,
    ),
    # -- slow first byte past the timeout ----------------------------------------------------
    Case(
        "slow-first-byte-once",
        ((Fault.slow_first_byte(1.0), 1),),
        "ok",
        2,
        same_thread=False,  # the request may have reached the model: never reuse its thread
        model_settings={"timeout": 0.3},
    ),
    Case(
        "slow-first-byte-always",
        ((Fault.slow_first_byte(1.0), MAX_RETRIES + 1),),
        "error",
        MAX_RETRIES + 1,
        error=APITimeoutError,
        code="ClientTimeout",
        request_id=False,  # no response, so no RequestId
        model_settings={"timeout": 0.3},
    ),
]


def _runs(emu: EmulatorHandle, *, at_least: int = 0) -> list[Any]:
    """The RunThread requests the emulator logged. ``at_least``: a client that timed out may give
    up before the emulator, on its own busy thread, has read the last request; wait for it."""
    deadline = time.monotonic() + 5.0
    while True:
        runs = [r for r in emu.state.requests if r.action == "RunThread"]
        if len(runs) >= at_least or time.monotonic() > deadline:
            return runs
        time.sleep(0.01)


def _check_success(
    case: Case, call: Call, emu: EmulatorHandle, text: str | None, seen: str
) -> None:
    assert text == REPLY
    if call == "stream":
        assert seen == REPLY  # each piece once, in order: no retry duplicated anything
    runs = _runs(emu)
    assert len(runs) == case.attempts, [r.outcome for r in runs]
    assert runs[-1].outcome == "stream"
    assert all(r.outcome.startswith("fault:") for r in runs[:-1]), [r.outcome for r in runs]
    if case.same_thread is not None:
        threads = [r.body["ThreadID"] for r in runs]
        assert (threads[0] == threads[1]) is case.same_thread, threads


def _check_error(
    case: Case, adapter: Adapter, call: Call, emu: EmulatorHandle, error: BaseException | None
) -> None:
    assert error is not None
    assert case.error is not None
    assert_error_class(adapter, error, case.error)
    assert isinstance(error, HunyuanError)
    assert error.code == case.code
    runs = _runs(emu, at_least=case.attempts if case.code == "ClientTimeout" else 0)
    assert len(runs) == case.attempts, [r.outcome for r in runs]
    failing = runs[-1] if runs else [r for r in emu.state.requests][-1]
    if case.request_id:
        assert error.request_id == failing.request_id
        assert error.request_id in str(error)
    else:
        assert error.request_id is None
    if case.partial_after is None:
        assert error.partial is None
    else:
        assert error.partial is not None
        assert error.partial_text == streamed_prefix(REPLY, case.partial_after)
        assert error.partial.request_id == error.request_id
        assert error.partial.thread_id == failing.body["ThreadID"]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_fault_ends_in_its_documented_outcome(
    emu: EmulatorHandle, adapter: Adapter, mode: Mode, call: Call, case: Case
) -> None:
    model = make_model(adapter, emu, **case.model_settings)
    for fault, count in case.faults:
        emu.state.add_fault(fault, action=case.action, count=count)
    out = await drive(adapter, mode, call, model, PROMPT)
    if case.outcome == "ok":
        assert out.error is None, repr(out.error)
        _check_success(case, call, emu, out.text, out.seen)
    else:
        _check_error(case, adapter, call, emu, out.error)
        assert isinstance(out.error, HunyuanError)
        if call == "stream":
            # The partial output is exactly what the caller had received.
            assert out.seen == out.error.partial_text
    # Nothing left behind: no fault unspent, no thread claimed, no run still open.
    assert emu.state.pending_faults == []
    assert not default_ledger()._claimed
    await _until(lambda: emu.state.active_runs() == 0)


async def _until(predicate: Any, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.005)


# --------------------------------------------------------------------------- concurrency cap


@pytest.fixture(scope="module")
def capped() -> Any:
    """An emulator that lets one SecretId run one model call at a time (the account cap)."""
    with run_emulator(concurrency_limit=1) as handle:
        yield handle


@pytest.fixture
def cap_emu(capped: EmulatorHandle) -> EmulatorHandle:
    return fresh(capped)


async def _hold_the_slot(emu: EmulatorHandle, seconds: float) -> asyncio.Task[Any]:
    """A run on another conversation that takes the account's only slot for ``seconds``."""
    holder = AsyncHunyuanClient(
        base_url=emu.base_url,
        secret_id=emu.secret_id,
        secret_key=emu.secret_key,
        max_retries=0,
        timeout=30,
    )
    emu.state.add_fault(Fault.slow_first_byte(seconds), action="RunThread")

    async def hold() -> Any:
        async with holder:
            return await holder.chat([Message("user", "hold the slot")])

    task = asyncio.create_task(hold())
    await _until(lambda: emu.state.active_runs() == 1)
    return task


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_concurrency_cap_is_a_rate_limit_error_after_retries(
    cap_emu: EmulatorHandle, adapter: Adapter, mode: Mode, call: Call
) -> None:
    holder = await _hold_the_slot(cap_emu, 30)
    try:
        out = await drive(adapter, mode, call, make_model(adapter, cap_emu), PROMPT)
    finally:
        holder.cancel()
        await asyncio.gather(holder, return_exceptions=True)
    error = out.error
    assert error is not None
    assert_error_class(adapter, error, RateLimitError)
    assert isinstance(error, RateLimitError)
    assert error.code == "FailedOperation.EngineServerLimitExceeded"
    refused = [r for r in _runs(cap_emu) if r.body["AdditionalMessages"][0]["Content"] == PROMPT]
    assert len(refused) == MAX_RETRIES + 1
    assert all(r.outcome == "FailedOperation.EngineServerLimitExceeded" for r in refused)
    assert error.request_id == refused[-1].request_id
    assert error.partial is None
    # Refused before it ran: every attempt reused the one thread.
    assert len({r.body["ThreadID"] for r in refused}) == 1
    # The holder's cancellation closed its connection: the slot is free again.
    await _until(lambda: cap_emu.state.active_runs() == 0)
    out = await drive(adapter, mode, call, make_model(adapter, cap_emu), PROMPT)
    assert out.error is None, repr(out.error)
    assert out.text == REPLY


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_concurrency_cap_freed_during_backoff_is_a_success(
    cap_emu: EmulatorHandle, adapter: Adapter, mode: Mode, call: Call
) -> None:
    # Retries 0.3 s apart, up to 1.5 s in all; the slot frees 0.5 s after the holder started.
    model = make_model(
        adapter,
        cap_emu,
        max_retries=5,
        retry_policy=RetryPolicy(initial_delay=0.3, max_delay=0.3, jitter=0.0),
    )
    warm = await drive(adapter, mode, call, model, "warm up the connection pool")
    assert warm.error is None, repr(warm.error)
    holder = await _hold_the_slot(cap_emu, 0.5)
    out = await drive(adapter, mode, call, model, PROMPT)
    await asyncio.gather(holder, return_exceptions=True)
    assert out.error is None, repr(out.error)
    assert out.text == REPLY
    if call == "stream":
        assert out.seen == REPLY
    mine = [r for r in _runs(cap_emu) if r.body["AdditionalMessages"][0]["Content"] == PROMPT]
    *refused, last = [r.outcome for r in mine]
    assert refused
    assert set(refused) == {"FailedOperation.EngineServerLimitExceeded"}
    assert last == "stream"


# --------------------------------------------------------------------------- thread rules


def _history(adapter: Adapter, first: Any, follow_up: str) -> list[Any]:
    if adapter == "langchain":
        from langchain_core.messages import HumanMessage

        return [HumanMessage(PROMPT), first, HumanMessage(follow_up)]
    from llama_index.core.base.llms.types import ChatMessage

    return [
        ChatMessage(role="user", content=PROMPT),
        first,
        ChatMessage(role="user", content=follow_up),
    ]


def _reply(adapter: Adapter, model: Any, messages: Any) -> Any:
    if adapter == "langchain":
        return model.invoke(messages)
    if isinstance(messages, str):
        from llama_index.core.base.llms.types import ChatMessage

        messages = [ChatMessage(role="user", content=messages)]
    return model.chat(messages).message


@pytest.mark.parametrize(
    ("fault", "retried"),
    [
        (Fault.error("InternalError"), True),  # refused before it ran: the same thread again
        (Fault.drop(0), True),  # may have been applied: replayed whole on a fresh thread
        (Fault.drop(AFTER), False),  # output had reached the caller: raised with partial
    ],
    ids=["before-stream", "stream-began", "after-output"],
)
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_a_continued_thread_is_retried_by_the_thread_rules(
    emu: EmulatorHandle, adapter: Adapter, fault: Fault, retried: bool
) -> None:
    model = make_model(adapter, emu)
    first = _reply(adapter, model, PROMPT)
    follow_up = "And what about retries?"
    emu.state.add_fault(fault)
    if retried:
        second = _reply(adapter, model, _history(adapter, first, follow_up))
        assert second.content == reply_to(follow_up)
    else:
        with pytest.raises(StreamError) as caught:
            _reply(adapter, model, _history(adapter, first, follow_up))
        assert caught.value.partial_text == streamed_prefix(reply_to(follow_up), AFTER)
    runs = _runs(emu)
    sent = [(r.body["ThreadID"], len(r.body["AdditionalMessages"])) for r in runs]
    original = sent[0][0]
    if not retried:
        assert sent[1:] == [(original, 1)]
    elif fault.kind == "error":
        assert sent[1:] == [(original, 1), (original, 1)]  # only the new message, twice
    else:
        # The dropped run may have been applied, so the ledger forgets the thread; the reply's
        # token still names it, and the check shows the run left it untouched (the emulator
        # stores a run's messages only when it completes): only the new message again.
        assert sent[1:] == [(original, 1), (original, 1)]
        checks = [r for r in emu.state.requests if r.action == "GetThreadMessageList"]
        assert [c.body["Limit"] for c in checks] == [1, 1, 3]
    assert not default_ledger()._claimed


@pytest.mark.parametrize(
    ("fault", "retried", "error"),
    [
        (Fault.error("InternalError"), True, None),
        (Fault.http_status(503), False, ServerError),
        (Fault.drop(0), False, StreamError),
        (Fault.truncate(0), False, StreamError),
        (Fault.error_frame("InternalError", "error", 0), False, ServerError),
        (Fault.slow_first_byte(1.0), False, APITimeoutError),
    ],
    ids=["json-error", "http-503", "drop", "truncate", "error-frame", "timeout"],
)
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_a_pinned_thread_is_retried_only_when_the_request_never_ran(
    emu: EmulatorHandle,
    adapter: Adapter,
    fault: Fault,
    retried: bool,
    error: type[HunyuanError] | None,
) -> None:
    from hunyuan_api import HunyuanClient

    with HunyuanClient(
        base_url=emu.base_url, secret_id=emu.secret_id, secret_key=emu.secret_key
    ) as owner:
        thread_id = owner.create_thread().id
    model = make_model(adapter, emu, thread_id=thread_id, timeout=0.3)
    emu.state.add_fault(fault)
    out = asyncio.run(drive(adapter, "sync", "invoke", model, PROMPT))
    runs = _runs(emu)
    assert {r.body["ThreadID"] for r in runs} == {thread_id}  # never another thread
    if retried:
        assert out.error is None, repr(out.error)
        assert out.text == REPLY
        assert len(runs) == 2
    else:
        # The run may have changed the caller's thread: a retry could duplicate its messages.
        assert error is not None
        assert isinstance(out.error, error), repr(out.error)
        assert len(runs) == 1


def test_retry_policy_reaches_the_core_and_is_never_serialized(emu: EmulatorHandle) -> None:
    from langchain_core.load import dumpd

    policy = RetryPolicy(initial_delay=0.125, max_delay=1.0, jitter=0.0)
    chat = make_model("langchain", emu, retry_policy=policy)
    llm = make_model("llamaindex", emu, retry_policy=policy)
    for client in (chat._client, chat._async_client, llm._get_client(), llm._get_aclient()):
        assert client.retry_policy is policy
    assert "retry_policy" not in dumpd(chat)["kwargs"]
    assert "retry_policy" not in llm.to_dict()
    # The production default: 0.5 s doubling to 8 s, up to half of each wait taken off at random.
    default = make_model("langchain", emu, retry_policy=None)._client.retry_policy
    assert default == RetryPolicy(initial_delay=0.5, max_delay=8.0, multiplier=2.0, jitter=0.5)
