"""Starting and stopping the emulator: in a background thread, or as a subprocess."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Generator, Iterator, Sequence
from dataclasses import fields, replace
from typing import IO, Any

import anyio.to_thread
import uvicorn

from .app import EmulatorApp
from .control import EmulatorControl
from .settings import EmulatorCredential, EmulatorSettings
from .state import EmulatorState

__all__ = [
    "EmulatorHandle",
    "EmulatorServer",
    "SpawnedEmulator",
    "arun_emulator",
    "make_settings",
    "run_emulator",
    "spawn_emulator",
]

_STOP_TIMEOUT = 5.0
_THREAD_NAME = "hunyuan-emulator"
# Longest wait for cancelled responses to unwind before their sockets are aborted.
_GRACE = 0.5
# uvicorn reports a response left unfinished as an error; for `drop` and for streams cancelled
# at shutdown that is the intended behaviour, not a bug.
_EXPECTED = (
    "ASGI callable returned without completing response",
    "ASGI callable returned without starting response",
)


class _QuietExpected(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not any(text in str(record.msg) for text in _EXPECTED)


class _QuietHangUps(logging.Filter):
    """asyncio warns for every write after a client hung up mid-stream (a stop sequence, a
    ``break`` out of a stream) until the loop notices; the emulator then stops on its own. Only
    the emulator's thread is silenced: the user's own sockets still warn."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.threadName == _THREAD_NAME
            and str(record.msg) == "socket.send() raised exception."
        )


def _install_log_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietExpected) for f in logger.filters):
        logger.addFilter(_QuietExpected())
    asyncio_logger = logging.getLogger("asyncio")
    if not any(isinstance(f, _QuietHangUps) for f in asyncio_logger.filters):
        asyncio_logger.addFilter(_QuietHangUps())


def make_settings(settings: EmulatorSettings | None = None, **overrides: Any) -> EmulatorSettings:
    """``settings`` with ``overrides``; ``secret_id``/``secret_key``/``token`` replace the
    credentials with that one pair, ``api_key`` the API keys with that one key."""
    base = settings or EmulatorSettings()
    api_key = overrides.pop("api_key", None)
    if api_key is not None:
        overrides["api_keys"] = (api_key,)
    secret_id = overrides.pop("secret_id", None)
    secret_key = overrides.pop("secret_key", None)
    token = overrides.pop("token", None)
    if secret_id is not None or secret_key is not None or token is not None:
        primary = base.primary
        overrides["credentials"] = (
            EmulatorCredential(
                secret_id if secret_id is not None else primary.secret_id,
                secret_key if secret_key is not None else primary.secret_key,
                token if token is not None else primary.token,
            ),
        )
    known = {f.name for f in fields(EmulatorSettings)}
    unknown = set(overrides) - known
    if unknown:
        raise TypeError(f"unknown emulator settings: {', '.join(sorted(unknown))}")
    for name in ("credentials", "api_keys", "rate_faults"):
        if name in overrides:
            overrides[name] = tuple(overrides[name])
    return replace(base, **overrides)


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, app: EmulatorApp) -> None:
        super().__init__(config)
        self._emulator = app

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # Whoever runs the server owns the signals (the CLI installs its own handlers).
        yield

    async def main_loop(self) -> None:
        # uvicorn polls should_exit every 0.1 s; 10 ms keeps run_emulator() exits snappy.
        counter = 0
        while not await self.on_tick(counter):
            for _ in range(10):
                if self.should_exit:
                    break
                await asyncio.sleep(0.01)
            counter = (counter + 1) % 864000

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn's own shutdown waits for open responses (and sleeps 0.1 s first); cancelling
        # every response up front lets the connections close within a few loop turns.
        self._emulator.cancel_streams()
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        deadline = time.monotonic() + _GRACE
        # uvicorn offers no event for "all connections closed", so poll briefly.
        while (self.server_state.connections or self.server_state.tasks) and (  # noqa: ASYNC110
            time.monotonic() < deadline
        ):
            await asyncio.sleep(0.005)
        for task in list(self.server_state.tasks):
            task.cancel()
        for connection in list(self.server_state.connections):
            transport = getattr(connection, "transport", None)
            if transport is not None:
                transport.abort()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets whose listening
    # socket says so, and without it every second response waits 40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


class EmulatorServer:
    """One uvicorn server for one ``EmulatorState``, bound before it starts (port 0 works)."""

    def __init__(
        self, settings: EmulatorSettings, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        _install_log_filter()
        self.settings = settings
        self.state = EmulatorState(settings)
        self.app = EmulatorApp(self.state)
        self._socket = _bind(host, port)
        bound = self._socket.getsockname()
        self.host, self.port = host, int(bound[1])
        config = uvicorn.Config(
            self.app,
            log_config=None,
            log_level="warning",
            access_log=False,
            http=settings.http,
            ws="none",
            lifespan="off",
            loop="asyncio",
            timeout_graceful_shutdown=1,
            timeout_keep_alive=30,
        )
        self._server = _Server(config, self.app)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def base_url(self) -> str:
        return _url(self.host, self.port)

    async def serve(self) -> None:
        """Serve on the current event loop until ``request_stop``."""
        await self._server.serve(sockets=[self._socket])

    def request_stop(self) -> None:
        self._server.should_exit = True

    def _run(self) -> None:
        try:
            asyncio.run(self.serve())
        except BaseException as exc:  # surfaced by start()/stop()
            self._error = exc

    def start(self, timeout: float = 10.0) -> None:
        """Serve from a background thread; returns once the server accepts connections."""
        self._thread = threading.Thread(target=self._run, name=_THREAD_NAME, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.request_stop()
                raise RuntimeError(f"the emulator did not start: {self._error!r}")
            time.sleep(0.002)

    def stop(self) -> None:
        self.request_stop()
        if self._thread is not None:
            self._thread.join(_STOP_TIMEOUT)
            self._thread = None
        with contextlib.suppress(OSError):
            self._socket.close()


class _Reachable:
    """Where an emulator listens and what it accepts: what both kinds of handle tell a client."""

    def __init__(self, base_url: str, settings: EmulatorSettings) -> None:
        self.base_url = base_url
        rest = base_url.removeprefix("http://").rstrip("/")
        host, _, port = rest.rpartition(":")
        self.host, self.port = host.strip("[]"), int(port)
        self.settings = settings
        self.secret_id = settings.primary.secret_id
        self.secret_key = settings.primary.secret_key
        self.token = settings.primary.token
        #: The first accepted Bearer key of the OpenAI-compatible endpoint.
        self.api_key = settings.api_key

    @property
    def endpoint(self) -> str:
        """``host:port``, the form Tencent's SDK takes in ``HttpProfile(endpoint=...)``."""
        return f"{self.host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """The OpenAI-compatible base URL, ``http://host:port/v1`` (what OpenAI's SDK takes)."""
        return f"{self.base_url}v1"


class EmulatorHandle(_Reachable):
    """What ``run_emulator``/``arun_emulator`` yield: where the server is and how to steer it."""

    def __init__(self, server: EmulatorServer) -> None:
        super().__init__(server.base_url, server.settings)
        self._server = server
        self.state = server.state
        self._control: EmulatorControl | None = None

    @property
    def control(self) -> EmulatorControl:
        """The HTTP control client (same API as a spawned emulator's ``control``)."""
        if self._control is None:
            self._control = EmulatorControl(self.base_url)
        return self._control

    def close(self) -> None:
        if self._control is not None:
            self._control.close()
        self._server.stop()

    def __repr__(self) -> str:
        return f"EmulatorHandle(base_url={self.base_url!r}, secret_id={self.secret_id!r})"


@contextlib.contextmanager
def run_emulator(
    settings: EmulatorSettings | None = None, **overrides: Any
) -> Iterator[EmulatorHandle]:
    """A real server on 127.0.0.1 (free port) in a background thread, for a ``with`` block."""
    server = EmulatorServer(make_settings(settings, **overrides))
    server.start()
    handle = EmulatorHandle(server)
    try:
        yield handle
    finally:
        handle.close()


@contextlib.asynccontextmanager
async def arun_emulator(
    settings: EmulatorSettings | None = None, **overrides: Any
) -> AsyncIterator[EmulatorHandle]:
    """``run_emulator`` for ``async with``: the server still has its own thread and loop."""
    server = EmulatorServer(make_settings(settings, **overrides))
    await anyio.to_thread.run_sync(server.start)
    handle = EmulatorHandle(server)
    try:
        yield handle
    finally:
        await anyio.to_thread.run_sync(handle.close)


# --------------------------------------------------------------------------- subprocess


def cli_arguments(settings: EmulatorSettings) -> list[str]:
    """The ``hunyuan-emulator`` arguments reproducing ``settings`` (the clock cannot travel)."""
    defaults = EmulatorSettings()
    if settings.clock is not defaults.clock:
        raise ValueError("a custom clock cannot be passed to a spawned emulator")
    args: list[str] = []
    for credential in settings.credentials:
        spec = f"{credential.secret_id}:{credential.secret_key}"
        args += ["--credential", spec + (f":{credential.token}" if credential.token else "")]
    for key in settings.api_keys:
        args += ["--api-key", key]
    args += [
        "--retry-after", str(settings.retry_after),
        "--latency", repr(settings.latency),
        "--tokens-per-second", repr(settings.tokens_per_second),
        "--concurrency-limit", str(settings.concurrency_limit),
        "--fault-rate", repr(settings.fault_rate),
        "--max-threads", str(settings.max_threads),
    ]  # fmt: skip
    for fault in settings.rate_faults:
        args += ["--rate-fault", fault.spec]
    if settings.seed is not None:
        args += ["--seed", str(settings.seed)]
    if settings.coalesce_chunks:
        args.append("--coalesce-chunks")
    args += ["--http", settings.http]
    return args


class SpawnedEmulator(_Reachable):
    """An emulator in a child process; ``control`` steers it over ``/_emulator/``."""

    def __init__(self, process: subprocess.Popen[str], base_url: str, settings: EmulatorSettings):
        super().__init__(base_url, settings)
        self.process = process
        self.control = EmulatorControl(base_url)

    def close(self) -> None:
        self.control.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __repr__(self) -> str:
        return f"SpawnedEmulator(base_url={self.base_url!r}, pid={self.process.pid})"


def _drain(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


@contextlib.contextmanager
def spawn_emulator(
    settings: EmulatorSettings | None = None,
    *,
    extra_args: Sequence[str] = (),
    startup_timeout: float = 30.0,
    **overrides: Any,
) -> Iterator[SpawnedEmulator]:
    """Run ``hunyuan-emulator`` in a subprocess (its own GIL), for benchmarks."""
    resolved = make_settings(settings, **overrides)
    command = [
        sys.executable, "-m", "hunyuan_emulator",
        "--host", "127.0.0.1", "--port", "0", *cli_arguments(resolved), *extra_args,
    ]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, env=env
    )
    assert process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_drain, args=(process.stdout, lines), daemon=True).start()
    base_url = None
    deadline = time.monotonic() + startup_timeout
    try:
        while base_url is None:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError("the spawned emulator did not report its address") from None
            if line is None:
                raise RuntimeError(f"the spawned emulator exited with code {process.wait()}")
            marker = "listening on "
            if marker in line:
                base_url = line.split(marker, 1)[1].strip()
    except BaseException:
        process.kill()
        process.wait()
        raise
    spawned = SpawnedEmulator(process, base_url, resolved)
    try:
        yield spawned
    finally:
        spawned.close()
