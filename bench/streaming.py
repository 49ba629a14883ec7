"""Streaming overhead: the same N text deltas through each client, from a loopback replay server.

Contenders: the raw floor (httpx + splitting + json.loads), the core client, ChatHunyuan vs
langchain-openai's ChatOpenAI, and the LlamaIndex Hunyuan vs llama-index-llms-openai's OpenAI.
The replay server (its own process) sends the same text pieces as a RunThread stream or as an
OpenAI stream; each contender is warm (client built, connection open) before it is timed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from ._util import measure_both

SECRET_ID = "AKIDbenchmark"
SECRET_KEY = "benchmark-key"


def raw_floor(base: str, n: int) -> Callable[[], int]:
    """The least any client must do: read the bytes, split frames, decode JSON."""
    client = httpx.Client()

    def run() -> int:
        count = 0
        body = json.dumps({"Model": f"bench-{n}"})
        with client.stream(
            "POST", base + "/", content=body, headers={"X-TC-Action": "RunThread"}
        ) as response:
            buf = b""
            for chunk in response.iter_bytes():
                buf += chunk
                *frames, buf = buf.split(b"\n\n")
                for frame in frames:
                    data = frame[6:]
                    if data != b"[DONE]":
                        json.loads(data)
                        count += 1
        return count

    return run


def core_client(base: str, n: int) -> Callable[[], int]:
    from hunyuan_api import (
        HunyuanClient,
        Message,
        RunOptions,
        TextDelta,
    )

    client = HunyuanClient(secret_id=SECRET_ID, secret_key=SECRET_KEY, base_url=base)
    options = RunOptions(model=f"bench-{n}")

    def run() -> int:
        return sum(
            isinstance(e, TextDelta) for e in client.stream_chat([Message("user", "hi")], options)
        )

    return run


def chat_hunyuan(base: str, n: int) -> Callable[[], int]:
    from langchain_hunyuan import ChatHunyuan

    model = ChatHunyuan(
        model=f"bench-{n}", base_url=base, secret_id=SECRET_ID, secret_key=SECRET_KEY
    )
    return lambda: sum(1 for _ in model.stream("hi"))


def chat_openai(base: str, n: int) -> Callable[[], int]:
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(model=f"bench-{n}", base_url=base + "/v1", api_key="bench")
    return lambda: sum(1 for _ in model.stream("hi"))


def llama_hunyuan(base: str, n: int) -> Callable[[], int]:
    from llama_index.core.llms import ChatMessage

    from llama_index_hunyuan import Hunyuan

    llm = Hunyuan(model=f"bench-{n}", base_url=base, secret_id=SECRET_ID, secret_key=SECRET_KEY)
    messages = [ChatMessage(role="user", content="hi")]
    return lambda: sum(1 for _ in llm.stream_chat(messages))


def llama_openai(base: str, n: int) -> Callable[[], int]:
    from llama_index.core.llms import ChatMessage
    from llama_index.llms.openai import OpenAI

    # llama-index-llms-openai looks model names up for context sizes: give it a known one and
    # send the benchmark's model name (which sets N) as an extra request field.
    llm = OpenAI(
        model="gpt-4o-mini",
        api_base=base + "/v1",
        api_key="bench",
        additional_kwargs={"model": f"bench-{n}"},
    )
    messages = [ChatMessage(role="user", content="hi")]
    return lambda: sum(1 for _ in llm.stream_chat(messages))


CONTENDERS: dict[str, Callable[[str, int], Callable[[], int]]] = {
    "raw floor (httpx + json)": raw_floor,
    "hunyuan_api client": core_client,
    "ChatHunyuan": chat_hunyuan,
    "ChatOpenAI": chat_openai,
    "llama_index_hunyuan.Hunyuan": llama_hunyuan,
    "llama_index OpenAI": llama_openai,
}

#: (ours, peer) pairs with the issue's target ratio.
PAIRS = (
    ("ChatHunyuan", "ChatOpenAI", 0.6),
    ("llama_index_hunyuan.Hunyuan", "llama_index OpenAI", 0.6),
)


def run(base: str, sizes: tuple[int, ...], repeat: int) -> dict[str, Any]:
    results: dict[str, Any] = {"sizes": list(sizes), "repeat": repeat, "times": {}}
    for n in sizes:
        row: dict[str, Any] = {}
        for name, make in CONTENDERS.items():
            fn = make(base, n)
            got = fn()
            if got < n:
                raise AssertionError(f"{name} yielded {got} chunks for {n} deltas")
            row[name] = {**measure_both(fn, repeat=repeat, warmup=0), "chunks": got}
        results["times"][str(n)] = row
    return results
