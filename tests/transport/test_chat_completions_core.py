"""The core's ChatCompletions-only pieces that the emulator cannot show: a non-stream answer that
carries ``ErrorMsg``, the stop cut on a whole answer, tool-call fragments merged by id, and the
request body rules."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import hunyuan_api as hy
from hunyuan_api._run.accumulator import RunAccumulator
from hunyuan_api._wire.bodies import build_chat_completions_body
from hunyuan_api._wire.frames import ChatCompletionChunk, ErrorFrame, parse_frame
from hunyuan_api._wire.sse import ServerSentEvent

OPTIONS = hy.RunOptions(api="chat_completions")
USAGE = {"PromptTokens": 2, "CompletionTokens": 5, "TotalTokens": 7}


def answer(content: str, finish: str = "stop", **extra: Any) -> dict[str, Any]:
    choice = {"Index": 0, "Message": {"Role": "assistant", "Content": content, **extra}}
    return {"Id": "r", "Choices": [{**choice, "FinishReason": finish}], "Usage": USAGE}


class Service:
    """Answers ChatCompletions with the queued JSON ``Response`` objects, in order."""

    def __init__(self, *responses: dict[str, Any]) -> None:
        self.responses = list(responses)
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["x-tc-action"] == "ChatCompletions"
        self.bodies.append(json.loads(request.content))
        response = {**self.responses.pop(0), "RequestId": f"rid-{len(self.bodies)}"}
        return httpx.Response(200, json={"Response": response})


def client_for(service: Service) -> hy.HunyuanClient:
    return hy.HunyuanClient(
        secret_id="AKIDtransportTest",
        secret_key="transport-test-key",
        base_url="http://127.0.0.1:9/",
        http_client=httpx.Client(transport=httpx.MockTransport(service)),
        retry_policy=hy.RetryPolicy(initial_delay=0.0),
    )


def test_error_msg_in_a_non_stream_answer_is_typed_and_retried() -> None:
    failed = {"Id": "r", "Choices": [], "ErrorMsg": {"Code": 4001, "Msg": "model timed out"}}
    service = Service(failed, answer("fine"))
    result = client_for(service).chat([hy.Message("user", "hi")], OPTIONS)
    assert (result.text, result.request_id) == ("fine", "rid-2")
    assert [b["Stream"] for b in service.bodies] == [False, False]
    # max_retries=2: three tries in all, as for a stream that fails before its first output.
    service = Service(failed, failed, failed)
    with pytest.raises(hy.ServerError) as caught:
        client_for(service).chat([hy.Message("user", "hi")], OPTIONS)
    assert caught.value.code == "4001"
    assert caught.value.request_id == "rid-3"
    assert caught.value.partial is not None
    assert caught.value.partial.text == ""
    assert len(service.bodies) == 3


def test_stop_cut_on_a_whole_answer() -> None:
    """The service keeps the matched stop string; the client cuts before it."""
    service = Service(answer("one two STOP"), answer("no match here"))
    client = client_for(service)
    options = hy.RunOptions(api="chat_completions", stop=("STOP", "zzz"))
    cut = client.chat([hy.Message("user", "hi")], options)
    assert (cut.text, cut.finish_reason, cut.stop_sequence) == ("one two ", "stop", "STOP")
    assert cut.usage is not None
    whole = client.chat([hy.Message("user", "hi")], options)
    assert (whole.text, whole.stop_sequence) == ("no match here", None)
    assert [(b["Stream"], b["Stop"]) for b in service.bodies] == [(False, ["STOP", "zzz"])] * 2


def test_a_sensitive_whole_answer_is_withdrawn_not_returned() -> None:
    service = Service(answer("half", "sensitive", ReasoningContent="thinking"))
    with pytest.raises(hy.ContentFilterError) as caught:
        client_for(service).chat([hy.Message("user", "hi")], OPTIONS)
    # What the service sent is kept for the caller to withdraw or log, never as the answer.
    assert caught.value.partial is not None
    assert (caught.value.partial.text, caught.value.partial.reasoning) == ("half", "thinking")


def test_parallel_tool_calls_false_keeps_the_first_call_of_a_whole_answer() -> None:
    calls = [
        {"Id": f"c{i}", "Type": "function", "Function": {"Name": "f", "Arguments": f'{{"i": {i}}}'}}
        for i in (1, 2)
    ]
    service = Service(*[answer("", "tool_calls", ToolCalls=calls)] * 2)
    client = client_for(service)
    tools = (hy.ToolSpec("f"),)
    options = hy.RunOptions(api="chat_completions", tools=tools, parallel_tool_calls=False)
    one = client.chat([hy.Message("user", "q")], options)
    assert one.tool_calls == (hy.ToolCall("c1", "f", '{"i": 1}'),)
    both = client.chat(
        [hy.Message("user", "q")], hy.RunOptions(api="chat_completions", tools=tools)
    )
    assert [c.id for c in both.tool_calls] == ["c1", "c2"]
    # ChatCompletions has no such field: nothing about it is sent.
    assert all("parallel" not in json.dumps(body).lower() for body in service.bodies)


def test_tool_results_without_ids_take_the_call_ids_by_position() -> None:
    history = [
        hy.Message("user", "q"),
        hy.Message("assistant", "", (hy.ToolCall("c1", "f"), hy.ToolCall("c2", "f"))),
        hy.Message("tool", "r1"),
        hy.Message("tool", "r2", tool_call_id="c2"),
        hy.Message("tool", "r3"),
    ]
    body = build_chat_completions_body(history, OPTIONS, stream=False)
    assert [m.get("ToolCallId") for m in body["Messages"][2:]] == ["c1", "c2", None]


def test_any_with_one_tool_is_exact_with_several_forces_the_first() -> None:
    one = hy.RunOptions(api="chat_completions", tools=(hy.ToolSpec("b"),), tool_choice="custom")
    several = hy.RunOptions(
        api="chat_completions", tools=(hy.ToolSpec("a"), hy.ToolSpec("b")), tool_choice="custom"
    )
    for options, forced in ((one, "b"), (several, "a")):
        body = build_chat_completions_body([hy.Message("user", "q")], options, stream=True)
        assert body["ToolChoice"] == "custom"
        assert body["CustomTool"]["Function"]["Name"] == forced


def test_tool_models_per_transport() -> None:
    assert hy.model_info("hunyuan-turbo").tools
    assert hy.model_info("hunyuan-turbo", "chat_completions").tools
    assert not hy.model_info("hunyuan-t1-latest").tools
    assert hy.model_info("hunyuan-t1-latest", "chat_completions").tools
    assert not hy.model_info("hunyuan-lite", "chat_completions").tools


def _chunk(delta: dict[str, Any], finish: str = "", **extra: Any) -> Any:
    frame = {"Id": "r", "Choices": [{"Index": 0, "Delta": delta, "FinishReason": finish}]}
    return parse_frame(ServerSentEvent("message", json.dumps({**frame, **extra}), "", None))


def test_tool_call_fragments_merge_by_id() -> None:
    """Tencent's SDK says to merge ToolCalls fragments by Id: two calls that share an Index
    stay two calls."""
    acc = RunAccumulator(model="hunyuan-turbo")

    def call(id_: str | None, name: str | None, args: str) -> dict[str, Any]:
        function: dict[str, Any] = {"Arguments": args}
        if name:
            function["Name"] = name
        out: dict[str, Any] = {"Index": 0, "Type": "function", "Function": function}
        if id_:
            out["Id"] = id_
        return {"Role": "assistant", "Content": "", "ToolCalls": [out]}

    frames = [
        call("a", "f", '{"x":'),
        call(None, None, " 1}"),
        call("b", "g", '{"y": 2}'),
        call("a", None, ""),
    ]
    events = [e for d in frames for e in acc.feed(_chunk(d))]
    events += acc.feed(_chunk({"Role": "assistant", "Content": ""}, "tool_calls"))
    assert [(e.index, e.id, e.name) for e in events if isinstance(e, hy.ToolCallDelta)] == [
        (0, "a", "f"),
        (0, None, None),
        (1, "b", "g"),
    ]
    result = acc.result()
    assert [(c.id, c.name, c.arguments) for c in result.tool_calls] == [
        ("a", "f", '{"x": 1}'),
        ("b", "g", '{"y": 2}'),
    ]
    assert result.finish_reason == "tool_calls"


def test_an_empty_error_envelope_is_no_error() -> None:
    ok = _chunk({"Role": "assistant", "Content": "hi"}, ErrorMsg={"Code": 0, "Msg": ""})
    assert isinstance(ok, ChatCompletionChunk)
    assert isinstance(_chunk({}, ErrorMsg=None), ChatCompletionChunk)
    failed = _chunk({}, ErrorMsg={"Code": 4000, "Msg": "internal"})
    assert isinstance(failed, ErrorFrame)
    assert (failed.code, failed.message) == ("4000", "internal")
