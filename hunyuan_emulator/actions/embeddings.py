"""GetEmbedding (API 3.0) and ``POST /v1/embeddings`` (the OpenAI-compatible endpoint): vectors
from ``model.embed_text``, 1,024 floats each, for the texts of one request.

Rules, checked in this order after the common ones (unknown fields, missing fields, JSON types):

- GetEmbedding takes exactly one of ``Input`` (one text) and ``InputList`` (texts): neither is
  ``MissingParameter``, both ``InvalidParameter`` [sdk-emb: two ways to send texts, no rule for
  both; refusing is the strict reading]. ``/v1/embeddings`` takes ``model`` (only
  ``hunyuan-embedding``; any other name is 404 ``model_not_found``), ``input`` (a string or an
  array of strings; OpenAI's token arrays are refused) and ``encoding_format`` (``float``, the
  default, or ``base64``: little-endian float32, what OpenAI's SDK asks for by default).
- At most 50 texts (``InputList`` "输入数组总长度不超过 50"), at least one, each a non-empty
  string (``InvalidParameterValue``; Tencent documents nothing for an empty text, OpenAI refuses
  one, so the emulator does).
- Each text is read up to its 1,024th token and the rest is cut, as Tencent documents; ``Usage``
  counts the tokens read (``PromptTokens`` = ``TotalTokens``).

``Data[i].Index`` is ``i``: the texts in the order sent (the SDK's "fixed at 0, no batching"
predates ``InputList``). Each request takes a concurrency slot and the fault scripted for its
action (``GetEmbedding``, ``v1/embeddings``), like the chat actions; it waits the configured
latency before answering.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Callable
from typing import Any

from ..catalog import EMBEDDING, EMBEDDING_DIMENSIONS, EMBEDDING_MAX_INPUTS, EMBEDDING_MAX_TOKENS
from ..errors import RuleError
from ..model.embedding import embed_text, truncate_tokens
from ..responses import BytesResponse
from ..schema import ANY, STRING, array, check, invalid, missing, nullable, obj, required
from .call import Call
from .params import model_family

__all__ = [
    "get_embedding",
    "openai_embeddings",
    "validate_get_embedding",
    "validate_openai_embeddings",
]

_GET_EMBEDDING = obj(Input=STRING, InputList=array(STRING))
_OPENAI_EMBEDDINGS = obj(
    model=required(STRING), input=required(ANY), encoding_format=nullable(STRING)
)
_FORMATS = ("float", "base64")


def _texts(raw: str | list[Any], path: str) -> list[str]:
    """One text or a list of them (at ``path``), within the limits."""
    if isinstance(raw, str):
        if not raw:
            raise invalid(path, "the text must not be empty.")
        return [raw]
    if not raw:
        raise invalid(path, "at least one text is required.")
    if len(raw) > EMBEDDING_MAX_INPUTS:
        raise invalid(path, f"{len(raw)} texts; at most {EMBEDDING_MAX_INPUTS}.")
    for index, text in enumerate(raw):
        if not text:
            raise invalid(f"{path}.{index}", "the text must not be empty.")
    return raw


def validate_get_embedding(body: dict[str, Any]) -> list[str]:
    check(body, _GET_EMBEDDING)
    if "Input" in body and "InputList" in body:
        raise RuleError(
            "InvalidParameter",
            "The parameters `Input` and `InputList` are mutually exclusive; send one of them.",
            param="InputList",
        )
    if "InputList" in body:
        return _texts(body["InputList"], "InputList")
    if "Input" not in body:
        raise missing("Input", "`InputList` is absent")
    return _texts(body["Input"], "Input")


def validate_openai_embeddings(body: dict[str, Any]) -> tuple[str, list[str], str]:
    """The model, the texts and the encoding format of a ``/v1/embeddings`` body."""
    check(body, _OPENAI_EMBEDDINGS)
    model = body["model"]
    model_family(EMBEDDING, model, "model")
    raw = body["input"]
    if not isinstance(raw, (str, list)) or not all(isinstance(text, str) for text in raw):
        raise invalid(
            "input",
            "it must be a string or an array of strings (no token arrays).",
            "InvalidParameter",
        )
    encoding = body.get("encoding_format") or "float"
    if encoding not in _FORMATS:
        raise invalid("encoding_format", f"{encoding!r} must be one of {', '.join(_FORMATS)}.")
    return model, _texts(raw, "input"), encoding


def _embed(texts: list[str]) -> tuple[list[list[float]], int]:
    """The vectors of ``texts`` and the tokens read."""
    read = sum(truncate_tokens(text, EMBEDDING_MAX_TOKENS)[1] for text in texts)
    vectors = [
        embed_text(text, dimensions=EMBEDDING_DIMENSIONS, max_tokens=EMBEDDING_MAX_TOKENS)
        for text in texts
    ]
    return vectors, read


def _answer(call: Call, payload: Callable[[], dict[str, Any]]) -> BytesResponse:
    """The answer of a model call: a concurrency slot until its last byte, the configured
    latency, the fault scripted for it, else ``payload()``."""
    call.acquire()
    release = call.release
    try:
        latency = call.state.settings.latency
        fault, delay = call.take_fault(call.action, streaming=False, latency=latency)
        response = call.pre_fault(fault, delay=delay, on_finish=release)
        if response is None:
            response = call.json(payload(), delay=delay, on_finish=release)
    except BaseException:
        release()
        raise
    return response


async def get_embedding(call: Call) -> BytesResponse:
    texts = validate_get_embedding(call.body)

    def payload() -> dict[str, Any]:
        vectors, tokens = _embed(texts)
        data = [
            {"Embedding": vector, "Index": index, "Object": "embedding"}
            for index, vector in enumerate(vectors)
        ]
        return {"Data": data, "Usage": {"PromptTokens": tokens, "TotalTokens": tokens}}

    return _answer(call, payload)


def _base64(vector: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


async def openai_embeddings(call: Call) -> BytesResponse:
    model, texts, encoding = validate_openai_embeddings(call.body)

    def payload() -> dict[str, Any]:
        vectors, tokens = _embed(texts)
        data = [
            {
                "object": "embedding",
                "embedding": vector if encoding == "float" else _base64(vector),
                "index": index,
            }
            for index, vector in enumerate(vectors)
        ]
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        return {"object": "list", "data": data, "model": model, "usage": usage}

    return _answer(call, payload)
