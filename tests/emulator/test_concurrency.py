"""The per-SecretId concurrency cap, and releasing slots however a stream ends."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx

from hunyuan_api._wire.signing import authorization_header
from hunyuan_emulator import EmulatorCredential, EmulatorHandle, arun_emulator, run_emulator


def signed(
    emu: EmulatorHandle, action: str, body: dict[str, Any], secret: tuple[str, str] | None = None
) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    ts = int(time.time())
    secret_id, secret_key = secret or (emu.secret_id, emu.secret_key)
    headers = {
        "Content-Type": "application/json",
        "X-TC-Action": action,
        "X-TC-Version": "2023-09-01",
        "X-TC-Timestamp": str(ts),
        "Authorization": authorization_header(
            secret_id=secret_id, secret_key=secret_key, host=emu.endpoint, body=raw, timestamp=ts
        ),
    }
    return raw, headers


async def one_run(
    client: httpx.AsyncClient, emu: EmulatorHandle, secret: tuple[str, str] | None = None
) -> str:
    raw, headers = signed(emu, "CreateThread", {}, secret)
    thread = (await client.post("/", content=raw, headers=headers)).json()["Response"]["ID"]
    body = {
        "ThreadID": thread,
        "Stream": True,
        "AdditionalMessages": [{"Role": "user", "Content": "hi"}],
    }
    raw, headers = signed(emu, "RunThread", body, secret)
    async with client.stream("POST", "/", content=raw, headers=headers) as response:
        if response.headers["content-type"] == "application/json":
            return str(json.loads(await response.aread())["Response"]["Error"]["Code"])
        content = await response.aread()
        assert content.endswith(b"data: [DONE]\n\n")
        return "stream"


async def test_cap_holds_under_parallel_load() -> None:
    async with (
        arun_emulator(latency=0.3, concurrency_limit=5) as emu,
        httpx.AsyncClient(base_url=emu.base_url, trust_env=False, timeout=10) as client,
    ):
        results = await asyncio.gather(*(one_run(client, emu) for _ in range(12)))
        assert results.count("stream") == 5
        assert results.count("FailedOperation.EngineServerLimitExceeded") == 7
        assert emu.state.max_concurrent_seen == 5
        assert emu.state.active_runs(emu.secret_id) == 0
        # Released: the next five all stream again.
        again = await asyncio.gather(*(one_run(client, emu) for _ in range(5)))
        assert again == ["stream"] * 5


async def test_cap_is_per_secret_id() -> None:
    creds = (EmulatorCredential("AKIDa", "ka"), EmulatorCredential("AKIDb", "kb"))
    async with (
        arun_emulator(credentials=creds, latency=0.3, concurrency_limit=2) as emu,
        httpx.AsyncClient(base_url=emu.base_url, trust_env=False, timeout=10) as client,
    ):
        runs = [one_run(client, emu, ("AKIDa", "ka")) for _ in range(3)]
        runs += [one_run(client, emu, ("AKIDb", "kb")) for _ in range(2)]
        results = await asyncio.gather(*runs)
    assert results[:3].count("stream") == 2
    assert results[3:] == ["stream", "stream"]


async def test_chat_completions_counts_too() -> None:
    async with (
        arun_emulator(latency=0.3, concurrency_limit=1) as emu,
        httpx.AsyncClient(base_url=emu.base_url, trust_env=False, timeout=10) as client,
    ):
        body = {"Model": "hunyuan-lite", "Messages": [{"Role": "user", "Content": "hi"}]}

        async def chat() -> str:
            raw, headers = signed(emu, "ChatCompletions", body)
            payload = (await client.post("/", content=raw, headers=headers)).json()["Response"]
            return str(payload["Error"]["Code"]) if "Error" in payload else "ok"

        results = await asyncio.gather(chat(), chat())
    assert sorted(results) == ["FailedOperation.EngineServerLimitExceeded", "ok"]


def test_slot_released_when_client_disconnects(wire_for: Any) -> None:
    with run_emulator(tokens_per_second=20) as emu:
        emu.state.queue_reply(text="word " * 200)
        wire = wire_for(emu)
        thread = wire.create_thread()
        with wire.stream("RunThread", wire.run_body(thread, "x")) as response:
            chunks = response.iter_raw()  # keep a reference: a dropped iterator closes the stream
            next(chunks)
            assert emu.state.active_runs(emu.secret_id) == 1
        wire.close()
        deadline = time.monotonic() + 2
        while emu.state.active_runs(emu.secret_id) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert emu.state.active_runs(emu.secret_id) == 0
        # The abandoned run stored nothing and left the thread unlocked.
        assert emu.state.thread_messages(thread) == []
        assert emu.state.threads[thread].active_run is None


def test_second_run_on_same_thread_is_refused(wire_for: Any) -> None:
    with run_emulator(tokens_per_second=10) as emu:
        emu.state.queue_reply(text="word " * 50)
        wire = wire_for(emu)
        body = wire.run_body(wire.create_thread(), "x")
        with wire.stream("RunThread", body):
            error = wire.post("RunThread", body).json()["Response"]["Error"]
            assert error == {"Code": "UnsupportedOperation", "Message": "thread has an active run"}
