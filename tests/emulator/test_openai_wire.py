"""The OpenAI-compatible endpoint on the wire: Bearer keys, exact error bodies and statuses, the
strict request rules, faults in this endpoint's shape, the concurrency cap per key."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from hunyuan_emulator import (
    EMULATOR_API_KEY,
    EmulatorHandle,
    EmulatorSettings,
    Fault,
    arun_emulator,
    run_emulator,
)
from hunyuan_emulator.bearer import key_label
from hunyuan_emulator.server import make_settings
from tests.support.images import data_uri, image_bytes, seen

HELLO = [{"role": "user", "content": "hi"}]
CHAT = "chat/completions"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
    },
}


def chat(model: str = "hunyuan-lite", **fields: Any) -> dict[str, Any]:
    """A /v1/chat/completions body: HELLO to ``model``, plus ``fields``."""
    return {"model": model, "messages": HELLO, **fields}


def data(raw: bytes) -> list[str]:
    blocks = raw.decode().split("\n\n")
    assert blocks[-1] == ""
    assert all(b.startswith("data: ") for b in blocks[:-1])
    return [b[len("data: ") :] for b in blocks[:-1]]


def refusal(response: httpx.Response, status: int) -> dict[str, Any]:
    """The error object of an OpenAI-style error response, checked for shape."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"]
    body = response.json()
    assert list(body) == ["error"]
    assert list(body["error"]) == ["message", "type", "param", "code"]
    return dict(body["error"])


def test_handle_and_settings_know_the_key(emu: EmulatorHandle) -> None:
    assert emu.api_key == EMULATOR_API_KEY == "sk-hunyuan-emulator-0000000000000000"
    assert emu.openai_base_url == f"http://127.0.0.1:{emu.port}/v1"
    assert make_settings(api_key="sk-other").api_keys == ("sk-other",)
    assert "sk-" not in repr(EmulatorSettings())
    assert "sk-" not in repr(emu)
    with pytest.raises(ValueError, match="API key"):
        EmulatorSettings(api_keys=("sk with space",))
    with pytest.raises(ValueError, match="API key"):
        EmulatorSettings(api_keys=())


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (None, "AuthFailure.MissingApiKey"),
        ("Basic c2stZm9vOg==", "AuthFailure.InvalidAuthorization"),
        ("Bearer", "AuthFailure.InvalidAuthorization"),
        ("Bearer sk-wrong-key", "AuthFailure.InvalidApiKey"),
        (f"Bearer {EMULATOR_API_KEY}x", "AuthFailure.InvalidApiKey"),
    ],
)
def test_bad_keys_are_401(emu: EmulatorHandle, authorization: str | None, code: str) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = httpx.post(
        f"{emu.openai_base_url}/{CHAT}",
        json=chat(),
        headers=headers,
        trust_env=False,
    )
    error = refusal(response, 401)
    assert (error["type"], error["code"], error["param"]) == (
        "authentication_error",
        "invalid_api_key",
        None,
    )
    assert "sk-" not in error["message"]
    (record,) = emu.state.requests
    assert (record.action, record.outcome, record.secret_id) == ("v1/chat/completions", code, None)
    if authorization is not None:
        assert record.headers["authorization"] == "<redacted>"


def test_several_keys_and_a_slot_count_per_key() -> None:
    async def main() -> None:
        keys = ("sk-first", "sk-second")
        async with (
            arun_emulator(api_keys=keys, concurrency_limit=1, latency=0.3) as emu,
            httpx.AsyncClient(base_url=emu.openai_base_url + "/", trust_env=False) as client,
        ):
            assert emu.api_key == "sk-first"

            async def call(key: str) -> httpx.Response:
                body = chat()
                return await client.post(
                    CHAT, json=body, headers={"Authorization": f"Bearer {key}"}
                )

            first, second, third = await asyncio.gather(
                call("sk-first"), call("sk-second"), call("sk-first")
            )
            statuses = sorted([first.status_code, third.status_code])
            assert statuses == [200, 429]
            assert second.status_code == 200
            limited = first if first.status_code == 429 else third
            assert limited.headers["retry-after"] == "1"
            assert refusal(limited, 429)["type"] == "rate_limit_error"
            labels = {r.secret_id for r in emu.state.requests}
            assert labels == {key_label("sk-first"), key_label("sk-second")}
            assert emu.state.max_concurrent_seen == 1

    asyncio.run(main())


def test_every_answer_carries_a_request_id(v1: httpx.Client, emu: EmulatorHandle) -> None:
    answers = [
        v1.post(CHAT, json=chat()),
        v1.post(CHAT, json=chat(stream=True)),
        v1.get("models"),
        v1.post(CHAT, json={"model": "hunyuan-lite"}),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 400]
    ids = [a.headers["x-request-id"] for a in answers]
    assert ids == [r.request_id for r in emu.state.requests]
    assert all("x-tc-requestid" not in a.headers for a in answers)


def test_unknown_paths_and_methods(v1: httpx.Client) -> None:
    for method, path in [("GET", CHAT), ("POST", "completions"), ("POST", "models"), ("GET", "")]:
        error = refusal(v1.request(method, path), 404)
        assert error["message"].startswith(f"Invalid URL ({method} /v1")
    body = chat()
    assert v1.post("chat/completions/", json=body).status_code == 404


def test_body_must_be_a_json_object(v1: httpx.Client) -> None:
    error = refusal(v1.post(CHAT, content=b"model=hunyuan-lite"), 400)
    assert error["code"] == "InvalidParameter"
    raw = b'{"model": "hunyuan-lite",'
    wrong = v1.post(CHAT, content=raw, headers={"Content-Type": "application/json"})
    assert "not valid UTF-8 JSON" in refusal(wrong, 400)["message"]
    assert refusal(v1.post(CHAT, json=[1]), 400)["code"] == "InvalidParameter"


def test_stream_bytes(v1: httpx.Client) -> None:
    body = chat(stream=True, stream_options={"include_usage": True})
    response = v1.post(CHAT, json=body)
    assert response.headers["content-type"] == "text/event-stream"
    payloads = data(response.content)
    assert payloads[-1] == "[DONE]"
    chunks = [json.loads(p) for p in payloads[:-1]]
    first, last = chunks[0], chunks[-1]
    assert list(first) == ["id", "object", "created", "model", "choices", "usage"]
    assert first["choices"] == [
        {"index": 0, "delta": {"role": "assistant", "content": "You "}, "finish_reason": None}
    ]
    assert all(c["usage"] is None for c in chunks[:-1])
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert last["choices"] == []
    assert last["usage"]["total_tokens"] > 0
    assert {(c["id"], c["object"], c["created"]) for c in chunks} == {
        (first["id"], "chat.completion.chunk", first["created"])
    }


def test_a_streamed_tool_call(v1: httpx.Client) -> None:
    body = chat("hunyuan-turbos-latest", tools=[WEATHER], tool_choice="required", stream=True)
    body["messages"] = [{"role": "user", "content": "weather in Paris?"}]
    chunks = [json.loads(p) for p in data(v1.post(CHAT, json=body).content)[:-1]]
    deltas = [c["choices"][0]["delta"] for c in chunks]
    opened = deltas[0]
    call_id = opened["tool_calls"][0]["id"]
    assert opened == {
        "role": "assistant",
        "tool_calls": [
            {
                "index": 0,
                "id": call_id,
                "type": "function",
                "function": {"name": "get_weather", "arguments": ""},
            }
        ],
    }
    assert all(list(d) == ["tool_calls"] for d in deltas[1:])
    pieces = [d["tool_calls"][0] for d in deltas[1:]]
    assert all(p.keys() == {"index", "function"} and p["index"] == 0 for p in pieces)
    assert json.loads("".join(p["function"]["arguments"] for p in pieces)) == {"location": "Paris"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


# Each body is HELLO on hunyuan-lite plus these fields; each is refused naming ``param``.
REFUSED: list[tuple[dict[str, Any], str, str]] = [
    (
        {"messages": [{"role": "user", "content": "hi", "name": "ann"}]},
        "messages.0.name",
        "Unrecog",
    ),
    (
        {"tools": [{"type": "function", "function": {"name": "x", "strict": 1}}]},
        "tools.0.function.strict",
        "Boolean",
    ),
    ({"model": None}, "model", "String"),
    ({"messages": []}, "messages", "at least one"),
    ({"messages": [{"role": "developer", "content": "hi"}]}, "messages.0.role", "developer"),
    ({"messages": [{"role": "user", "content": " "}]}, "messages.0.content", "empty"),
    ({"messages": [{"role": "user", "content": 3}]}, "messages.0.content", "array of content"),
    (
        {"messages": [{"role": "user", "content": [{"type": "audio"}]}]},
        "messages.0.content.0",
        "part",
    ),
    (
        {"messages": [{"role": "user", "content": [{"type": "text", "txt": "hi"}]}]},
        "messages.0.content.0.txt",
        "Unrecog",
    ),
    ({"messages": [{"role": "assistant", "content": "hi"}]}, "messages.0", "start with a user"),
    (
        {
            "messages": [
                *HELLO,
                {"role": "assistant", "content": "x", "reasoning_content": "y"},
                *HELLO,
            ]
        },
        "messages.1.reasoning_content",
        "sent back",
    ),
    (
        {"messages": [*HELLO, {"role": "tool", "content": "x", "tool_call_id": "c"}]},
        "messages.1",
        "tool message",
    ),
    ({"messages": [{"role": "tool", "content": "x"}]}, "messages.0.tool_call_id", "missing"),
    (
        {"messages": [{"role": "user", "content": "x", "tool_call_id": "c"}]},
        "messages.0.tool_call_id",
        "only tool",
    ),
    ({"n": 2}, "n", "only 1"),
    ({"temperature": 2.5}, "temperature", "outside"),
    ({"top_p": -0.1}, "top_p", "outside"),
    ({"temperature": "hot"}, "temperature", "Float"),
    ({"max_tokens": 0}, "max_tokens", "at least 1"),
    ({"stop": ["a", "b", "c", "d", "e"]}, "stop", "at most 4"),
    ({"stop": [""]}, "stop", "empty"),
    ({"stop": 7}, "stop", "string or an array"),
    ({"stream_options": {"include_usage": True}}, "stream_options", "stream"),
    ({"stream": True, "stream_options": {"usage": True}}, "stream_options.usage", "Unrecog"),
    ({"tool_choice": "auto"}, "tool_choice", "tools"),
    ({"parallel_tool_calls": True}, "parallel_tool_calls", "tools"),
    ({"tools": []}, "tools", "empty"),
    ({"tools": [WEATHER], "tool_choice": "any"}, "tool_choice", "required"),
    (
        {"tools": [WEATHER], "tool_choice": {"type": "function", "function": {"name": "nope"}}},
        "tool_choice.function.name",
        "nope",
    ),
    (
        {"tools": [{"type": "function", "function": {"name": "bad name"}}]},
        "tools.0.function.name",
        "must match",
    ),
    (
        {"tools": [{"type": "function", "function": {"name": "x" * 65}}]},
        "tools.0.function.name",
        "must match",
    ),
    ({"tools": [{"type": "retrieval", "function": {"name": "x"}}]}, "tools.0.type", "function"),
    (
        {
            "tools": [
                {"type": "function", "function": {"name": "x", "parameters": {"type": "array"}}}
            ]
        },
        "tools.0.function.parameters",
        "object",
    ),
    ({"tools": [WEATHER, WEATHER]}, "tools.1.function.name", "duplicate"),
    ({"reasoning_effort": "high"}, "reasoning_effort", "does not reason"),
    ({"model": "hunyuan-t1-latest", "reasoning_effort": "max"}, "reasoning_effort", "low"),
    ({"enable_enhancement": "yes"}, "enable_enhancement", "Boolean"),
]


@pytest.mark.parametrize(("fields", "param", "says"), REFUSED, ids=[r[1] for r in REFUSED])
def test_strict_request_rules(
    v1: httpx.Client, fields: dict[str, Any], param: str, says: str
) -> None:
    body = {**chat(), **fields}
    error = refusal(v1.post(CHAT, json=body), 400)
    assert error["param"] == param
    assert error["type"] == "invalid_request_error"
    assert says in error["message"]


def test_nulls_and_images(v1: httpx.Client) -> None:
    absent = ("temperature", "stop", "tools", "tool_choice", "stream_options", "user")
    nulls = chat("hunyuan-turbos-latest", **dict.fromkeys(absent))
    assert v1.post(CHAT, json=nulls).status_code == 200
    png = image_bytes()
    image = {"type": "image_url", "image_url": {"url": data_uri(png), "detail": "low"}}
    content = [{"type": "text", "text": "What is in this picture?"}, image]
    body = {"model": "hunyuan-vision", "messages": [{"role": "user", "content": content}]}
    answer = v1.post(CHAT, json=body).json()["choices"][0]["message"]["content"]
    assert "What is in this picture?" in answer
    assert f"Image 1: {seen(png)}." in answer
    error = refusal(v1.post(CHAT, json={**body, "model": "hunyuan-turbos-latest"}), 400)
    assert error["param"] == "messages.0.content.1.image_url.url"
    assert "vision" in error["message"]


@pytest.mark.parametrize(
    ("code", "status", "kind", "openai_code"),
    [
        ("AuthFailure.SignatureFailure", 401, "authentication_error", "invalid_api_key"),
        ("LimitExceeded", 429, "rate_limit_error", "rate_limit_exceeded"),
        (
            "FailedOperation.EngineServerLimitExceeded",
            429,
            "rate_limit_error",
            "rate_limit_exceeded",
        ),
        ("FailedOperation.ResourcePackExhausted", 429, "insufficient_quota", "insufficient_quota"),
        ("FailedOperation.ServiceNotActivated", 403, "permission_error", None),
        ("InvalidParameterValue.Model", 404, "invalid_request_error", "model_not_found"),
        ("InvalidParameterValue", 400, "invalid_request_error", None),
        ("OperationDenied.TextIllegalDetected", 400, "invalid_request_error", None),
        ("ServiceUnavailable", 503, "server_error", None),
        ("FailedOperation.EngineServerError", 500, "server_error", None),
        ("InternalError", 500, "server_error", None),
        ("Something.New", 500, "server_error", None),
    ],
)
def test_error_faults_answer_with_statuses(
    v1: httpx.Client,
    emu: EmulatorHandle,
    code: str,
    status: int,
    kind: str,
    openai_code: str | None,
) -> None:
    for action in ("v1/chat/completions", "v1/models"):
        emu.state.add_fault(Fault.error(code), action=action)
    for response in (v1.post(CHAT, json=chat()), v1.get("models")):
        error = refusal(response, status)
        assert (error["type"], error["code"]) == (kind, openai_code or code)
        assert ("retry-after" in response.headers) == (error["code"] == "rate_limit_exceeded")
    assert [r.outcome for r in emu.state.requests] == [f"fault:error:{code}"] * 2


def test_stream_faults_in_this_endpoints_shape(v1: httpx.Client, emu: EmulatorHandle) -> None:
    stream = chat(stream=True)
    emu.state.add_fault(Fault.error_frame("LimitExceeded", after=2), action="v1/chat/completions")
    payloads = data(v1.post(CHAT, json=stream).content)
    assert len(payloads) == 3
    assert json.loads(payloads[-1]) == {
        "error": {
            "message": "超过配额限制。",
            "type": "rate_limit_error",
            "param": None,
            "code": "rate_limit_exceeded",
        }
    }
    emu.state.queue_reply(text="partial answer", error=("InternalError", "boom", "error_msg"))
    payloads = data(v1.post(CHAT, json=stream).content)
    assert json.loads(payloads[-1])["error"]["message"] == "boom"
    assert "".join(json.loads(p)["choices"][0]["delta"]["content"] for p in payloads[:-1]) == (
        "partial answer"
    )
    assert all(json.loads(p)["choices"][0]["finish_reason"] is None for p in payloads[:-1])
    emu.state.queue_reply(error=("InternalError", "before", "before"))
    assert refusal(v1.post(CHAT, json=stream), 500)["message"] == "before"
    emu.state.add_fault(Fault.http_status(502), action="v1/chat/completions")
    gateway = v1.post(CHAT, json=stream)
    assert (gateway.status_code, gateway.headers["content-type"]) == (502, "text/html")
    assert "x-request-id" not in gateway.headers  # a gateway's page, not the service's
    emu.state.add_fault(Fault.drop(after=1), action="v1/chat/completions")
    with pytest.raises(httpx.RemoteProtocolError):
        v1.post(CHAT, json=stream)


def test_fault_rate_covers_this_endpoint() -> None:
    with run_emulator(fault_rate=1.0, rate_faults=(Fault.error("InternalError"),)) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        body = chat()
        url = f"{emu.openai_base_url}/{CHAT}"
        assert httpx.post(url, json=body, headers=headers, trust_env=False).status_code == 500
        models = httpx.get(f"{emu.openai_base_url}/models", headers=headers, trust_env=False)
        assert models.status_code == 200
