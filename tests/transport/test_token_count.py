"""The emulator's GetTokenCount action, and LangChain's token counting through it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, trim_messages
from langchain_core.tools import tool
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.hunyuan.v20230901 import models
from tencentcloud.hunyuan.v20230901.hunyuan_client import HunyuanClient as SDKClient

import hunyuan_api
from hunyuan_api import RetryPolicy
from hunyuan_emulator import EmulatorHandle, Fault, count_tokens
from langchain_hunyuan import ChatHunyuan, HunyuanAuthenticationError, HunyuanLLM
from tests.support.transport import actions

MakeChat = Callable[..., ChatHunyuan]


@pytest.fixture
def client(emu: EmulatorHandle) -> hunyuan_api.HunyuanClient:
    return hunyuan_api.HunyuanClient(
        secret_id=emu.secret_id, secret_key=emu.secret_key, base_url=emu.base_url
    )


@tool
def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


def test_get_token_count(emu: EmulatorHandle, client: hunyuan_api.HunyuanClient) -> None:
    answer = client.call("GetTokenCount", {"Prompt": "你好，world! Hi there"})
    assert answer["Tokens"] == ["你", "好", "，", "world", "! ", "Hi ", "there"]
    assert answer["TokenCount"] == 7
    assert answer["CharacterCount"] == len("你好，world! Hi there")
    assert answer["RequestId"] == emu.state.requests[-1].request_id
    # The same tokenizer the emulator's usage counts with.
    assert count_tokens("你好，world! Hi there") == 7
    assert emu.state.requests[-1].outcome == "ok"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "MissingParameter"),
        ({"Prompt": 3}, "InvalidParameter"),
        ({"Prompt": ""}, "InvalidParameterValue"),
        ({"Prompt": "x", "Model": "hunyuan-turbo"}, "UnknownParameter"),
    ],
)
def test_get_token_count_rules(
    client: hunyuan_api.HunyuanClient, body: dict[str, Any], code: str
) -> None:
    with pytest.raises(hunyuan_api.BadRequestError) as caught:
        client.call("GetTokenCount", body)
    assert caught.value.code == code


def test_get_token_count_faults_are_retried(
    emu: EmulatorHandle, client: hunyuan_api.HunyuanClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(RetryPolicy, "delay", lambda self, attempt, rng=None: 0.0)
    emu.state.add_fault(Fault.error("RequestLimitExceeded"), action="GetTokenCount")
    assert client.call("GetTokenCount", {"Prompt": "one two"})["TokenCount"] == 2
    assert actions(emu) == ["GetTokenCount", "GetTokenCount"]
    assert emu.state.requests[0].outcome == "fault:error:RequestLimitExceeded"


def test_tencent_sdk_reads_get_token_count(emu: EmulatorHandle) -> None:
    profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=emu.endpoint))
    sdk = SDKClient(Credential(emu.secret_id, emu.secret_key), "ap-guangzhou", profile)
    request = models.GetTokenCountRequest()
    request.Prompt = "混元 counts tokens"
    answer = sdk.GetTokenCount(request)
    assert (answer.TokenCount, answer.CharacterCount) == (4, len("混元 counts tokens"))
    assert answer.Tokens == ["混", "元 ", "counts ", "tokens"]
    assert answer.RequestId
    request.Prompt = ""
    with pytest.raises(TencentCloudSDKException) as caught:
        sdk.GetTokenCount(request)
    assert caught.value.code == "InvalidParameterValue"


def test_langchain_counts_tokens_with_the_emulator(
    emu: EmulatorHandle, make_chat: MakeChat, api: str
) -> None:
    """``get_num_tokens`` asks the service (``GetTokenCount``) on API 3.0; the OpenAI-compatible
    endpoint has no counting action, so it estimates offline."""
    chat = make_chat(api=api)
    if api == "openai":
        assert chat.get_num_tokens("你好") == 2
        assert chat.get_num_tokens("hello world!") == 3
        history = [SystemMessage("Be brief."), HumanMessage("multiply 6 and 7")]
        assert chat.get_num_tokens_from_messages(history, tools=[multiply]) > 10
        assert emu.state.requests == []
        return
    assert chat.get_num_tokens("你好") == 2
    assert chat.get_num_tokens("") == 0
    history = [SystemMessage("Be brief."), HumanMessage("multiply 6 and 7")]
    before = len(emu.state.requests)
    counted = chat.get_num_tokens_from_messages(history, tools=[multiply])
    # One request per message and per tool schema (concurrent, so in any order).
    prompts = {r.body["Prompt"] for r in emu.state.requests[before:]}
    schema = next(p for p in prompts if '"multiply"' in p)
    assert prompts == {"system: Be brief.", "user: multiply 6 and 7", schema}
    # The sum of the parts is what the joined text counted to (the emulator's tokenizer
    # skips whitespace, so the newlines that used to join them cost nothing there).
    assert counted == count_tokens(f"system: Be brief.\nuser: multiply 6 and 7\n{schema}")
    kept = trim_messages(
        [HumanMessage("a b c d e f g h"), AIMessage("i j k l m n o p"), HumanMessage("q")],
        max_tokens=5,
        token_counter=chat,
        strategy="last",
    )
    assert [m.text for m in kept] == ["q"]
    assert set(actions(emu)) == {"GetTokenCount"}
    llm = HunyuanLLM(base_url=emu.base_url, secret_id=emu.secret_id, secret_key=emu.secret_key)
    assert llm.get_num_tokens("one, two") == 3


def test_token_count_errors_are_typed(emu: EmulatorHandle, make_chat: MakeChat) -> None:
    chat = make_chat(secret_key="not-the-emulator-key")
    with pytest.raises(HunyuanAuthenticationError) as caught:
        chat.get_num_tokens("hi")
    assert caught.value.code == "AuthFailure.SignatureFailure"
