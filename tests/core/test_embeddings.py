"""Embedding calls in the core, against a scripted fake of GetEmbedding: what is refused before
sending, how answers are read back in order (``Index`` or position), retries, and what a failed
request raises."""

from __future__ import annotations

import pickle
from typing import Any

import httpx
import pytest

from hunyuan_api import (
    AuthenticationError,
    EmbeddingOptions,
    EmbeddingSettings,
    HunyuanError,
    RateLimitError,
    ServerError,
)
from hunyuan_api._run.embeddings import EmbeddingJob, check_texts
from hunyuan_api._wire.embeddings import EmbeddingBatch, read_embeddings
from tests.support.fake_service import FakeService, Harness, error_response, json_response


def vec(n: float, size: int = 3) -> list[float]:
    return [float(n)] * size


def answer(vectors: list[list[float]], indices: list[int] | None = None) -> dict[str, Any]:
    indices = list(range(len(vectors))) if indices is None else indices
    data = [
        {"Embedding": v, "Index": i, "Object": "embedding"}
        for v, i in zip(vectors, indices, strict=True)
    ]
    return {"Data": data, "Usage": {"PromptTokens": len(vectors), "TotalTokens": len(vectors)}}


def numbered(request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
    """A vector per text: [k, k, k] for the text "t<k>"."""
    return json_response(answer([vec(int(t[1:])) for t in body["InputList"]]))


@pytest.fixture
def service() -> FakeService:
    return FakeService()


# -- reading answers ------------------------------------------------------------------------------


def test_index_orders_an_answer_that_numbers_the_texts() -> None:
    batch = read_embeddings(answer([vec(2), vec(0), vec(1)], [2, 0, 1]), 3, "r")
    assert batch.vectors == [vec(0), vec(1), vec(2)]
    assert (batch.prompt_tokens, batch.total_tokens, batch.request_id) == (3, 3, "r")


def test_an_index_fixed_at_zero_means_the_order_sent() -> None:
    # Tencent's SDK: "下标，目前不支持批量，因此固定为 0".
    batch = read_embeddings(answer([vec(5), vec(6)], [0, 0]), 2, None)
    assert batch.vectors == [vec(5), vec(6)]


def test_openai_answers_read_the_same() -> None:
    openai = {
        "object": "list",
        "data": [
            {"object": "embedding", "embedding": [0.5, 1], "index": 1},
            {"embedding": [2, 3], "index": 0},
        ],
        "model": "hunyuan-embedding",
        "usage": {"prompt_tokens": 4, "total_tokens": 4},
    }
    batch = read_embeddings(openai, 2, "x")
    assert batch.vectors == [[2.0, 3.0], [0.5, 1.0]]
    assert all(isinstance(x, float) for v in batch.vectors for x in v)
    assert batch.total_tokens == 4


@pytest.mark.parametrize(
    ("response", "count", "why"),
    [
        (answer([vec(1)]), 2, "1 vectors for 2 texts"),
        (answer([vec(1, 3), vec(1, 4)]), 2, "vectors of [3, 4] floats"),
        (answer([[]]), 1, "vectors of [0] floats"),
        ({"Data": [{"Embedding": None, "Index": 0}]}, 1, "Data.0.Embedding"),
        ({"Usage": {}}, 1, "Data: Field required"),
    ],
)
def test_a_malformed_answer_is_a_server_error(
    response: dict[str, Any], count: int, why: str
) -> None:
    with pytest.raises(ServerError, match="malformed") as raised:
        read_embeddings(response, count, "req-1")
    assert why in str(raised.value)
    assert raised.value.code == "MalformedAnswer"
    assert raised.value.retryable


# -- refused before sending -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "error", "match"),
    [
        ("one string", TypeError, "not one string"),
        (["a", 3], TypeError, r"texts\[1\] is a int"),
        (["a", ""], ValueError, r"texts\[1\] is an empty string"),
        (None, TypeError, "list of strings"),
    ],
)
def test_texts_are_checked(texts: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        check_texts(texts)


def test_embedding_settings_refuse_what_no_request_carries() -> None:
    pair = {"secret_id": "AKIDx", "secret_key": "k"}
    with pytest.raises(TypeError, match="temperature"):
        EmbeddingSettings(**pair, temperature=0.5)
    with pytest.raises(ValueError, match="is a chat model"):
        EmbeddingSettings(**pair, model="hunyuan-turbos-latest")
    with pytest.raises(ValueError, match=r"GetEmbedding .* has no Model field"):
        EmbeddingSettings(**pair, model="other-embedding")
    with pytest.raises(ValueError, match="max_concurrency must be at least 1"):
        EmbeddingSettings(**pair, max_concurrency=0)
    settings = EmbeddingSettings(**pair)
    with pytest.raises(ValueError, match="chunk_size must be 1 to 50"):
        settings.embedding_options(51, batch_setting="chunk_size")
    # An API KEY opens the OpenAI-compatible endpoint, which names its model.
    assert EmbeddingSettings(api_key="sk-x", model="other-embedding").api == "openai"


async def test_nothing_is_sent_for_no_texts_or_bad_ones(sync: bool, service: FakeService) -> None:
    h = Harness(sync, service)
    result = await h.call("embed", [])
    assert (result.embeddings, result.usage.total_tokens, result.request_ids) == ([], 0, ())
    with pytest.raises(ValueError, match="empty string"):
        await h.call("embed", ["a", ""])
    with pytest.raises(ValueError, match="batch_size must be 1 to 50"):
        await h.call("embed", ["a"], EmbeddingOptions(batch_size=0))
    assert service.requests == []


# -- calls ----------------------------------------------------------------------------------------


async def test_batches_in_order_with_summed_usage(sync: bool, service: FakeService) -> None:
    service.script("GetEmbedding", *[numbered] * 3)
    h = Harness(sync, service)
    texts = [f"t{i}" for i in range(7)]
    result = await h.call("embed", texts, EmbeddingOptions(batch_size=3))
    # Sent concurrently, so in any order; read back in the order of the texts.
    sent = sorted(b["InputList"] for b in service.bodies("GetEmbedding"))
    assert sent == [texts[0:3], texts[3:6], texts[6:]]
    assert result.embeddings == [vec(i) for i in range(7)]
    assert result.usage.prompt_tokens == result.usage.total_tokens == 7
    assert result.model == "hunyuan-embedding"
    assert len(result.request_ids) == 3


async def test_transient_errors_are_retried(sync: bool, service: FakeService) -> None:
    service.script(
        "GetEmbedding",
        error_response("FailedOperation.EngineServerLimitExceeded"),
        json_response(answer([vec(1)])),  # one vector for two texts: malformed, retried too
        numbered,
    )
    h = Harness(sync, service)
    result = await h.call("embed", ["t1", "t2"])
    assert result.embeddings == [vec(1), vec(2)]
    assert len(service.requests) == 3


async def test_a_failed_request_names_what_was_embedded(sync: bool, service: FakeService) -> None:
    # One request at a time: the first answers, the second is refused, the third never goes.
    service.script("GetEmbedding", numbered, error_response("AuthFailure.SecretIdNotFound"))
    h = Harness(sync, service)
    texts = [f"t{i}" for i in range(5)]
    with pytest.raises(AuthenticationError) as raised:
        await h.call("embed", texts, EmbeddingOptions(batch_size=2, max_concurrency=1))
    error = raised.value
    assert error.code == "AuthFailure.SecretIdNotFound"
    assert "embedding request 2 of 3, texts 2 to 3, failed" in str(error)
    assert "2 of 5 texts were embedded before it" in str(error)
    assert error.partial is not None
    assert error.partial.embeddings == [vec(0), vec(1)]
    assert isinstance(error.__cause__, AuthenticationError)
    assert len(service.requests) == 2
    # The error travels (process pools, task queues) with what the call embedded.
    copied = pickle.loads(pickle.dumps(error))
    assert type(copied) is AuthenticationError
    assert copied.partial is not None
    assert copied.partial.embeddings == [vec(0), vec(1)]


async def test_retries_spent_raise_the_transient_error(sync: bool, service: FakeService) -> None:
    limit = error_response("LimitExceeded")
    service.script("GetEmbedding", limit, limit, limit)
    h = Harness(sync, service, max_retries=2)
    with pytest.raises(RateLimitError) as raised:
        await h.call("embed", ["t1"])
    assert "0 of 1 texts were embedded" in str(raised.value)
    assert len(service.requests) == 3


def test_job_keeps_the_first_failure_and_the_leading_answers() -> None:
    job = EmbeddingJob([f"t{i}" for i in range(6)], EmbeddingOptions(batch_size=2))
    done = []
    job.progress = done.append
    job.done(2, EmbeddingBatch([vec(4), vec(5)], 2, 2, "c"))
    job.failed(2, HunyuanError("late"))
    job.done(0, EmbeddingBatch([vec(0), vec(1)], 2, 2, "a"))
    job.failed(1, ServerError("first", code="InternalError"))
    assert job.should_send(0)
    assert not job.should_send(1)
    assert not job.should_send(2)
    with pytest.raises(ServerError) as raised:
        job.result()
    assert raised.value.partial is not None
    assert raised.value.partial.embeddings == [vec(0), vec(1)]
    assert "request 2 of 3" in str(raised.value)
    assert done == [2, 2]
