"""GetEmbedding and ``POST /v1/embeddings`` on the wire: Tencent's SDK and OpenAI's, the strict
field rules and their codes, faults and the concurrency cap, and vectors whose similarity
follows shared words and characters."""

from __future__ import annotations

import base64
import json
import math
import struct
from pathlib import Path
from typing import Any

import httpx
import pytest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.hunyuan.v20230901 import models

from hunyuan_emulator import EmulatorHandle
from tests.emulator.conftest import Wire

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def embed(wire: Wire, texts: list[str]) -> list[list[float]]:
    response = wire.post("GetEmbedding", {"InputList": texts}).json()["Response"]
    assert "Error" not in response, response
    return [item["Embedding"] for item in response["Data"]]


# -- GetEmbedding ---------------------------------------------------------------------------------


def test_sdk_get_embedding_with_input_list(sdk: Any) -> None:
    request = models.GetEmbeddingRequest()
    request.InputList = ["腾讯总部在深圳", "The cat sat on the mat."]
    response = sdk.GetEmbedding(request)
    assert [item.Index for item in response.Data] == [0, 1]
    assert {item.Object for item in response.Data} == {"embedding"}
    for item in response.Data:
        assert len(item.Embedding) == 1024
        assert all(isinstance(x, float) for x in item.Embedding)
        assert math.isclose(math.sqrt(sum(x * x for x in item.Embedding)), 1.0, abs_tol=1e-4)
    # 7 CJK characters + 7 words and marks; usage counts what was read.
    assert response.Usage.PromptTokens == response.Usage.TotalTokens == 14
    assert response.RequestId


def test_sdk_get_embedding_with_one_input(sdk: Any) -> None:
    request = models.GetEmbeddingRequest()
    request.Input = "荔枝"
    response = sdk.GetEmbedding(request)
    assert len(response.Data) == 1
    assert response.Data[0].Index == 0


def test_input_and_input_list_are_exclusive_and_one_is_required(wire: Wire) -> None:
    assert wire.error_code("GetEmbedding", {"Input": "a", "InputList": ["b"]}) == (
        "InvalidParameter"
    )
    assert wire.error_code("GetEmbedding", {}) == "MissingParameter"
    assert wire.error_code("GetEmbedding", {"Model": "hunyuan-embedding", "Input": "a"}) == (
        "UnknownParameter"
    )
    assert wire.error_code("GetEmbedding", {"InputList": "a"}) == "InvalidParameter"
    assert wire.error_code("GetEmbedding", {"InputList": ["a", 3]}) == "InvalidParameter"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"InputList": []}, "InputList"),
        ({"InputList": ["x"] * 51}, "InputList"),
        ({"InputList": ["a", ""]}, "InputList.1"),
        ({"Input": ""}, "Input"),
    ],
)
def test_limits_are_invalid_parameter_values(wire: Wire, body: dict[str, Any], field: str) -> None:
    response = wire.post("GetEmbedding", body).json()["Response"]
    assert response["Error"]["Code"] == "InvalidParameterValue"
    assert f"`{field}`" in response["Error"]["Message"]


def test_fifty_texts_are_accepted(wire: Wire) -> None:
    assert len(embed(wire, [f"text {i}" for i in range(50)])) == 50


def test_sdk_sees_the_error_codes(sdk: Any) -> None:
    request = models.GetEmbeddingRequest()
    request.InputList = ["x"] * 51
    with pytest.raises(TencentCloudSDKException) as raised:
        sdk.GetEmbedding(request)
    assert raised.value.code == "InvalidParameterValue"


def test_only_the_first_1024_tokens_count(wire: Wire) -> None:
    head = " ".join(f"word{i}" for i in range(1024))
    long_a, long_b = head + " apples and pears", head + " trains and boats"
    vectors = embed(wire, [long_a, long_b, head])
    assert vectors[0] == vectors[1] == vectors[2]
    response = wire.post("GetEmbedding", {"Input": long_a}).json()["Response"]
    assert response["Usage"]["PromptTokens"] == 1024


def test_vectors_are_deterministic(wire: Wire) -> None:
    assert embed(wire, ["深圳的荔枝"]) == embed(wire, ["深圳的荔枝"])


def test_retrieval_ranks_the_document_that_shares_the_question_words(wire: Wire) -> None:
    names = sorted(p.name for p in DATA.glob("*.md"))
    documents = embed(wire, [(DATA / name).read_text(encoding="utf-8") for name in names])
    for question, expected in (
        ("腾讯的总部在哪里？", "tencent.md"),
        ("荔枝什么时候上市？", "lychee.md"),
        ("深圳有多少人口？", "shenzhen.md"),
    ):
        [q] = embed(wire, [question])
        ranked = sorted(names, key=lambda n: -cosine(q, documents[names.index(n)]))
        assert ranked[0] == expected, (question, ranked)
    english = [
        "The cat sat on the mat and purred.",
        "Stock markets fell sharply on Monday.",
        "Python is a popular programming language.",
    ]
    vectors = embed(wire, english)
    for question, expected in (
        ("Which programming languages are popular?", 2),
        ("Where did the cat sit?", 0),
        ("What happened to the stock market?", 1),
    ):
        [q] = embed(wire, [question])
        scores = [cosine(q, v) for v in vectors]
        assert scores.index(max(scores)) == expected, (question, scores)


def test_a_text_of_stopwords_still_gets_a_unit_vector(wire: Wire) -> None:
    [vector] = embed(wire, ["the"])
    assert math.isclose(sum(x * x for x in vector), 1.0, abs_tol=1e-4)


def test_faults_and_the_concurrency_cap_apply(emu: EmulatorHandle, wire: Wire) -> None:
    emu.state.add_fault("error:FailedOperation.EngineServerError", action="GetEmbedding")
    assert wire.error_code("GetEmbedding", {"Input": "a"}) == "FailedOperation.EngineServerError"
    emu.state.add_fault("http_status:502", action="GetEmbedding")
    assert wire.post("GetEmbedding", {"Input": "a"}).status_code == 502
    assert embed(wire, ["a"])
    outcomes = [r.outcome for r in emu.state.requests if r.action == "GetEmbedding"]
    assert outcomes == [
        "fault:error:FailedOperation.EngineServerError",
        "fault:http_status:502",
        "ok",
    ]
    assert emu.state.active_runs() == 0
    assert emu.state.max_concurrent_seen == 1


# -- /v1/embeddings -------------------------------------------------------------------------------


def test_openai_sdk_embeddings_float_and_base64(emu: EmulatorHandle, oai: Any, wire: Wire) -> None:
    texts = ["腾讯总部在深圳", "The cat sat on the mat."]
    floats = oai.embeddings.create(model="hunyuan-embedding", input=texts, encoding_format="float")
    assert floats.model == "hunyuan-embedding"
    assert [item.index for item in floats.data] == [0, 1]
    assert floats.usage.prompt_tokens == floats.usage.total_tokens == 14
    # The SDK's default asks for base64 (float32) and decodes it.
    packed = oai.embeddings.create(model="hunyuan-embedding", input=texts)
    for a, b in zip(floats.data, packed.data, strict=True):
        assert len(b.embedding) == 1024
        assert max(abs(x - y) for x, y in zip(a.embedding, b.embedding, strict=True)) < 1e-6
    # The same model behind both ways in.
    assert [item.embedding for item in floats.data] == embed(wire, texts)
    assert [r.action for r in emu.state.requests if r.action.startswith("v1/")] == [
        "v1/embeddings",
        "v1/embeddings",
    ]


def test_openai_base64_is_little_endian_float32(v1: httpx.Client) -> None:
    response = v1.post(
        "embeddings",
        json={"model": "hunyuan-embedding", "input": "荔枝", "encoding_format": "base64"},
    )
    raw = base64.b64decode(response.json()["data"][0]["embedding"])
    floats = v1.post("embeddings", json={"model": "hunyuan-embedding", "input": "荔枝"}).json()
    expected = floats["data"][0]["embedding"]
    assert list(struct.unpack("<1024f", raw)) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("body", "status", "code", "param"),
    [
        ({"model": "hunyuan-turbo", "input": "a"}, 404, "model_not_found", "model"),
        ({"model": "text-embedding-3-small", "input": "a"}, 404, "model_not_found", "model"),
        ({"input": "a"}, 400, "MissingParameter", "model"),
        ({"model": "hunyuan-embedding"}, 400, "MissingParameter", "input"),
        ({"model": "hunyuan-embedding", "input": [1, 2]}, 400, "InvalidParameter", "input"),
        ({"model": "hunyuan-embedding", "input": []}, 400, "InvalidParameterValue", "input"),
        (
            {"model": "hunyuan-embedding", "input": ["a"] * 51},
            400,
            "InvalidParameterValue",
            "input",
        ),
        ({"model": "hunyuan-embedding", "input": ""}, 400, "InvalidParameterValue", "input"),
        (
            {"model": "hunyuan-embedding", "input": ["a", ""]},
            400,
            "InvalidParameterValue",
            "input.1",
        ),
        (
            {"model": "hunyuan-embedding", "input": "a", "encoding_format": "int8"},
            400,
            "InvalidParameterValue",
            "encoding_format",
        ),
        (
            {"model": "hunyuan-embedding", "input": "a", "dimensions": 256},
            400,
            "UnknownParameter",
            "dimensions",
        ),
    ],
)
def test_openai_refusals(
    v1: httpx.Client, body: dict[str, Any], status: int, code: str, param: str
) -> None:
    response = v1.post("embeddings", json=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["code"], error["param"]) == (code, param)


def test_openai_needs_the_bearer_key(emu: EmulatorHandle) -> None:
    response = httpx.post(
        emu.openai_base_url + "/embeddings",
        json={"model": "hunyuan-embedding", "input": "a"},
        headers={"Authorization": "Bearer sk-wrong"},
        trust_env=False,
    )
    assert response.status_code == 401


def test_openai_faults_answer_in_its_shape(emu: EmulatorHandle, v1: httpx.Client) -> None:
    emu.state.add_fault("error:LimitExceeded", action="v1/embeddings")
    response = v1.post("embeddings", json={"model": "hunyuan-embedding", "input": "a"})
    assert response.status_code == 429
    assert response.headers["retry-after"]
    assert json.loads(response.text)["error"]["code"] == "rate_limit_exceeded"
