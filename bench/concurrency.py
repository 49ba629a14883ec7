"""Concurrency: C concurrent streamed calls against the emulator with a server latency L.

The emulator runs in its own process (``spawn_emulator``): every RunThread/ChatCompletions
response starts L seconds after the request, then streams the deterministic reply to "hi" (17
text deltas) as fast as the socket takes it. For each contender and each C, the wall time of the
burst (median of ``repeat`` bursts) is divided by L; the client process's CPU time during the
burst is recorded too.

"Chunk CPU" for the target: the client CPU time the same calls cost one after another (no
concurrency, emulator latency 0, measured separately on a second emulator), times C. It holds
everything a call must do (signing, request, parsing every chunk, building LangChain chunks)
and nothing that concurrency adds (pool bookkeeping, scheduling). Target for 500 calls:
wall ≤ 1.5 × L + chunk CPU.

Contenders: ChatHunyuan.astream with its own HTTP/1.1 transport (``http1``), over httpcore in
the sharded pool it used before (proxied routes still do), with the pool as first shipped
(32-connection shards that each built an SSL context: the "before"), and with one injected
``httpx.AsyncClient`` pool; ChatHunyuan on ChatCompletions; the core client; Tencent's SDK async
client on ChatCompletions (its defaults: one httpx pool of at most 100 connections; and with
that pool raised to 1000); langchain-community's ChatHunyuan, which is sync only, driven by a
thread pool with one thread per concurrent call. The community class builds its own SDK client
with a hard-coded profile, so its endpoint is redirected by changing the defaults of the SDK's
``HttpProfile`` in this process only (``protocol="http"``, ``endpoint=<emulator>``).

Last, a sweep at the largest C: the core client with only its transport changed, from one httpx
pool to sharded pools of 32 down to 1 connection each.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from .notes import FLOOR, FLOOR_RUN_THREAD

PROMPT = "hi"
CHAT_COMPLETIONS_BODY = json.dumps(
    {"Model": "hunyuan-turbo", "Messages": [{"Role": "user", "Content": PROMPT}], "Stream": True}
)
#: The emulator's HTTP layer here: uvicorn's C one, so that at 500 streams the emulator's own
#: per-write cost (h11's is about twice) is not what every contender waits on.
EMULATOR_HTTP = "httptools"

SINGLE_POOL_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=1000)

AsyncCall = Callable[[], Awaitable[int]]


@dataclass(frozen=True)
class Target:
    base_url: str
    endpoint: str
    secret_id: str
    secret_key: str


@dataclass(frozen=True)
class Contender:
    name: str
    api: str
    kind: str  # "async" or "threads"
    make: Callable[[Target], Any]
    ours: bool = False


# -- the pool as first shipped (the "before" row) -------------------------------------------------


def _before_transport() -> httpx.AsyncBaseTransport:
    from hunyuan_api._transport.pool import ShardedAsyncTransport, _Shard

    class FirstShippedTransport(ShardedAsyncTransport):
        """32-connection shards, each building its own SSL context (the CA bundle load)."""

        def _new_shard(self) -> _Shard:
            transport = httpx.AsyncHTTPTransport(
                verify=self._verify,
                trust_env=self._trust_env,
                limits=httpx.Limits(
                    max_connections=self.shard_size, max_keepalive_connections=self.shard_size
                ),
            )
            shard = _Shard(transport)
            self._shards.append(shard)
            return shard

    return FirstShippedTransport(shard_size=32, max_shards=64)


def _httpcore_transport() -> httpx.AsyncBaseTransport:
    """The async client's direct transport before ``http1``: httpcore in sharded pools (what
    proxied routes still use), with the client's defaults."""
    from hunyuan_api._transport.pool import ShardedAsyncTransport
    from hunyuan_api._transport.proxy import ssl_context

    return ShardedAsyncTransport(shard_size=4, verify=ssl_context(None))


# -- async contenders: make() runs inside the event loop and returns (call, close) ---------------


def _chat_hunyuan(api: str = "run_thread", http: str = "default") -> Callable[[Target], Any]:
    def make(t: Target) -> tuple[AsyncCall, Callable[[], Awaitable[None]]]:
        from langchain_hunyuan import ChatHunyuan

        client: httpx.AsyncClient | None = None
        if http == "single":
            client = httpx.AsyncClient(limits=SINGLE_POOL_LIMITS, timeout=120)
        elif http == "before":
            client = httpx.AsyncClient(transport=_before_transport(), timeout=120)
        elif http == "sharded":
            client = httpx.AsyncClient(transport=_httpcore_transport(), timeout=120)
        model = ChatHunyuan(
            model="hunyuan-turbo",
            base_url=t.base_url,
            secret_id=t.secret_id,
            secret_key=t.secret_key,
            api=api,  # type: ignore[arg-type]
            timeout=120,
            http_async_client=client,
        )

        async def call() -> int:
            n = 0
            async for _ in model.astream(PROMPT):
                n += 1
            return n

        async def close() -> None:
            if client is not None:
                await client.aclose()
            else:
                await model._async_client.aclose()

        return call, close

    return make


def _core_client(
    t: Target, http: httpx.AsyncClient | None = None
) -> tuple[AsyncCall, Callable[[], Awaitable[None]]]:
    """The core client streaming the prompt; over ``http`` when given (closing closes that)."""
    from hunyuan_api import AsyncHunyuanClient, Message, RunOptions

    client = AsyncHunyuanClient(
        base_url=t.base_url,
        secret_id=t.secret_id,
        secret_key=t.secret_key,
        timeout=120,
        http_async_client=http,
    )
    messages = [Message("user", PROMPT)]
    options = RunOptions(model="hunyuan-turbo")

    async def call() -> int:
        n = 0
        async for _ in client.stream_chat(messages, options):
            n += 1
        return n

    return call, client.aclose if http is None else http.aclose


def _sdk_async(raised: bool) -> Callable[[Target], Any]:
    def make(t: Target) -> tuple[AsyncCall, Callable[[], Awaitable[None]]]:
        from tencentcloud.common.credential import Credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.hunyuan.v20230901 import models
        from tencentcloud.hunyuan.v20230901.hunyuan_client_async import HunyuanClient

        profile = ClientProfile(
            httpProfile=HttpProfile(protocol="http", endpoint=t.endpoint, reqTimeout=120)
        )
        client = HunyuanClient(Credential(t.secret_id, t.secret_key), "", profile)
        if raised:
            # The SDK builds one httpx.AsyncClient (at most 100 connections, none kept alive
            # with the default profile); an informed user can swap in a bigger one.
            default = client.http_client
            client.http_client = httpx.AsyncClient(timeout=120, limits=SINGLE_POOL_LIMITS)
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().create_task(default.aclose())

        async def call() -> int:
            request = models.ChatCompletionsRequest()
            request.from_json_string(CHAT_COMPLETIONS_BODY)
            events = await client.ChatCompletions(request)
            n = 0
            async for event in events:
                data = event.get("data")
                if data:
                    json.loads(data)  # a caller reads every chunk
                    n += 1
            return n

        return call, client.close

    return make


def _signed(t: Target, action: str, body: bytes) -> bytes:
    """An API 3.0 request as bytes, signed now (valid for the 300 s signature window)."""
    import time as _time

    from hunyuan_api._wire.bodies import API_VERSION
    from hunyuan_api._wire.signing import authorization_header

    timestamp = int(_time.time())
    auth = authorization_header(
        secret_id=t.secret_id, secret_key=t.secret_key, host=t.endpoint, body=body,
        timestamp=timestamp,
    )  # fmt: skip
    return (
        f"POST / HTTP/1.1\r\nHost: {t.endpoint}\r\nContent-Type: application/json\r\n"
        f"X-TC-Action: {action}\r\nX-TC-Version: {API_VERSION}\r\n"
        f"X-TC-Timestamp: {timestamp}\r\nAuthorization: {auth}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def _read_until(reader: asyncio.StreamReader, done: Callable[[bytes], bool]) -> bytes:
    received = bytearray()
    while not done(bytes(received)):
        data = await reader.read(65_536)
        if not data:
            break
        received += data
    return bytes(received)


def _raw_floor(api: str) -> Callable[[Target], Any]:
    """The emulator's own cost: a client that writes signed requests on a socket of its own per
    call and reads each reply to its end, parsing nothing but a new thread's id (RunThread:
    CreateThread, then RunThread on that connection). What a burst takes with it is about what
    the emulator takes (a client keeping its connections from an earlier burst saves the
    emulator the accepts, and can come in a little under it)."""

    def make(t: Target) -> tuple[AsyncCall, Callable[[], Awaitable[None]]]:
        from urllib.parse import urlsplit

        url = urlsplit(t.base_url)
        host, port = url.hostname or "127.0.0.1", url.port or 80
        chat = _signed(t, "ChatCompletions", CHAT_COMPLETIONS_BODY.encode())
        create = _signed(t, "CreateThread", b"{}")

        def run_thread(thread_id: str) -> bytes:
            body = {
                "ThreadID": thread_id,
                "Model": "hunyuan-turbo",
                "Stream": True,
                "AdditionalMessages": [{"Role": "user", "Content": PROMPT}],
            }
            return _signed(t, "RunThread", json.dumps(body).encode())

        async def call() -> int:
            reader, writer = await asyncio.open_connection(host, port)
            try:
                if api == "RunThread":
                    writer.write(create)
                    answer = await _read_until(
                        reader, lambda b: b"\r\n\r\n" in b and b.rstrip().endswith(b"}")
                    )
                    thread = json.loads(answer.split(b"\r\n\r\n", 1)[1])["Response"]["ID"]
                    writer.write(run_thread(thread))
                else:
                    writer.write(chat)
                stream = await _read_until(reader, lambda b: b.endswith(b"0\r\n\r\n"))
            finally:
                writer.close()
            return stream.count(b"data: ")

        async def close() -> None:
            return None

        return call, close

    return make


# -- thread-pool contender ------------------------------------------------------------------------


@contextlib.contextmanager
def sdk_endpoint(endpoint: str) -> Iterator[None]:
    """Point every ``HttpProfile()`` built with default arguments at ``endpoint`` over http."""
    from tencentcloud.common.profile.http_profile import HttpProfile

    init: Any = HttpProfile.__init__
    saved = init.__defaults__
    init.__defaults__ = ("http", endpoint, *saved[2:])
    try:
        yield
    finally:
        init.__defaults__ = saved


def _community(t: Target) -> Callable[[], int]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from langchain_community.chat_models import ChatHunyuan as CommunityChatHunyuan

    model = CommunityChatHunyuan(
        hunyuan_app_id=1,
        hunyuan_secret_id=t.secret_id,
        hunyuan_secret_key=t.secret_key,  # type: ignore[arg-type]
        model="hunyuan-turbo",
        streaming=True,
    )
    return lambda: sum(1 for _ in model.stream(PROMPT))


CONTENDERS = (
    Contender("ChatHunyuan.astream", "RunThread", "async", _chat_hunyuan(), True),
    Contender(
        "ChatHunyuan over httpcore (sharded pool)",
        "RunThread",
        "async",
        _chat_hunyuan(http="sharded"),
        True,
    ),
    Contender(
        "ChatHunyuan.astream, before: pool as first shipped",
        "RunThread",
        "async",
        _chat_hunyuan(http="before"),
        True,
    ),
    Contender(
        "ChatHunyuan.astream, one httpx pool",
        "RunThread",
        "async",
        _chat_hunyuan(http="single"),
        True,
    ),
    Contender(
        "ChatHunyuan(api=chat_completions).astream",
        "ChatCompletions",
        "async",
        _chat_hunyuan(api="chat_completions"),
        True,
    ),
    Contender("hunyuan_api AsyncHunyuanClient", "RunThread", "async", _core_client, True),
    Contender(
        "Tencent SDK async (defaults: new connection per request)",
        "ChatCompletions",
        "async",
        _sdk_async(False),
    ),
    Contender(
        "Tencent SDK async, pool raised to 1000",
        "ChatCompletions",
        "async",
        _sdk_async(True),
    ),
    Contender(
        "langchain-community ChatHunyuan (thread per call)",
        "ChatCompletions",
        "threads",
        _community,
    ),
    Contender(FLOOR, "ChatCompletions", "async", _raw_floor("ChatCompletions")),
    Contender(FLOOR_RUN_THREAD, "RunThread", "async", _raw_floor("RunThread")),
)


# -- running ---------------------------------------------------------------------------------------


def _async_bursts(
    contender: Contender, target: Target, levels: list[int], repeat: int
) -> dict[str, Any]:
    async def main() -> dict[str, Any]:
        call, close = contender.make(target)
        out: dict[str, Any] = {}
        try:
            for _ in range(2):
                await call()  # warm: imports, first connection, first-use schema builds
            for c in levels:
                walls, cpus = [], []
                chunks = 0
                for _ in range(repeat):
                    cpu0 = time.process_time()
                    start = time.perf_counter()
                    counts = await asyncio.gather(*(call() for _ in range(c)))
                    walls.append(time.perf_counter() - start)
                    cpus.append(time.process_time() - cpu0)
                    chunks = min(counts)
                out[str(c)] = {"walls": walls, "cpus": cpus, "chunks_per_call": chunks}
        finally:
            await close()
        return out

    return asyncio.run(main())


def _thread_bursts(
    contender: Contender, target: Target, levels: list[int], repeat: int
) -> dict[str, Any]:
    with sdk_endpoint(target.endpoint):
        call = contender.make(target)
        for _ in range(2):
            call()
        out: dict[str, Any] = {}
        for c in levels:
            walls, cpus = [], []
            chunks = 0
            for _ in range(repeat):
                with ThreadPoolExecutor(max_workers=c) as pool:
                    cpu0 = time.process_time()
                    start = time.perf_counter()
                    counts = list(pool.map(lambda _: call(), range(c)))
                    walls.append(time.perf_counter() - start)
                    cpus.append(time.process_time() - cpu0)
                chunks = min(counts)
            out[str(c)] = {"walls": walls, "cpus": cpus, "chunks_per_call": chunks}
    return out


def _serial_cpu(contender: Contender, target: Target, calls: int) -> float:
    """Client CPU seconds per call, calls made one after another (emulator latency 0): the
    median over five batches, so a stray garbage collection or scheduler hiccup in one batch
    does not move it."""
    batches, size = 5, max(1, calls // 5)

    def per_call(cpu_seconds: list[float]) -> float:
        return statistics.median(cpu_seconds) / size

    if contender.kind == "threads":
        with sdk_endpoint(target.endpoint):
            call = contender.make(target)
            for _ in range(3):
                call()
            cpus = []
            for _ in range(batches):
                cpu0 = time.process_time()
                for _ in range(size):
                    call()
                cpus.append(time.process_time() - cpu0)
            return per_call(cpus)

    async def main() -> float:
        acall, close = contender.make(target)
        try:
            for _ in range(3):
                await acall()
            cpus = []
            for _ in range(batches):
                cpu0 = time.process_time()
                for _ in range(size):
                    await acall()
                cpus.append(time.process_time() - cpu0)
            return per_call(cpus)
        finally:
            await close()

    return asyncio.run(main())


def _sweep_contender(shard_size: int | None) -> Contender:
    """The core client over a sharded pool of ``shard_size`` connections per pool, or (None)
    over one httpx pool."""

    def make(t: Target) -> tuple[AsyncCall, Callable[[], Awaitable[None]]]:
        from hunyuan_api._transport.pool import ShardedAsyncTransport

        if shard_size is None:
            http = httpx.AsyncClient(limits=SINGLE_POOL_LIMITS, timeout=120)
        else:
            transport = ShardedAsyncTransport(shard_size=shard_size, max_shards=10_000)
            http = httpx.AsyncClient(transport=transport, timeout=120)
        return _core_client(t, http)

    name = "one httpx pool" if shard_size is None else f"{shard_size} per pool"
    return Contender(name, "RunThread", "async", make, True)


SWEEP = (1, 2, 4, 8, 16, 32, None)


def _target(emu: Any) -> Target:
    return Target(emu.base_url, emu.endpoint, emu.secret_id, emu.secret_key)


def run(
    levels: list[int],
    latency: float,
    repeat: int,
    serial_calls: int,
    contenders: tuple[Contender, ...] = CONTENDERS,
    sweep_sizes: tuple[int | None, ...] = SWEEP,
) -> dict[str, Any]:
    from hunyuan_emulator import spawn_emulator

    limit = max(levels) * 2 + 100
    top = max(levels)
    results: dict[str, Any] = {
        "levels": levels,
        "latency": latency,
        "repeat": repeat,
        "serial_calls": serial_calls,
        "contenders": {},
    }
    with (
        spawn_emulator(latency=0.0, concurrency_limit=limit, http=EMULATOR_HTTP) as fast,
        spawn_emulator(
            latency=latency, concurrency_limit=limit, max_threads=100_000, http=EMULATOR_HTTP
        ) as slow,
    ):
        for contender in contenders:
            entry: dict[str, Any] = {"api": contender.api, "ours": contender.ours}
            try:
                entry["serial_cpu_per_call"] = _serial_cpu(contender, _target(fast), serial_calls)
                runner = _async_bursts if contender.kind == "async" else _thread_bursts
                bursts = runner(contender, _target(slow), levels, repeat)
            except Exception as exc:  # a peer that breaks is reported, not fatal
                entry["error"] = f"{type(exc).__name__}: {exc}"[:500]
                results["contenders"][contender.name] = entry
                continue
            finally:
                slow.control.reset()
                fast.control.reset()
            for c, burst in bursts.items():
                wall = statistics.median(burst["walls"])
                chunk_cpu = entry["serial_cpu_per_call"] * int(c)
                burst.update(
                    wall=wall,
                    wall_over_l=wall / latency,
                    cpu=statistics.median(burst["cpus"]),
                    chunk_cpu=chunk_cpu,
                    budget=1.5 * latency + chunk_cpu,
                    within_budget=wall <= 1.5 * latency + chunk_cpu,
                )
            entry["levels"] = bursts
            results["contenders"][contender.name] = entry
        # Connections per pool at the largest C: the core client, so only the pool differs.
        sweep: dict[str, Any] = {}
        for size in sweep_sizes:
            contender = _sweep_contender(size)
            burst = _async_bursts(contender, _target(slow), [top], repeat)[str(top)]
            slow.control.reset()
            sweep[contender.name] = {
                "shard_size": size,
                "wall": statistics.median(burst["walls"]),
                "wall_over_l": statistics.median(burst["walls"]) / latency,
                "cpu": statistics.median(burst["cpus"]),
                "walls": burst["walls"],
                "cpus": burst["cpus"],
            }
        results["pool_sweep"] = {"level": top, "runs": sweep}
    return results
