"""Embedding N short texts (2,000 in the full run) against the emulator: this plugin's embedding
classes, which send requests of 50 texts, 4 at a time, against langchain-community's
``HunyuanEmbeddings``, which sends one text per request through Tencent's SDK, one after another.

The emulator runs in its own process (its own GIL) with Tencent's documented concurrency limit
of 5 per account, at each latency L (added before each answer: the round trip to the service).
Every contender embeds the same texts; the vectors are checked against each other, and the
requests each makes are counted from the emulator's log on a warm-up of 120 texts.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._util import measure_both
from .concurrency import Target, sdk_endpoint

Embed = Callable[[list[str]], list[list[float]]]

WARMUP_TEXTS = 120


@dataclass(frozen=True)
class Contender:
    name: str
    ours: bool
    #: Builds the embed function for the emulator ``Target``.
    make: Callable[[Target], Embed]


def texts(n: int) -> list[str]:
    """Short texts, Chinese and English, all different (about 12 tokens each)."""
    topics = ("深圳的科技公司", "荔枝的产地", "the Li River", "混元大模型", "weather in Guilin")
    return [f"第{i}条 note {i}: {topics[i % len(topics)]} #{i * 7919 % 1000}" for i in range(n)]


def _settings(t: Target) -> dict[str, Any]:
    return {"base_url": t.base_url, "secret_id": t.secret_id, "secret_key": t.secret_key}


def _langchain(t: Target) -> Embed:
    from langchain_hunyuan import HunyuanEmbeddings

    return HunyuanEmbeddings(**_settings(t), timeout=120).embed_documents


def _langchain_async(t: Target) -> Embed:
    from langchain_hunyuan import HunyuanEmbeddings

    model = HunyuanEmbeddings(**_settings(t), timeout=120)
    return lambda batch: asyncio.run(model.aembed_documents(batch))


def _llama_index(t: Target) -> Embed:
    from llama_index_hunyuan import HunyuanEmbedding

    return HunyuanEmbedding(**_settings(t), timeout=120).get_text_embedding_batch


def _community(t: Target) -> Embed:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from langchain_community.embeddings import HunyuanEmbeddings as CommunityEmbeddings

    # It builds Tencent's SDK client in its validator from a default profile: the patched
    # HttpProfile defaults point that client at the emulator over http.
    with sdk_endpoint(t.endpoint):
        # Its "before" validator reads ``region`` from the arguments: it must be passed.
        model = CommunityEmbeddings(
            hunyuan_secret_id=t.secret_id,
            hunyuan_secret_key=t.secret_key,  # type: ignore[arg-type]
            region="ap-guangzhou",
        )
    return model.embed_documents


CONTENDERS = (
    Contender("HunyuanEmbeddings.embed_documents (LangChain, threads)", True, _langchain),
    Contender(
        "HunyuanEmbeddings.aembed_documents (LangChain, asyncio.run)", True, _langchain_async
    ),
    Contender("HunyuanEmbedding.get_text_embedding_batch (LlamaIndex)", True, _llama_index),
    Contender("langchain-community HunyuanEmbeddings (one text per request)", False, _community),
)
#: The pair the summary compares.
OURS, PEER = CONTENDERS[0].name, CONTENDERS[-1].name


def _target(emu: Any) -> Target:
    return Target(emu.base_url, emu.endpoint, emu.secret_id, emu.secret_key)


def _requests(emu: Any) -> int:
    return sum(1 for r in emu.control.requests() if r["action"] == "GetEmbedding")


def _run_one(contender: Contender, emu: Any, corpus: list[str], repeat: int) -> dict[str, Any]:
    embed = contender.make(_target(emu))
    warm = embed(corpus[:WARMUP_TEXTS])  # imports, first connection, schemas built on first use
    requests = _requests(emu)
    emu.control.reset()
    vectors: list[list[float]] = []

    def run() -> None:
        vectors[:] = embed(corpus)

    measured = measure_both(run, repeat=repeat if contender.ours else 1, warmup=0)
    return {
        "wall": measured["wall"],
        "cpu": measured["cpu"],
        "walls": measured["walls"],
        "requests_for_warmup": requests,
        "max_concurrent": emu.control.max_concurrent_seen,
        "vectors": len(vectors),
        "dimensions": len(vectors[0]) if vectors else 0,
        "sample": [vectors[0][:4], vectors[-1][:4]] if vectors else [],
        "warm_sample": warm[0][:4] if warm else [],
    }


def run(n: int, latencies: tuple[float, ...], repeat: int) -> dict[str, Any]:
    from hunyuan_emulator import spawn_emulator

    corpus = texts(n)
    results: dict[str, Any] = {
        "texts": n,
        "warmup_texts": WARMUP_TEXTS,
        "repeat": repeat,
        "latencies": list(latencies),
        "runs": {},
    }
    for latency in latencies:
        runs: dict[str, Any] = {}
        with spawn_emulator(latency=latency) as emu:
            for contender in CONTENDERS:
                started = time.perf_counter()
                try:
                    runs[contender.name] = {"ours": contender.ours} | _run_one(
                        contender, emu, corpus, repeat
                    )
                except Exception as exc:  # a peer that breaks is reported, not fatal
                    runs[contender.name] = {
                        "ours": contender.ours,
                        "error": f"{type(exc).__name__}: {exc}"[:500],
                    }
                finally:
                    emu.control.reset()
                runs[contender.name]["seconds"] = time.perf_counter() - started
        samples = [r["sample"] for r in runs.values() if "sample" in r]
        results["runs"][f"{latency:g}"] = {
            "latency": latency,
            "contenders": runs,
            "same_vectors": all(s == samples[0] for s in samples),
        }
    return results
