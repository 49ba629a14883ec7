"""Embedding requests and answers on both ways in (pure: bodies out, parsed answers in).

API 3.0's ``GetEmbedding`` (facts: Tencent's SDK models.py, GetEmbeddingRequest/Response):
``InputList`` of at most 50 texts, each read up to 1,024 tokens (the service cuts the rest);
the answer's ``Data[]`` holds ``{Embedding: 1,024 floats, Index, Object}`` and ``Usage`` holds
``{PromptTokens, TotalTokens}``. It has no Model field. The OpenAI-compatible endpoint's
``POST {base}/embeddings`` takes ``{"model", "input"}`` and answers in OpenAI's format
(``data[]{embedding, index}``, ``usage{prompt_tokens, total_tokens}``).

Which vector answers which text: the SDK documents ``Index`` as "目前不支持批量，因此固定为 0"
(batching unsupported, always 0), which its own ``InputList`` contradicts. So ``Index`` orders the
answer when it numbers the texts 0..n-1 (a batching service's answer, in any order); otherwise
(every ``Index`` 0, as documented) the answer is read in the order of the texts, and a count
that differs from the texts sent is a malformed answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_pascal

from .._errors import ServerError
from .frames import WireUsage

__all__ = [
    "GET_EMBEDDING",
    "OPENAI_EMBEDDINGS",
    "EmbeddingBatch",
    "get_embedding_body",
    "openai_embedding_body",
    "read_embeddings",
]

#: The API 3.0 action, and the OpenAI-compatible endpoint's path (under its base URL).
GET_EMBEDDING = "GetEmbedding"
OPENAI_EMBEDDINGS = "embeddings"


def get_embedding_body(texts: Sequence[str], model: str) -> dict[str, Any]:
    # ``InputList`` even for one text: one shape of request and answer. No Model field exists;
    # the settings refuse any model but hunyuan-embedding on API 3.0 before this is reached.
    return {"InputList": list(texts)}


def openai_embedding_body(texts: Sequence[str], model: str) -> dict[str, Any]:
    # No encoding_format: OpenAI's default (float) is the one format Tencent documents.
    return {"model": model, "input": list(texts)}


class _Wire(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_pascal, populate_by_name=True, extra="ignore", defer_build=True
    )


class _Vector(_Wire):
    embedding: list[float]
    index: int | None = None


class _Answer(_Wire):
    """``GetEmbedding``'s ``Response`` (PascalCase) or OpenAI's answer (snake_case)."""

    data: list[_Vector]
    usage: WireUsage | None = None


@dataclass(frozen=True, slots=True)
class EmbeddingBatch:
    """One request's answer: a vector per text sent, in the order they were sent."""

    vectors: list[list[float]]
    prompt_tokens: int
    total_tokens: int
    request_id: str | None


def _malformed(why: str, request_id: str | None) -> ServerError:
    # A server-side failure like any other: retried, then raised with what the call embedded.
    return ServerError(
        f"the embedding answer is malformed: {why}",
        code="MalformedAnswer",
        request_id=request_id,
    )


def read_embeddings(response: dict[str, Any], count: int, request_id: str | None) -> EmbeddingBatch:
    """The vectors of a successful answer to ``count`` texts, in their order; a ServerError
    (code ``MalformedAnswer``) when the answer cannot be read that way."""
    request_id = response.get("RequestId") or request_id
    try:
        answer = _Answer.model_validate(response)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise _malformed(f"{where}: {problem['msg']}", request_id) from None
    items = answer.data
    if len(items) != count:
        raise _malformed(f"{len(items)} vectors for {count} texts", request_id)
    indices = [item.index if item.index is not None else -1 for item in items]
    if sorted(indices) == list(range(count)):
        items = sorted(items, key=lambda item: item.index or 0)
    vectors = [item.embedding for item in items]
    sizes = {len(vector) for vector in vectors}
    if len(sizes) != 1 or 0 in sizes:
        raise _malformed(f"vectors of {sorted(sizes)} floats in one answer", request_id)
    usage = answer.usage or WireUsage()
    return EmbeddingBatch(vectors, usage.prompt_tokens, usage.total_tokens, request_id)
