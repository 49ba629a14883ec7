"""Fork after use (issue 13, item 3).

gunicorn ``--preload``, Celery's prefork pool and ``multiprocessing`` with the fork start method
build and use a model in the parent, then fork workers that use the same model object. A forked
worker must start with its own connections and no thread claim or thread memory of its parent;
the parent's own connections must not be disturbed by its children.

The drill runs in a fresh interpreter (the test process has server threads that a fork would
copy): the parent makes sync, async and JSON calls (leaving idle keep-alive sockets in both
pools) and keeps a stream open on a continued thread (a thread claim) while it forks 4 workers;
they answer 96 prompts with every kind of call. Every worker gets the reply to its own prompt,
and afterwards the parent's open stream and pools still work.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hunyuan_emulator import SpawnedEmulator
from tests.support.reliability import reply_to

ROOT = Path(__file__).resolve().parents[2]
CALLS = 96

DRILL = r"""
import asyncio, json, multiprocessing, os, sys
from langchain_core.messages import HumanMessage
from llama_index.core.base.llms.types import ChatMessage
from hunyuan_api import HunyuanClient, Message, default_ledger
from langchain_hunyuan import ChatHunyuan
from llama_index_hunyuan import Hunyuan

base_url, secret_id, secret_key, calls = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
settings = dict(base_url=base_url, secret_id=secret_id, secret_key=secret_key)
chat = ChatHunyuan(**settings)
llm = Hunyuan(**settings)
core = HunyuanClient(**settings)

# The parent uses everything, leaving idle keep-alive sockets in the sync and async pools.
first = chat.invoke([HumanMessage("parent question")])
chat.get_num_tokens("parent text")
core.count_tokens("parent text")
llm.chat([ChatMessage(role="user", content="parent llama question")])
parent_loop = asyncio.new_event_loop()  # a loop that stays open across the fork

async def _direct_transport():
    return chat._async_client._http._transport
parent_loop.run_until_complete(chat.ainvoke("parent async question"))
idle = [c.info() for c in chat._client._http._transport._pool.connections]
assert any("IDLE" in c for c in idle), idle
# The async client's own transport (http1) keeps its idle connection across the fork too.
async_transport = parent_loop.run_until_complete(_direct_transport())
parent_async = async_transport.connections
parent_sockets = [c.raw_socket() for c in parent_async]
assert parent_async and all(s.fileno() >= 0 for s in parent_sockets), parent_async

# ... and holds a stream open on a continued thread (a thread claim) while it forks.
history = [HumanMessage("parent question"), first, HumanMessage("parent follow-up")]
open_stream = chat.stream(history)
opened = next(open_stream)
assert default_ledger()._claimed, "the parent holds a claim"

inherited = None

def at_start():
    # What the worker inherited, as it starts (before any call of its own).
    global inherited
    ledger = default_ledger()
    # The parent's async sockets: this process's copies let go of (closed here only).
    released = all(s.fileno() == -1 for s in parent_sockets)
    inherited = (len(ledger), len(ledger._claimed), len(ledger._pinned), released)

def work(i):
    prompt = f"worker question number {i}"
    # The first tasks (one per worker, all at once) use the core client the parent used.
    kind = 0 if i < 8 else i % 5
    if kind == 0:
        text = core.chat([Message("user", prompt)]).text
    elif kind == 1:
        text = chat.invoke(prompt).content
    elif kind == 2:
        text = asyncio.run(chat.ainvoke(prompt)).content
    elif kind == 3:
        text = llm.chat([ChatMessage(role="user", content=prompt)]).message.content
    else:
        text = "".join(c.content for c in chat.stream(prompt))
    # The same continued conversation as the parent's open stream: a fresh thread here.
    follow = chat.invoke(history) if i % 8 == 0 else None
    return {
        "i": i, "prompt": prompt, "text": text, "pid": os.getpid(), "inherited": inherited,
        "follow_thread": follow.response_metadata["thread_id"] if follow is not None else None,
        "follow_continued": follow.response_metadata["continued_thread"] if follow else None,
    }

with multiprocessing.get_context("fork").Pool(4, initializer=at_start) as pool:
    results = pool.map(work, range(calls), chunksize=1)
# The children let go of their copies only: the parent's own sockets stay open.
parent_kept = all(s.fileno() >= 0 for s in parent_sockets)

# The parent's connections were not disturbed: its open stream finishes, its pools still serve.
rest = "".join(c.content for c in open_stream)
parent_after = chat.invoke("parent question after the fork").content
parent_async_after = parent_loop.run_until_complete(chat.ainvoke("parent async after")).content
print(json.dumps({
    "results": results,
    "parent_thread": first.response_metadata["thread_id"],
    "open_stream": opened.content + rest,
    "parent_after": parent_after,
    "parent_async_after": parent_async_after,
    "parent_async_kept": parent_kept,
}))
"""


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX-only")
def test_forked_workers_after_parent_use_each_answer_their_own_prompt(
    drill: SpawnedEmulator,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_PROXY", "_proxy"))}
    done = subprocess.run(
        [sys.executable, "-c", DRILL, drill.base_url, drill.secret_id, drill.secret_key,
         str(CALLS)],
        capture_output=True, text=True, timeout=240, cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    results = report["results"]
    assert len(results) == CALLS
    wrong = [(r["prompt"], r["text"]) for r in results if r["text"] != reply_to(r["prompt"])]
    assert not wrong, wrong[:5]
    assert len({r["pid"] for r in results}) > 1  # several workers really ran
    # No worker inherited the parent's thread memory or its claim ...
    assert {tuple(r["inherited"]) for r in results} == {(0, 0, 0, True)}
    # ... so the parent's continued conversation went to a fresh thread in each worker.
    follows = [r for r in results if r["follow_thread"] is not None]
    assert follows
    assert all(r["follow_thread"] != report["parent_thread"] for r in follows)
    assert not any(r["follow_continued"] for r in follows)
    # The parent is undisturbed.
    assert report["parent_after"] == reply_to("parent question after the fork")
    assert report["parent_async_after"] == reply_to("parent async after")
    assert report["parent_async_kept"]
    assert report["open_stream"]  # its stream, opened before the fork, ran to its end
