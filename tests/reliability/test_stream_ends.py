"""Where a stream ends (issue 13, items 7 and 8; protocol "RunThread response").

A real loopback server streams scripted bytes with real pauses, and the adapters are driven as
an application drives them (sync and async, invoke and stream):

- once the run is finished (terminal run snapshot, or ``[DONE]`` after a completed message)
  the client stops reading, so heartbeats after it cannot keep the call open: the server sees
  the client hang up while it still had heartbeats to send;
- a stream that makes no progress (no complete frame) for ``timeout`` seconds ends in
  ``APITimeoutError`` carrying exactly the output delivered, however many heartbeat bytes or
  single bytes of a frame keep arriving;
- ``[DONE]`` after a ``completed`` assistant message is a finished run even without a terminal
  run snapshot (finish reason ``stop``, or ``tool_calls``; usage unknown); without ``[DONE]``
  the same stream is truncated.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from hunyuan_api import APITimeoutError, StreamError
from tests.support.fake_service import USAGE, delta_frame, message_frame, run_frame, sse
from tests.support.reliability import ADAPTERS, MODES, Adapter, Call, Mode, drive, make_model
from tests.support.stream_server import Script, Step, StreamServer, heartbeats, trickle

PIECES = ["Hello", " there"]
TEXT = "".join(PIECES)


@dataclass
class _Endpoint:
    base_url: str
    secret_id: str = "AKIDstreamends"
    secret_key: str = "stream-ends-key"


def _opening(thread_id: str) -> list[bytes]:
    return [
        sse(run_frame(thread_id, "in_progress")),
        sse(message_frame(thread_id, "", "in_progress")),
        *(sse(delta_frame(p)) for p in PIECES),
    ]


def _steps(frames: list[bytes], *then: Step) -> list[Step]:
    return [(frame, 0.0) for frame in frames] + list(then)


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[StreamServer]:
    with StreamServer(request.param) as running:
        yield running


def _model(adapter: Adapter, server: StreamServer, **settings: Any) -> Any:
    return make_model(adapter, _Endpoint(server.url), **settings)


CASES = [(a, m, c) for a in ADAPTERS for m in MODES for c in ("invoke", "stream")]
#: Every adapter, sync and async, invoke and stream.
every_call = pytest.mark.parametrize(("adapter", "mode", "call"), CASES)


def scripts(*script: Script) -> pytest.MarkDecorator:
    """Run the test once per server script."""
    return pytest.mark.parametrize("server", script, indirect=True)


def _finished_then_heartbeats(thread_id: str) -> list[Step]:
    return _steps(
        [
            *_opening(thread_id),
            sse(message_frame(thread_id, TEXT, "completed")),
            sse(run_frame(thread_id, "completed", Usage=USAGE)),
        ],
        *heartbeats(0.05, 8.0),
    )


def _done_then_heartbeats(thread_id: str) -> list[Step]:
    # No terminal run snapshot: [DONE] after the completed message finishes the run.
    return _steps(
        [*_opening(thread_id), sse(message_frame(thread_id, TEXT, "completed")), sse("[DONE]")],
        *heartbeats(0.05, 8.0),
    )


@scripts(_finished_then_heartbeats, _done_then_heartbeats)
@every_call
async def test_reading_stops_when_the_run_is_finished_though_heartbeats_follow(
    server: StreamServer, adapter: Adapter, mode: Mode, call: Call
) -> None:
    out = await drive(adapter, mode, call, _model(adapter, server), "hi")
    assert out.error is None, repr(out.error)
    assert out.text == TEXT
    # The client hung up while the server still had eight seconds of heartbeats to send.
    assert server.served[-1].wait().hung_up


def _finished_then_done(thread_id: str) -> list[Step]:
    return _steps(
        [
            *_opening(thread_id),
            sse(message_frame(thread_id, TEXT, "completed")),
            sse(run_frame(thread_id, "completed", Usage=USAGE)),
            sse("[DONE]"),
        ]
    )


@scripts(_finished_then_heartbeats, _finished_then_done)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_a_body_that_ends_after_the_run_leaves_its_connection_for_the_next_call(
    server: StreamServer, adapter: Adapter, mode: Mode
) -> None:
    # The client reads the little a finished run leaves ([DONE], the body's end) instead of
    # hanging up, so the next request goes out on the same connection: no new TCP (and, on the
    # real service, TLS) handshake. Heartbeats that go on are still cut short.
    model = _model(adapter, server)
    for _ in range(3):
        out = await drive(adapter, mode, "stream", model, "hi")
        assert out.error is None, repr(out.error)
        assert out.text == TEXT
    if server.served[0].wait().hung_up:  # heartbeats after the run: each call hangs up
        assert server.connections == 3
    else:
        assert server.connections == 1


def _done_after_tool_call(thread_id: str) -> list[Step]:
    call = [{"Index": 0, "Id": "call_1", "Type": "function", "Function": {"Name": "get_weather"}}]
    args = [{"Index": 0, "Function": {"Arguments": '{"city": "Beijing"}'}}]
    return _steps(
        [
            sse(run_frame(thread_id, "in_progress")),
            sse(delta_frame(tool_calls=call)),
            sse(delta_frame(tool_calls=args)),
            sse(message_frame(thread_id, "", "completed")),
            sse("[DONE]"),
        ]
    )


@scripts(_done_after_tool_call)
@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
async def test_done_after_a_completed_tool_call_message_finishes_with_tool_calls(
    server: StreamServer, sync: bool
) -> None:
    from langchain_core.messages import AIMessage

    model = _model("langchain", server)
    reply = model.invoke("weather?") if sync else await model.ainvoke("weather?")
    assert isinstance(reply, AIMessage)
    assert reply.response_metadata["finish_reason"] == "tool_calls"
    assert reply.tool_calls == [
        {"name": "get_weather", "args": {"city": "Beijing"}, "id": "call_1", "type": "tool_call"}
    ]
    assert reply.usage_metadata is None  # no terminal snapshot: usage unknown


def _completed_message_without_done(thread_id: str) -> list[Step]:
    return _steps([*_opening(thread_id), sse(message_frame(thread_id, TEXT, "completed"))])


def _output_then_heartbeats(thread_id: str) -> list[Step]:
    return _steps(_opening(thread_id), *heartbeats(0.03, 8.0))


def _output_then_a_trickling_frame(thread_id: str) -> list[Step]:
    frame = sse(delta_frame(" and more text that arrives one byte at a time"))
    return _steps(_opening(thread_id), *trickle(frame, 0.03))


@scripts(_output_then_heartbeats, _output_then_a_trickling_frame)
@every_call
async def test_no_progress_for_timeout_seconds_is_a_timeout_with_the_partial_output(
    server: StreamServer, adapter: Adapter, mode: Mode, call: Call
) -> None:
    model = _model(adapter, server, timeout=0.3)
    out = await drive(adapter, mode, call, model, "hi")
    error = out.error
    assert isinstance(error, APITimeoutError), repr(error)
    assert error.code == "ClientTimeout"
    assert "no progress" in error.message
    assert error.partial_text == TEXT
    if call == "stream":
        assert out.seen == TEXT
    assert server.served[-1].wait().hung_up
    assert len(server.served) == 1  # output had been delivered: never retried


def _heartbeats_only(thread_id: str) -> list[Step]:
    return _steps([sse(run_frame(thread_id, "in_progress"))], *heartbeats(0.05, 8.0))


@scripts(_heartbeats_only)
async def test_a_stream_of_heartbeats_only_times_out_and_is_retried_before_output(
    server: StreamServer,
) -> None:
    model = _model("langchain", server, timeout=0.3, max_retries=1)
    out = await drive("langchain", "async", "invoke", model, "hi")
    assert isinstance(out.error, APITimeoutError), repr(out.error)
    assert out.error.partial_text == ""
    assert len(server.served) == 2  # nothing reached the caller, so the timeout was retried
    assert all(s.wait().hung_up for s in server.served)


def test_stream_server_scripts_are_valid_json_frames() -> None:
    # Guards the helpers above: every frame they build parses as the protocol's JSON.
    for script in (_finished_then_heartbeats, _done_then_heartbeats, _done_after_tool_call):
        for data, _ in script("thread_x"):
            if data.startswith(b"data: {"):
                json.loads(data[6:])


def _deltas_and_a_malformed_frame_in_one_write(thread_id: str) -> list[Step]:
    return [(b"".join([*_opening(thread_id), b"data: {not json\n\n"]), 0.0)]


def _deltas_and_invalid_utf8_in_one_write(thread_id: str) -> list[Step]:
    bad = b'data: {"Object": "thread.message.delta", "Delta": {"Content": "caf\xc3("}}\n\n'
    return [(b"".join([*_opening(thread_id), bad]), 0.0)]


@pytest.mark.parametrize(
    ("server", "code"),
    [
        (_completed_message_without_done, "StreamTruncated"),
        (_deltas_and_a_malformed_frame_in_one_write, "StreamMalformed"),
        (_deltas_and_invalid_utf8_in_one_write, "StreamMalformed"),
    ],
    indirect=["server"],
)
@pytest.mark.parametrize(("adapter", "mode"), [(a, m) for a in ADAPTERS for m in MODES])
async def test_a_stream_error_after_output_carries_exactly_what_was_delivered(
    server: StreamServer, code: str, adapter: Adapter, mode: Mode
) -> None:
    # A completed message without [DONE] is still a truncated stream. A bad frame arriving in
    # the same network chunk as the deltas: the deltas are delivered, then the error carries
    # exactly them (not more, not less), whatever the chunking.
    out = await drive(adapter, mode, "stream", _model(adapter, server), "hi")
    assert isinstance(out.error, StreamError), repr(out.error)
    assert out.error.code == code
    assert out.seen == TEXT
    assert out.error.partial_text == out.seen
    assert len(server.served) == 1  # output was delivered: not retried
