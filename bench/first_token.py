"""Time to the first chunk on loopback: warm (client built, connection open) in this process, and
cold (a fresh interpreter: import + construct + first chunk, which includes every first-use cost
such as pydantic schemas built on first use and the first connection).

A new Hunyuan conversation is two round trips (CreateThread, then RunThread); an OpenAI-format
call is one. Both are included, as a user would see them.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterator
from typing import Any

from ._util import run_child, timings
from .streaming import SECRET_ID, SECRET_KEY

DELTAS = 10


def _first(chunks: Iterator[Any], text: Callable[[Any], str]) -> None:
    for chunk in chunks:
        if text(chunk):
            break
    # Finish the stream untimed so the connection goes back to the pool.
    for _ in chunks:
        pass


def _warm_contenders(base: str) -> dict[str, Callable[[], None]]:
    from langchain_openai import ChatOpenAI
    from llama_index.core.llms import ChatMessage
    from llama_index.llms.openai import OpenAI

    from hunyuan_api import (
        HunyuanClient,
        Message,
        RunOptions,
        TextDelta,
    )
    from langchain_hunyuan import ChatHunyuan
    from llama_index_hunyuan import Hunyuan

    model = f"bench-{DELTAS}"
    core = HunyuanClient(secret_id=SECRET_ID, secret_key=SECRET_KEY, base_url=base)
    options = RunOptions(model=model)
    lc = ChatHunyuan(model=model, base_url=base, secret_id=SECRET_ID, secret_key=SECRET_KEY)
    lc_openai = ChatOpenAI(model=model, base_url=base + "/v1", api_key="bench")
    li = Hunyuan(model=model, base_url=base, secret_id=SECRET_ID, secret_key=SECRET_KEY)
    li_openai = OpenAI(
        model="gpt-4o-mini",
        api_base=base + "/v1",
        api_key="bench",
        additional_kwargs={"model": model},
    )
    messages = [ChatMessage(role="user", content="hi")]

    def delta_text(e: Any) -> str:
        return e.text if isinstance(e, TextDelta) else ""

    return {
        "hunyuan_api client": lambda: _first(
            iter(core.stream_chat([Message("user", "hi")], options)), delta_text
        ),
        "ChatHunyuan": lambda: _first(iter(lc.stream("hi")), lambda c: c.text),
        "ChatOpenAI": lambda: _first(iter(lc_openai.stream("hi")), lambda c: c.text),
        "llama_index_hunyuan.Hunyuan": lambda: _first(
            iter(li.stream_chat(messages)), lambda r: r.delta or ""
        ),
        "llama_index OpenAI": lambda: _first(
            iter(li_openai.stream_chat(messages)), lambda r: r.delta or ""
        ),
    }


def warm(base: str, repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, fn in _warm_contenders(base).items():
        times = timings(fn, repeat=repeat, warmup=3)
        out[name] = {"median": statistics.median(times), "min": min(times)}
    return out


_COLD = {
    "ChatHunyuan": (
        "from langchain_hunyuan import ChatHunyuan",
        "m = ChatHunyuan(model=MODEL, base_url=BASE, secret_id='AKIDbenchmark', "
        "secret_key='benchmark-key')",
        "it = iter(m.stream('hi'))\nfor c in it:\n    if c.text: break",
    ),
    "ChatOpenAI": (
        "from langchain_openai import ChatOpenAI",
        "m = ChatOpenAI(model=MODEL, base_url=BASE + '/v1', api_key='bench')",
        "it = iter(m.stream('hi'))\nfor c in it:\n    if c.text: break",
    ),
    "llama_index_hunyuan.Hunyuan": (
        "from llama_index_hunyuan import Hunyuan\nfrom llama_index.core.llms import ChatMessage",
        "m = Hunyuan(model=MODEL, base_url=BASE, secret_id='AKIDbenchmark', "
        "secret_key='benchmark-key')",
        "it = iter(m.stream_chat([ChatMessage(role='user', content='hi')]))\n"
        "for c in it:\n    if c.delta: break",
    ),
    "llama_index OpenAI": (
        "from llama_index.llms.openai import OpenAI\nfrom llama_index.core.llms import ChatMessage",
        "m = OpenAI(model='gpt-4o-mini', api_base=BASE + '/v1', api_key='bench', "
        "additional_kwargs={'model': MODEL})",
        "it = iter(m.stream_chat([ChatMessage(role='user', content='hi')]))\n"
        "for c in it:\n    if c.delta: break",
    ),
}


def _cold_script(base: str, parts: tuple[str, str, str]) -> str:
    imports, construct, first = parts
    return "\n".join(
        [
            "import time, json",
            f"BASE = {base!r}",
            f"MODEL = 'bench-{DELTAS}'",
            "t0 = time.perf_counter()",
            imports,
            "t1 = time.perf_counter()",
            construct,
            "t2 = time.perf_counter()",
            first,
            "t3 = time.perf_counter()",
            "print(json.dumps([t1 - t0, t2 - t1, t3 - t2]))",
        ]
    )


def cold(base: str, repeat: int, only: tuple[str, ...] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, parts in _COLD.items():
        if only is not None and name not in only:
            continue
        script = _cold_script(base, parts)
        run_child(script)  # warm-up: bytecode caches
        rows = [json.loads(run_child(script)[2].splitlines()[0]) for _ in range(repeat)]
        out[name] = {
            "import": statistics.median(r[0] for r in rows),
            "construct": statistics.median(r[1] for r in rows),
            "first_chunk": statistics.median(r[2] for r in rows),
            "total": statistics.median(sum(r) for r in rows),
        }
    return out


def run(
    base: str, repeat: int, cold_repeat: int, only_cold: tuple[str, ...] | None = None
) -> dict[str, Any]:
    return {
        "deltas": DELTAS,
        "warm": warm(base, repeat),
        "cold": cold(base, cold_repeat, only_cold),
        "repeat": repeat,
        "cold_repeat": cold_repeat,
    }
