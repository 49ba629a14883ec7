"""A loopback server that replays N text deltas as a RunThread stream or an OpenAI stream.

It verifies nothing and precomputes every body, so a benchmark measures the client, not the
server. The delta count comes from the model name (``bench-<N>``), which both APIs send.
Run it in its own process (``python -m bench.replay_server PORT``) so it never shares the
client's interpreter lock.
"""

from __future__ import annotations

import json
import re
import sys
from functools import lru_cache
from typing import Any

PIECES = ("你好", "，", "world ", "混元", "stream ", "delta ")


def _frame(obj: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"


@lru_cache(maxsize=16)
def run_thread_body(n: int) -> bytes:
    run = {"ID": "run_bench", "Object": "thread.run", "ThreadID": "thread_bench", "Model": "m"}
    parts = [_frame({**run, "Status": "created"}), _frame({**run, "Status": "in_progress"})]
    delta = {"ID": "msg_bench", "Object": "thread.message.delta"}
    parts += [
        _frame({**delta, "Delta": {"Role": "assistant", "Content": PIECES[i % len(PIECES)]}})
        for i in range(n)
    ]
    usage = {"PromptTokens": 5, "CompletionTokens": n, "TotalTokens": n + 5}
    parts.append(_frame({**run, "Status": "completed", "Usage": usage}))
    parts.append(b"data: [DONE]\n\n")
    return b"".join(parts)


@lru_cache(maxsize=16)
def openai_body(n: int) -> bytes:
    base = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    parts = [
        _frame(
            {
                **base,
                "choices": [
                    {
                        "index": 0,
                        "delta": {"role": "assistant", "content": PIECES[i % len(PIECES)]}
                        if i == 0
                        else {"content": PIECES[i % len(PIECES)]},
                        "finish_reason": None,
                    }
                ],
            }
        )
        for i in range(n)
    ]
    parts.append(_frame({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    usage = {"prompt_tokens": 5, "completion_tokens": n, "total_tokens": n + 5}
    parts.append(_frame({**base, "choices": [], "usage": usage}))
    parts.append(b"data: [DONE]\n\n")
    return b"".join(parts)


_THREAD = json.dumps(
    {"Response": {"ID": "thread_bench", "Object": "thread", "CreatedAt": 0, "RequestId": "r"}}
).encode()
_N = re.compile(rb'"(?:Model|model)"\s*:\s*"bench-(\d+)"')


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    headers = dict(scope["headers"])
    match = _N.search(body)
    n = int(match.group(1)) if match else 10
    if scope["path"].endswith("/chat/completions"):
        payload, ctype = openai_body(n), b"text/event-stream"
    elif headers.get(b"x-tc-action") == b"CreateThread":
        payload, ctype = _THREAD, b"application/json"
    else:
        payload, ctype = run_thread_body(n), b"text/event-stream"
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", ctype), (b"x-tc-requestid", b"bench")],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def main() -> None:
    import uvicorn

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8799
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")


if __name__ == "__main__":
    main()
