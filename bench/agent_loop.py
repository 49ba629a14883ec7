"""Agent loops: requests and request bytes over a K-turn tool loop, thread continuation vs replay.

A K-turn loop is K model calls that each answer with a tool call (whose result is appended to the
history) and a final call that answers in text: K + 1 model calls. With thread continuation (the
default) the first call creates a thread and every later call sends only the new tool result on
that thread. *Cross-process* makes every call as a new process would: a new ``ThreadLedger``
before each call, so only the reply's thread token (kept on the history's messages) can continue
the thread, after a check of the thread before and after the run. With fresh-thread replay (a new
``ThreadLedger`` before every call, and no tokens in the history) each call creates a thread and
sends the whole history again. The emulator's request log is the source of truth: every request's
body is re-encoded exactly as the client encodes it (compact UTF-8 JSON).
"""

from __future__ import annotations

import json
import time
from typing import Any

SYSTEM = (
    "You are a research assistant. Use the lookup tool for every fact you state, one lookup at "
    "a time, and cite each result. Answer in English."
)
QUESTION = "What were the main causes of the 1929 stock market crash? Check each cause."
TOOL_RESULT = json.dumps(
    {
        "source": "encyclopedia",
        "title": "Wall Street Crash of 1929",
        "snippet": (
            "Margin buying, overproduction, bank failures and a speculative bubble preceded "
            "the crash of October 1929; prices fell by a quarter over two days."
        ),
        "retrieved": "2024-01-01",
    }
)


def _encoded_size(body: Any) -> int:
    return len(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


MODES = ("continuation", "cross_process", "replay")


def _loop(client: Any, k: int, *, mode: str) -> int:
    from hunyuan_api import (
        Message,
        RunOptions,
        ThreadLedger,
        ToolSpec,
    )

    tool = ToolSpec(
        name="lookup",
        description="Look a fact up in the encyclopedia.",
        parameters={
            "type": "object",
            "properties": {"query": {"type": "string", "description": "What to look up."}},
            "required": ["query"],
        },
    )
    options = RunOptions(model="hunyuan-turbo", tools=(tool,))
    history = [Message("system", SYSTEM), Message("user", QUESTION)]
    calls = 0
    while True:
        if mode != "continuation":
            client.ledger = ThreadLedger()  # as a new process: this ledger remembers nothing
        result = client.chat(history, options)
        calls += 1
        # Replay keeps no token: nothing tells a new process the thread may be continued.
        token = result.thread_token if mode == "cross_process" else None
        history.append(Message("assistant", result.text, result.tool_calls, thread_token=token))
        if not result.tool_calls:
            return calls
        for call in result.tool_calls:
            history.append(Message("tool", TOOL_RESULT, tool_call_id=call.id))


def run(ks: list[int]) -> dict[str, Any]:
    from hunyuan_api import (
        HunyuanClient,
        ThreadLedger,
    )
    from hunyuan_emulator import run_emulator

    rows: list[dict[str, Any]] = []
    with run_emulator(concurrency_limit=10) as emu:
        client = HunyuanClient(
            base_url=emu.base_url,
            secret_id=emu.secret_id,
            secret_key=emu.secret_key,
            ledger=ThreadLedger(),
            # The requests each call makes, counted in the log: no threads made ahead of need.
            thread_reserve=0,
        )
        with client:
            for k in ks:
                row: dict[str, Any] = {"k": k}
                for mode in MODES:
                    emu.state.reset()
                    for step in range(k):
                        emu.state.queue_reply(
                            tool_calls=[("lookup", {"query": f"cause {step + 1} of the crash"})]
                        )
                    emu.state.queue_reply(text="The main causes were margin buying and panic.")
                    client.ledger = ThreadLedger()
                    start = time.perf_counter()
                    calls = _loop(client, k, mode=mode)
                    elapsed = time.perf_counter() - start
                    log = emu.state.requests
                    sizes = [_encoded_size(r.body) for r in log]
                    runs = [n for r, n in zip(log, sizes, strict=True) if r.action == "RunThread"]
                    row[mode] = {
                        "model_calls": calls,
                        "requests": len(log),
                        "run_thread": sum(r.action == "RunThread" for r in log),
                        "create_thread": sum(r.action == "CreateThread" for r in log),
                        "checks": sum(r.action == "GetThreadMessageList" for r in log),
                        "bytes": sum(sizes),
                        "last_request_bytes": runs[-1] if runs else 0,
                        "seconds": elapsed,
                    }
                    if calls != k + 1:
                        raise AssertionError(f"{mode}: {calls} model calls for K={k}")
                rows.append(row)
    return {"ks": ks, "rows": rows}
