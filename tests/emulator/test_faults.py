"""Every fault puts exactly the documented bytes on the wire."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from hunyuan_emulator import MALFORMED_FRAME, EmulatorHandle, Fault, run_emulator
from hunyuan_emulator.faults import http_status_body

TEXT = "one two three four"  # four deltas: "one ", "two ", "three ", "four"


def stream_raw(wire: Any, action: str, body: dict[str, Any]) -> tuple[httpx.Response, bytes]:
    with wire.stream(action, body) as r:
        return r, r.read()


@pytest.fixture
def thread(wire: Any, emu: EmulatorHandle) -> str:
    emu.state.queue_reply(text=TEXT)
    return str(wire.create_thread())


def test_error_before_stream(wire: Any, emu: EmulatorHandle, thread: str) -> None:
    emu.state.add_fault(Fault.error("FailedOperation.EngineServerError"))
    response = wire.post("RunThread", wire.run_body(thread))
    rid = response.headers["x-tc-requestid"]
    assert response.headers["content-type"] == "application/json"
    assert (
        response.content
        == (
            '{"Response":{"Error":{"Code":"FailedOperation.EngineServerError",'
            '"Message":"引擎层内部错误；请稍后重试。"},"RequestId":"' + rid + '"}}'
        ).encode()
    )
    # The queued reply was not spent: the retry gets it.
    _, raw = stream_raw(wire, "RunThread", wire.run_body(thread))
    assert "one two three four" in raw.decode()


def test_error_with_custom_message(wire: Any, emu: EmulatorHandle, thread: str) -> None:
    emu.state.add_fault(Fault.error("LimitExceeded", "slow down"))
    payload = wire.post("RunThread", wire.run_body(thread)).json()["Response"]
    assert payload["Error"] == {"Code": "LimitExceeded", "Message": "slow down"}


def test_http_status(wire: Any, emu: EmulatorHandle, thread: str) -> None:
    emu.state.add_fault(Fault.http_status(502))
    response = wire.post("RunThread", wire.run_body(thread))
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"
    assert "x-tc-requestid" not in response.headers
    assert response.content == (
        b"<html><head><title>502 Bad Gateway</title></head>"
        b"<body><h1>502 Bad Gateway</h1></body></html>\n"
    )
    assert http_status_body(503).startswith(b"<html><head><title>503 Service Unavailable")


def test_slow_first_byte_trips_a_read_timeout(wire: Any, emu: EmulatorHandle, thread: str) -> None:
    emu.state.add_fault(Fault.slow_first_byte(0.6))
    raw = wire.encode(wire.run_body(thread))
    with pytest.raises(httpx.ReadTimeout):
        wire.client.post(
            "/",
            content=raw,
            headers=wire.headers("RunThread", raw),
            timeout=httpx.Timeout(5, read=0.2),
        )
    for _ in range(100):
        if emu.state.active_runs() == 0:
            break
        time.sleep(0.01)
    assert emu.state.active_runs() == 0


def test_slow_first_byte_then_normal_response(wire: Any, emu: EmulatorHandle, thread: str) -> None:
    emu.state.add_fault(Fault.slow_first_byte(0.3), action="CreateThread")
    started = time.monotonic()
    assert wire.post("CreateThread", {}).json()["Response"]["ID"].startswith("thread_")
    assert time.monotonic() - started >= 0.3


def preamble_and_deltas(raw: bytes, deltas: int) -> list[dict[str, Any]]:
    blocks = raw.decode().split("\n\n")[: 3 + deltas]
    frames = [json.loads(b.removeprefix("data: ")) for b in blocks]
    assert [f["Object"] for f in frames[:3]] == ["thread.run", "thread.run", "thread.message"]
    assert all(f["Object"] == "thread.message.delta" for f in frames[3:])
    return frames


def test_error_frame_run_failed(wire: Any, emu: EmulatorHandle, thread: str) -> None:
    emu.state.add_fault(Fault.error_frame("InternalError", "run_failed", after=2))
    response, raw = stream_raw(wire, "RunThread", wire.run_body(thread))
    assert response.headers["content-type"] == "text/event-stream"
    blocks = raw.decode().split("\n\n")
    assert blocks[-1] == ""
    assert len(blocks) == 3 + 2 + 1 + 1
    preamble_and_deltas(raw, 2)
    last = json.loads(blocks[-2].removeprefix("data: "))
    assert last["Object"] == "thread.run"
    assert last["Status"] == "failed"
    assert last["LastError"] == {"Code": "InternalError", "Message": "内部错误。"}
    assert last["FailedAt"] > 0
    assert last["Usage"]["CompletionTokens"] == 2
    assert b"[DONE]" not in raw


def test_error_frame_error_form(wire: Any, emu: EmulatorHandle, thread: str) -> None:
    emu.state.add_fault(Fault.error_frame("FailedOperation.EngineServerError", "error", after=1))
    _, raw = stream_raw(wire, "RunThread", wire.run_body(thread))
    preamble_and_deltas(raw, 1)
    assert raw.endswith(
        b'data: {"Error":{"Code":"FailedOperation.EngineServerError",'
        + '"Message":"引擎层内部错误；请稍后重试。"}}\n\n'.encode()
    )
    assert raw.count(b"\n\n") == 3 + 1 + 1


@pytest.mark.parametrize(
    ("code", "expected"),
    [("4001", b'{"ErrorMsg":{"Code":4001,"Msg":"boom"}}'), ("InternalError", None)],
)
def test_error_frame_error_msg_form(
    wire: Any, emu: EmulatorHandle, thread: str, code: str, expected: bytes | None
) -> None:
    emu.state.add_fault(Fault.error_frame(code, "error_msg", after=0, message="boom"))
    _, raw = stream_raw(wire, "RunThread", wire.run_body(thread))
    assert raw.count(b"\n\n") == 3 + 1
    last = raw.split(b"\n\n")[-2].removeprefix(b"data: ")
    if expected is not None:
        assert last == expected
    else:
        assert json.loads(last) == {"ErrorMsg": {"Code": 4000, "Msg": "InternalError: boom"}}


def test_drop_aborts_the_connection(wire: Any, emu: EmulatorHandle, thread: str) -> None:
    emu.state.add_fault(Fault.drop(after=1))
    raw = wire.encode(wire.run_body(thread))
    received = b""
    headers = wire.headers("RunThread", raw)
    with (  # noqa: PT012
        pytest.raises(httpx.RemoteProtocolError),
        wire.client.stream("POST", "/", content=raw, headers=headers) as r,
    ):
        for chunk in r.iter_raw():
            received += chunk
    assert received.count(b"\n\n") == 3 + 1
    preamble_and_deltas(received, 1)
    wait_idle(emu)
    assert emu.state.thread_messages(thread) == []
    # The thread is unlocked and unchanged: the same request may run again.
    _, again = stream_raw(wire, "RunThread", wire.run_body(thread))
    assert again.endswith(b"data: [DONE]\n\n")


def test_truncate_ends_cleanly_without_terminal(
    wire: Any, emu: EmulatorHandle, thread: str
) -> None:
    emu.state.add_fault(Fault.truncate(after=2))
    _, raw = stream_raw(wire, "RunThread", wire.run_body(thread))
    frames = preamble_and_deltas(raw, 2)
    assert raw.count(b"\n\n") == 5
    assert "".join(f["Delta"]["Content"] for f in frames[3:]) == "one two "
    assert b"[DONE]" not in raw
    assert b'"completed"' not in raw


def test_malformed_frame(wire: Any, emu: EmulatorHandle, thread: str) -> None:
    emu.state.add_fault(Fault.malformed(after=1))
    _, raw = stream_raw(wire, "RunThread", wire.run_body(thread))
    preamble_and_deltas(raw, 1)
    assert raw.endswith(MALFORMED_FRAME)
    assert MALFORMED_FRAME == b'data: {"Object":"thread.message.delta","Delta":{"Content":\n\n'
    with pytest.raises(ValueError, match="Expecting"):
        json.loads(MALFORMED_FRAME[6:])


def test_after_past_the_last_delta(wire: Any, emu: EmulatorHandle, thread: str) -> None:
    emu.state.add_fault(Fault.truncate(after=99))
    _, raw = stream_raw(wire, "RunThread", wire.run_body(thread))
    preamble_and_deltas(raw, 4)
    assert raw.count(b"\n\n") == 3 + 4


def test_stream_faults_wait_for_a_stream(wire: Any, emu: EmulatorHandle, thread: str) -> None:
    emu.state.add_fault(Fault.truncate(after=0), action=None)
    assert wire.post("CreateThread", {}).status_code == 200
    assert emu.state.pending_faults
    _, raw = stream_raw(wire, "RunThread", wire.run_body(thread))
    assert raw.count(b"\n\n") == 3
    assert emu.state.pending_faults == []


def test_script_order_and_count(wire: Any, emu: EmulatorHandle, thread: str) -> None:
    emu.state.add_fault(Fault.error("InternalError"), count=2)
    emu.state.add_fault(Fault.error("LimitExceeded"))
    codes = [wire.error_code("RunThread", wire.run_body(thread)) for _ in range(3)]
    assert codes == ["InternalError", "InternalError", "LimitExceeded"]
    assert [r.outcome for r in emu.state.requests][-3:] == [
        "fault:error:InternalError",
        "fault:error:InternalError",
        "fault:error:LimitExceeded",
    ]


def test_fault_rate_is_seeded() -> None:
    outcomes = []
    for _ in range(2):
        with run_emulator(fault_rate=0.5, seed=7, rate_faults=(Fault.drop(3),)) as emu:
            picks = [emu.state.take_fault("RunThread", True) for _ in range(20)]
            outcomes.append([p[0].kind if p else None for p in picks])
            assert emu.state.take_fault("CreateThread", False) is None
            # A stream-only fault never strikes a JSON response.
            assert all(emu.state.take_fault("ChatCompletions", False) is None for _ in range(20))
    assert outcomes[0] == outcomes[1]
    assert 0 < outcomes[0].count("drop") < 20


def test_set_fault_rate_at_runtime(wire: Any, emu: EmulatorHandle, thread: str) -> None:
    emu.state.set_fault_rate(1.0, ["http_status:503"], seed=1)
    assert wire.post("RunThread", wire.run_body(thread)).status_code == 503
    emu.state.set_fault_rate(0.0)
    _, raw = stream_raw(wire, "RunThread", wire.run_body(thread))
    assert raw.endswith(b"data: [DONE]\n\n")


def test_chat_completions_error_frame(wire: Any, emu: EmulatorHandle) -> None:
    emu.state.queue_reply(text=TEXT)
    emu.state.add_fault(
        Fault.error_frame("InternalError", "run_failed", after=2), action="ChatCompletions"
    )
    body = {
        "Model": "hunyuan-turbo",
        "Messages": [{"Role": "user", "Content": "hi"}],
        "Stream": True,
    }
    _, raw = stream_raw(wire, "ChatCompletions", body)
    frames = wire.frames(raw)
    assert len(frames) == 3
    assert frames[-1]["Choices"] == []
    assert frames[-1]["ErrorMsg"] == {"Code": 4000, "Msg": "InternalError: 内部错误。"}


def test_queued_error_mid_stream(wire: Any, emu: EmulatorHandle) -> None:
    thread = wire.create_thread()
    emu.state.queue_reply(text="partial", error=("InternalError", "late failure", "error"))
    _, raw = stream_raw(wire, "RunThread", wire.run_body(thread))
    frames = wire.frames(raw)
    assert frames[3]["Delta"]["Content"] == "partial"
    assert frames[-1] == {"Error": {"Code": "InternalError", "Message": "late failure"}}


def test_queued_error_before(wire: Any, emu: EmulatorHandle) -> None:
    thread = wire.create_thread()
    emu.state.queue_reply(error=("OperationDenied.TextIllegalDetected", "no", "before"))
    assert (
        wire.error_code("RunThread", wire.run_body(thread)) == "OperationDenied.TextIllegalDetected"
    )


@pytest.mark.parametrize(
    ("spec", "fault"),
    [
        ("error:InternalError", Fault.error("InternalError")),
        ("error_frame:X,error,3", Fault.error_frame("X", "error", 3)),
        ("error_frame", Fault.error_frame()),
        ("drop:5", Fault.drop(5)),
        ("drop", Fault.drop(0)),
        ("truncate:2", Fault.truncate(2)),
        ("malformed:1", Fault.malformed(1)),
        ("slow_first_byte:1.5", Fault.slow_first_byte(1.5)),
        ("http_status", Fault.http_status(502)),
        ("http_status:504", Fault.http_status(504)),
    ],
)
def test_fault_specs_round_trip(spec: str, fault: Fault) -> None:
    assert Fault.parse(spec) == fault
    assert Fault.parse(fault.spec) == fault
    assert Fault.from_json(fault.to_json()) == fault


@pytest.mark.parametrize(
    "spec", ["explode", "error", "drop:x", "error_frame:X,bogus", "http_status:99", "drop:-1"]
)
def test_bad_fault_specs(spec: str) -> None:
    with pytest.raises(ValueError, match=r"bad fault spec|must"):
        Fault.parse(spec)


def wait_idle(emu: EmulatorHandle) -> None:
    for _ in range(200):
        if emu.state.active_runs() == 0:
            return
        time.sleep(0.005)
    raise AssertionError("the emulator still has active runs")
