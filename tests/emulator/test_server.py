"""Starting and stopping: threads, async, subprocess, the CLI, and HTTP control."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import httpx
import pytest

from hunyuan_api._version import install_hint
from hunyuan_emulator import (
    EMULATOR_API_KEY,
    EMULATOR_SECRET_ID,
    EMULATOR_SECRET_KEY,
    EmulatorSettings,
    Fault,
    arun_emulator,
    run_emulator,
    spawn_emulator,
)
from hunyuan_emulator.cli import build_parser
from hunyuan_emulator.server import cli_arguments, make_settings
from tests.support.common import import_error_without, run_python


def test_handle_fields() -> None:
    with run_emulator() as emu:
        assert emu.base_url == f"http://127.0.0.1:{emu.port}/"
        assert emu.endpoint == f"127.0.0.1:{emu.port}"
        assert (emu.secret_id, emu.secret_key) == (EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY)
        assert emu.state.settings.concurrency_limit == 5
    with pytest.raises(httpx.ConnectError):
        httpx.get(emu.base_url + "_emulator/health", trust_env=False)


def test_overrides_and_unknown_settings() -> None:
    settings = make_settings(secret_id="AKIDx", secret_key="k", latency=0.1)
    assert settings.primary.secret_id == "AKIDx"
    assert settings.latency == 0.1
    with pytest.raises(TypeError, match="nonsense"):
        make_settings(nonsense=1)
    with pytest.raises(ValueError, match="concurrency_limit"):
        EmulatorSettings(concurrency_limit=0)


def test_exit_is_prompt_with_open_streams(wire_for: Any) -> None:
    with run_emulator(tokens_per_second=2) as emu:
        emu.state.queue_reply(text="word " * 100, times=3)
        wire = wire_for(emu)
        errors: list[BaseException] = []
        started = threading.Barrier(4)

        def reader() -> None:
            thread = wire.create_thread()
            body = wire.run_body(thread, "x")
            try:
                with wire.stream("RunThread", body) as r:
                    chunks = r.iter_raw()
                    next(chunks)
                    started.wait(5)
                    for _ in chunks:
                        pass
            except httpx.HTTPError as exc:
                errors.append(exc)

        readers = [threading.Thread(target=reader) for _ in range(3)]
        for t in readers:
            t.start()
        started.wait(5)
        began = time.monotonic()
    assert time.monotonic() - began < 1.0
    for t in readers:
        t.join(5)
    assert len(errors) == 3
    assert all(isinstance(e, httpx.RemoteProtocolError) for e in errors)


async def test_async_context_manager() -> None:
    async with arun_emulator(latency=0.01) as emu:
        async with httpx.AsyncClient(trust_env=False) as client:
            response = await client.get(emu.base_url + "_emulator/health")
            assert response.json() == {"ok": True}
        assert emu.state.settings.latency == 0.01


def test_ten_thousand_deltas_stream_fast(wire: Any) -> None:
    wire.emu.state.queue_reply(text="word " * 10_000)
    thread = wire.create_thread()
    body = wire.run_body(thread, "x")
    began = time.monotonic()
    with wire.stream("RunThread", body) as r:
        received = r.read()
    assert received.count(b"thread.message.delta") == 10_000
    assert time.monotonic() - began < 5


def test_coalesced_chunks_carry_the_same_bytes(wire_for: Any) -> None:
    bodies = []
    for coalesce in (False, True):
        with run_emulator(coalesce_chunks=coalesce) as emu:
            wire = wire_for(emu)
            emu.state.queue_reply(text="word " * 3000)
            body = {
                "Model": "hunyuan-lite",
                "Messages": [{"Role": "user", "Content": "x"}],
                "Stream": True,
            }
            with wire.stream("ChatCompletions", body) as r:
                chunks = list(r.iter_raw())
            frames = wire.frames(b"".join(chunks))
            bodies.append([f["Choices"][0]["Delta"]["Content"] for f in frames])
            if coalesce:
                assert len(chunks) < 100
    assert bodies[0] == bodies[1]


def test_httptools_serves_the_same_stream_bytes(wire_for: Any) -> None:
    """The benchmarks' emulator runs uvicorn's httptools layer: same frames, same framing."""
    pytest.importorskip("httptools")
    replies = []
    for http in ("h11", "httptools"):
        with run_emulator(http=http) as emu:
            wire = wire_for(emu)
            emu.state.queue_reply(text="word " * 50)
            thread = wire.create_thread()
            with wire.stream("RunThread", wire.run_body(thread, "x")) as r:
                assert r.headers["content-type"] == "text/event-stream"
                assert r.headers["transfer-encoding"] == "chunked"
                frames = wire.frames(r.read())
            replies.append([f.get("Object") or f.get("object") for f in frames])
    assert replies[0] == replies[1]
    assert replies[0].count("thread.message.delta") == 50


def test_pacing_and_latency(wire_for: Any) -> None:
    with run_emulator(latency=0.2, tokens_per_second=50) as emu:
        wire = wire_for(emu)
        emu.state.queue_reply(text="w " * 11)
        thread = wire.create_thread()
        body = wire.run_body(thread, "x")
        began = time.monotonic()
        with wire.stream("RunThread", body) as r:
            first_byte = time.monotonic() - began
            r.read()
        total = time.monotonic() - began
    assert first_byte >= 0.2
    assert total >= 0.2 + 10 / 50


def test_http_control_endpoints(wire: Any) -> None:
    control = wire.emu.control
    assert control.health()
    control.queue_reply(text="from control")
    control.add_fault("truncate:1", action="RunThread")
    thread = wire.create_thread()
    body = wire.run_body(thread, "x")
    with wire.stream("RunThread", body) as r:
        frames = wire.frames(r.read())
    assert frames[-1]["Delta"]["Content"] == "from "
    logged = control.requests()
    assert [r["action"] for r in logged] == ["CreateThread", "RunThread"]
    assert logged[1]["outcome"] == "fault:truncate:1"
    assert logged[1]["headers"]["authorization"] == "<redacted>"
    assert control.threads()[0]["ID"] == thread
    assert control.stats()["max_concurrent_seen"] == 1
    control.set_fault_rate(1.0, [Fault.error("InternalError")], seed=3)
    assert wire.error_code("RunThread", body) == "InternalError"
    control.reset()
    assert control.requests() == []
    assert control.stats()["fault_rate"] == 0.0
    with pytest.raises(ValueError, match="unknown"):
        control.add_fault("explode")


def test_expire_threads_deletes_the_unused_ones(wire: Any) -> None:
    control = wire.emu.control
    used = wire.create_thread()
    with wire.stream("RunThread", wire.run_body(used, "x")) as r:
        r.read()
    unused = [wire.create_thread(), wire.create_thread()]
    assert sorted(control.expire_threads()) == sorted(unused)
    assert [t["ID"] for t in control.threads()] == [used]
    assert wire.error_code("RunThread", wire.run_body(unused[0], "y")) == "ResourceNotFound"
    assert control.expire_threads(empty_only=False) == [used]
    assert control.threads() == []


def test_cli_arguments_round_trip() -> None:
    settings = make_settings(
        latency=0.5,
        tokens_per_second=30,
        concurrency_limit=7,
        fault_rate=0.1,
        seed=3,
        coalesce_chunks=True,
        http="httptools",
        api_keys=("sk-a", "sk-b"),
        retry_after=4,
    )
    args = build_parser().parse_args(cli_arguments(settings))
    assert (args.latency, args.tokens_per_second, args.concurrency_limit) == (0.5, 30, 7)
    assert (args.fault_rate, args.seed, args.coalesce_chunks) == (0.1, 3, True)
    assert args.http == "httptools"
    assert (args.api_key, args.retry_after) == (["sk-a", "sk-b"], 4)
    scripted = build_parser().parse_args(
        ["--fault", "ChatCompletions@drop:2", "--fault", "error:X", "--fault", "v1/models@error:Y"]
    )
    assert scripted.fault == [
        ("ChatCompletions", Fault.drop(2)),
        ("RunThread", Fault.error("X")),
        ("v1/models", Fault.error("Y")),
    ]
    with pytest.raises(ValueError, match="clock"):
        cli_arguments(make_settings(clock=lambda: 0.0))


def test_spawned_emulator(wire_for: Any) -> None:
    with spawn_emulator(concurrency_limit=3, api_key="sk-spawned") as spawned:
        assert spawned.process.poll() is None
        wire = wire_for(spawned)
        spawned.control.queue_reply(text="spawned hello")
        thread = wire.create_thread()
        body = wire.run_body(thread, "x")
        with wire.stream("RunThread", body) as r:
            frames = wire.frames(r.read())
        assert frames[-2]["Content"] == "spawned hello"
        assert spawned.control.active_runs() == 0
        assert spawned.api_key == "sk-spawned"
        spawned.control.queue_reply(text="spawned openai hello")
        spawned.control.add_fault("error:LimitExceeded", action="v1/models")
        headers = {"Authorization": "Bearer sk-spawned"}
        models = httpx.get(f"{spawned.openai_base_url}/models", headers=headers, trust_env=False)
        assert (models.status_code, models.headers["retry-after"]) == (429, "1")
        chat = httpx.post(
            f"{spawned.openai_base_url}/chat/completions",
            json={"model": "hunyuan-lite", "messages": [{"role": "user", "content": "x"}]},
            headers=headers,
            trust_env=False,
        )
        assert chat.json()["choices"][0]["message"]["content"] == "spawned openai hello"
        process = spawned.process
    assert process.returncode == 0


def test_cli_prints_url_and_exits_zero_on_sigint() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hunyuan_emulator",
            "--port",
            "0",
            "--secret-id",
            "AKIDcli",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    second = process.stdout.readline()
    assert first.startswith("Hunyuan emulator listening on http://127.0.0.1:")
    assert "SecretId: AKIDcli" in second
    assert EMULATOR_SECRET_KEY in second
    url = first.rsplit(" ", 1)[1].strip()
    assert process.stdout.readline() == f"OpenAI-compatible base URL: {url}v1\n"
    assert process.stdout.readline() == f"API key: {EMULATOR_API_KEY}\n"
    assert httpx.get(url + "_emulator/health", trust_env=False).json() == {"ok": True}
    process.send_signal(signal.SIGINT)
    assert process.wait(10) == 0
    process.stdout.close()


def test_import_error_names_the_extra() -> None:
    # The package itself imports (the command lives in it); its names refuse.
    assert import_error_without("starlette", "import hunyuan_emulator") == ""
    message = import_error_without("starlette", "from hunyuan_emulator import run_emulator")
    assert install_hint("emulator") in message


def test_console_script_without_the_extra_says_what_to_install() -> None:
    """The installed ``hunyuan-emulator`` entry point: one line on stderr, exit status 2."""
    out = run_python(
        "import sys\n"
        "sys.modules['starlette'] = None\n"
        "from importlib.metadata import entry_points\n"
        "(script,) = entry_points(group='console_scripts', name='hunyuan-emulator')\n"
        "sys.exit(script.load()(['--port', '0']))\n"
    )
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.count("\n") == 1
    assert install_hint("emulator") in out.stderr
    assert "Traceback" not in out.stderr
