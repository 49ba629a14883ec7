"""Tencent's official SDK, unmodified, against the emulator."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.hunyuan.v20230901 import models
from tencentcloud.hunyuan.v20230901.hunyuan_client import HunyuanClient

from hunyuan_emulator import EmulatorCredential, EmulatorHandle, run_emulator
from tests.support.emulator import WEATHER_TOOL


def make_client(
    emu: EmulatorHandle, secret_id: str, secret_key: str, token: str | None = None
) -> Any:
    profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=emu.endpoint))
    return HunyuanClient(Credential(secret_id, secret_key, token), "ap-guangzhou", profile)


def create_thread(sdk: Any) -> str:
    return str(sdk.CreateThread(models.CreateThreadRequest()).ID)


def run_request(**fields: Any) -> Any:
    request = models.RunThreadRequest()
    request.from_json_string(json.dumps(fields))
    return request


def events(stream: Any) -> list[dict[str, Any]]:
    out = []
    for event in stream:
        if event.get("data") and event["data"] != "[DONE]":
            out.append(json.loads(event["data"]))
    return out


def test_create_and_get_thread(sdk: Any) -> None:
    created = sdk.CreateThread(models.CreateThreadRequest())
    assert created.ID.startswith("thread_")
    assert len(created.ID) == len("thread_") + 24
    assert created.ID[len("thread_") :].isalnum()
    assert created.Object == "thread"
    assert isinstance(created.CreatedAt, int)
    assert created.RequestId
    request = models.GetThreadRequest()
    request.ThreadID = created.ID
    fetched = sdk.GetThread(request)
    assert (fetched.ID, fetched.CreatedAt) == (created.ID, created.CreatedAt)


def test_run_thread_streams_to_a_completed_run(sdk: Any) -> None:
    thread_id = create_thread(sdk)
    stream = sdk.RunThread(
        run_request(
            ThreadID=thread_id,
            Model="hunyuan-pro",
            AdditionalMessages=[{"Role": "user", "Content": "你是谁"}],
            Stream=True,
        )
    )
    frames = events(stream)
    objects = [(f["Object"], f.get("Status")) for f in frames]
    assert objects[:3] == [
        ("thread.run", "created"),
        ("thread.run", "in_progress"),
        ("thread.message", "in_progress"),
    ]
    assert objects[-2:] == [("thread.message", "completed"), ("thread.run", "completed")]
    deltas = [f for f in frames if f["Object"] == "thread.message.delta"]
    assert len(deltas) > 5
    text = "".join(d["Delta"]["Content"] for d in deltas)
    assert "你是谁" in text
    assert frames[-2]["Content"] == text
    run = frames[-1]
    assert run["Model"] == "hunyuan-pro"
    assert run["ThreadID"] == thread_id
    usage = run["Usage"]
    assert usage["PromptTokens"] == 3
    assert usage["CompletionTokens"] == len(deltas)
    assert usage["TotalTokens"] == usage["PromptTokens"] + usage["CompletionTokens"]


def test_message_list_shows_stored_messages(sdk: Any) -> None:
    thread_id = create_thread(sdk)
    events(
        sdk.RunThread(
            run_request(
                ThreadID=thread_id,
                AdditionalMessages=[{"Role": "user", "Content": "hello"}],
                Stream=True,
            )
        )
    )
    request = models.GetThreadMessageListRequest()
    request.ThreadID = thread_id
    request.Order = "asc"
    listing = sdk.GetThreadMessageList(request)
    assert [m.Role for m in listing.Data] == ["user", "assistant"]
    assert listing.Data[0].Content == "hello"
    assert "hello" in listing.Data[1].Content
    assert listing.Data[1].Status == "completed"
    assert listing.FirstMsgID == listing.Data[0].ID
    assert listing.LastMsgID == listing.Data[1].ID
    assert listing.HasMore is False
    request.Order = "desc"
    request.Limit = 1
    newest = sdk.GetThreadMessageList(request)
    assert [m.Role for m in newest.Data] == ["assistant"]
    assert newest.HasMore is True


def chat_request(**fields: Any) -> Any:
    request = models.ChatCompletionsRequest()
    request.from_json_string(json.dumps(fields))
    return request


def test_chat_completions_non_stream(sdk: Any) -> None:
    response = sdk.ChatCompletions(
        chat_request(Model="hunyuan-turbo", Messages=[{"Role": "user", "Content": "hello there"}])
    )
    choice = response.Choices[0]
    assert choice.FinishReason == "stop"
    assert choice.Message.Role == "assistant"
    assert "hello there" in choice.Message.Content
    assert response.Id == response.RequestId
    assert (
        response.Usage.TotalTokens == response.Usage.PromptTokens + response.Usage.CompletionTokens
    )


def test_chat_completions_stream(sdk: Any) -> None:
    frames = events(
        sdk.ChatCompletions(
            chat_request(
                Model="hunyuan-t1-latest",
                Messages=[{"Role": "user", "Content": "hello there"}],
                Stream=True,
            )
        )
    )
    reasoning = "".join(f["Choices"][0]["Delta"].get("ReasoningContent", "") for f in frames)
    content = "".join(f["Choices"][0]["Delta"]["Content"] for f in frames)
    assert "hello there" in reasoning
    assert "hello there" in content
    first_content = next(i for i, f in enumerate(frames) if f["Choices"][0]["Delta"]["Content"])
    assert all("ReasoningContent" in f["Choices"][0]["Delta"] for f in frames[:first_content])
    assert [f["Choices"][0]["FinishReason"] for f in frames][-2:] == ["", "stop"]
    assert frames[-1]["Usage"]["CompletionTokens"] == len(frames)


def test_chat_completions_tool_call(sdk: Any) -> None:
    response = sdk.ChatCompletions(
        chat_request(
            Model="hunyuan-functioncall",
            Messages=[{"Role": "user", "Content": "What is the weather in San Francisco, CA?"}],
            Tools=[WEATHER_TOOL],
        )
    )
    choice = response.Choices[0]
    assert choice.FinishReason == "tool_calls"
    (call,) = choice.Message.ToolCalls
    assert call.Function.Name == "get_weather"
    assert json.loads(call.Function.Arguments) == {"location": "San Francisco, CA"}
    follow_up = sdk.ChatCompletions(
        chat_request(
            Model="hunyuan-functioncall",
            Messages=[
                {"Role": "user", "Content": "What is the weather in San Francisco, CA?"},
                {
                    "Role": "assistant",
                    "Content": "",
                    "ToolCalls": [
                        {
                            "Id": call.Id,
                            "Type": "function",
                            "Function": {
                                "Name": "get_weather",
                                "Arguments": call.Function.Arguments,
                            },
                        }
                    ],
                },
                {"Role": "tool", "ToolCallId": call.Id, "Content": "It's sunny."},
            ],
            Tools=[WEATHER_TOOL],
        )
    )
    assert "It's sunny." in follow_up.Choices[0].Message.Content


def test_wrong_key_is_signature_failure(emu: EmulatorHandle) -> None:
    client = make_client(emu, emu.secret_id, "not-the-key")
    with pytest.raises(TencentCloudSDKException) as info:
        client.CreateThread(models.CreateThreadRequest())
    assert info.value.code == "AuthFailure.SignatureFailure"
    assert info.value.requestId


def test_unknown_secret_id(emu: EmulatorHandle) -> None:
    client = make_client(emu, "AKIDnobody", emu.secret_key)
    with pytest.raises(TencentCloudSDKException) as info:
        client.CreateThread(models.CreateThreadRequest())
    assert info.value.code == "AuthFailure.SecretIdNotFound"


def test_session_token_required() -> None:
    credential = EmulatorCredential("AKIDtemp", "temp-key", "session-token")
    with run_emulator(credentials=(credential,)) as emu:
        ok = make_client(emu, "AKIDtemp", "temp-key", "session-token")
        assert create_thread(ok).startswith("thread_")
        for token in (None, "wrong"):
            client = make_client(emu, "AKIDtemp", "temp-key", token)
            with pytest.raises(TencentCloudSDKException) as info:
                client.CreateThread(models.CreateThreadRequest())
            assert info.value.code == "AuthFailure.TokenFailure"
        assert all(r.headers.get("x-tc-token") in (None, "<redacted>") for r in emu.state.requests)


def test_several_credentials() -> None:
    creds = (EmulatorCredential("AKIDone", "key-one"), EmulatorCredential("AKIDtwo", "key-two"))
    with run_emulator(credentials=creds) as emu:
        for cred in creds:
            assert create_thread(make_client(emu, cred.secret_id, cred.secret_key))


TOOL = {
    "Type": "function",
    "Function": {"Name": "get_weather", "Parameters": '{"type": "object", "properties": {}}'},
}


@pytest.mark.parametrize(
    ("patch", "code"),
    [
        ({"Foo": 1}, "UnknownParameter"),
        (
            {"AdditionalMessages": [{"Role": "user", "Content": "x", "Name": "n"}]},
            "UnknownParameter",
        ),
        ({"Tools": [{**TOOL, "Strict": True}]}, "UnknownParameter"),
        (
            {"Tools": [{"Type": "function", "Function": {**TOOL["Function"], "X": 1}}]},
            "UnknownParameter",
        ),
        ({"Stop": ["x"]}, "UnknownParameter"),
        ({"ThreadID": None}, "MissingParameter"),
        ({"AdditionalMessages": [{"Role": "user"}]}, "MissingParameter"),
        ({"Model": "gpt-4o"}, "InvalidParameterValue.Model"),
        ({"Model": "hunyuan-turbos-latest"}, "InvalidParameterValue.Model"),
        ({"Temperature": 2.5}, "InvalidParameterValue"),
        ({"Temperature": -0.1}, "InvalidParameterValue"),
        ({"Temperature": "hot"}, "InvalidParameter"),
        ({"Temperature": True}, "InvalidParameter"),
        ({"TopP": 1.5}, "InvalidParameterValue"),
        ({"TopP": "0.5"}, "InvalidParameter"),
        ({"Stream": False}, "InvalidParameterValue"),
        ({"Stream": None}, "InvalidParameterValue"),
        ({"Stream": "true"}, "InvalidParameterValue"),
        ({"MaxCompletionTokens": -1}, "InvalidParameterValue"),
        ({"MaxPromptTokens": 1.5}, "InvalidParameter"),
        (
            {"Tools": [{**TOOL, "Function": {**TOOL["Function"], "Name": "bad name"}}]},
            "InvalidParameterValue",
        ),
        (
            {"Tools": [{**TOOL, "Function": {**TOOL["Function"], "Parameters": "{not json"}}]},
            "InvalidParameterValue",
        ),
        (
            {
                "Tools": [
                    {**TOOL, "Function": {**TOOL["Function"], "Parameters": {"type": "object"}}}
                ]
            },
            "InvalidParameter",
        ),
        ({"Tools": [{**TOOL, "Type": "code"}]}, "InvalidParameterValue"),
        ({"ToolChoice": "required"}, "InvalidParameterValue"),
        ({"ToolChoice": "custom"}, "InvalidParameterValue"),
        ({"AdditionalMessages": [{"Role": "user", "Content": ""}]}, "InvalidParameterValue"),
        ({"AdditionalMessages": [{"Role": "robot", "Content": "x"}]}, "InvalidParameterValue"),
        ({"AdditionalMessages": [{"Role": "assistant", "Content": "x"}]}, "InvalidParameterValue"),
        (
            {
                "AdditionalMessages": [
                    {"Role": "user", "Content": "a"},
                    {"Role": "user", "Content": "b"},
                ]
            },
            "InvalidParameterValue",
        ),
        (
            {
                "AdditionalMessages": [
                    {"Role": "user", "Content": "a"},
                    {"Role": "assistant", "Content": "b"},
                    {"Role": "tool", "Content": "c"},
                ]
            },
            "InvalidParameterValue",
        ),
        (
            {
                "AdditionalMessages": [
                    {"Role": "user", "Content": "a"},
                    {"Role": "system", "Content": "b"},
                ]
            },
            "InvalidParameterValue",
        ),
        ({"AdditionalMessages": []}, "InvalidParameterValue"),
        ({"ThreadID": "thread_doesnotexist000000000000"}, "ResourceNotFound"),
    ],
)
def test_invalid_run_thread_bodies(sdk: Any, patch: dict[str, Any], code: str) -> None:
    body: dict[str, Any] = {
        "ThreadID": create_thread(sdk),
        "Model": "hunyuan-turbo",
        "Stream": True,
        "AdditionalMessages": [{"Role": "user", "Content": "hello"}],
        **patch,
    }
    body = {k: v for k, v in body.items() if v is not None or k == "Stream"}
    if body.get("Stream") is None:
        body.pop("Stream")
    with pytest.raises(TencentCloudSDKException) as info:
        sdk.call_json("RunThread", body)
    assert info.value.code == code, info.value.message


def test_order_error_names_index_and_rule(sdk: Any) -> None:
    with pytest.raises(TencentCloudSDKException) as info:
        sdk.call_json(
            "RunThread",
            {
                "ThreadID": create_thread(sdk),
                "Stream": True,
                "AdditionalMessages": [
                    {"Role": "user", "Content": "a"},
                    {"Role": "user", "Content": "b"},
                ],
            },
        )
    assert "AdditionalMessages.1" in info.value.message
    assert "alternate" in info.value.message


def test_stream_error_mentions_only_true(sdk: Any) -> None:
    with pytest.raises(TencentCloudSDKException) as info:
        sdk.call_json("RunThread", {"ThreadID": create_thread(sdk), "Stream": False})
    assert "当前只允许 true" in info.value.message


@pytest.mark.parametrize(
    ("patch", "code"),
    [
        ({"Model": "gpt-4o"}, "InvalidParameterValue.Model"),
        ({"Unknown": 1}, "UnknownParameter"),
        ({"Messages": [{"Role": "user", "Content": "x", "Name": "y"}]}, "UnknownParameter"),
        ({"Model": None}, "MissingParameter"),
        ({"Seed": 0}, "InvalidParameterValue"),
        ({"Seed": 10001}, "InvalidParameterValue"),
        ({"Stop": "x"}, "InvalidParameter"),
        ({"Stream": "yes"}, "InvalidParameter"),
        ({"ToolChoice": "custom"}, "MissingParameter"),
        ({"Messages": [{"Role": "user", "Content": "x"}] * 41}, "InvalidParameterValue"),
        (
            {"Messages": [{"Role": "user", "Content": "x", "ReasoningContent": "r"}]},
            "InvalidParameterValue",
        ),
        ({"Messages": [{"Role": "assistant", "Content": "x"}]}, "InvalidParameterValue"),
        (
            {
                "Messages": [
                    {"Role": "user", "Content": "x"},
                    {
                        "Role": "assistant",
                        "Content": "",
                        "ToolCalls": [{"Id": "c1", "Type": "function", "Function": {"Name": "f"}}],
                    },
                    {"Role": "tool", "ToolCallId": "c2", "Content": "r"},
                ]
            },
            "InvalidParameterValue",
        ),
    ],
)
def test_invalid_chat_bodies(sdk: Any, patch: dict[str, Any], code: str) -> None:
    body = {"Model": "hunyuan-turbo", "Messages": [{"Role": "user", "Content": "hi"}], **patch}
    body = {k: v for k, v in body.items() if v is not None}
    with pytest.raises(TencentCloudSDKException) as info:
        sdk.call_json("ChatCompletions", body)
    assert info.value.code == code, info.value.message
