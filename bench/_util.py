"""Process, port and timing helpers shared by the benchmarks."""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


@contextlib.contextmanager
def replay_server() -> Iterator[str]:
    """The replay server in its own process; yields its base URL."""
    port = free_port()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.replay_server", str(port)],
        cwd=root,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def timings(fn: Callable[[], Any], *, repeat: int, warmup: int = 1) -> list[float]:
    """Wall times of ``fn`` over ``repeat`` runs, after ``warmup`` untimed runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def measure(fn: Callable[[], Any], *, repeat: int, warmup: int = 1) -> float:
    """Median wall time of ``fn`` over ``repeat`` runs, after ``warmup`` untimed runs."""
    return statistics.median(timings(fn, repeat=repeat, warmup=warmup))


def _own_tree_ticks() -> int:
    """CPU ticks (user + system) of this process and all its descendants, from ``/proc``."""
    stats: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open(f"/proc/{entry}/stat") as f:
                raw = f.read()
            fields = raw[raw.rindex(")") + 2 :].split()
            stats[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    mine = {os.getpid()}
    grew = True
    while grew:
        grew = False
        for pid, (ppid, _) in stats.items():
            if ppid in mine and pid not in mine:
                mine.add(pid)
                grew = True
    return sum(stats[pid][1] for pid in mine if pid in stats)


def cpu_busy_fraction(seconds: float = 1.0) -> float:
    """Share of the machine's CPU time used by *other* work over ``seconds`` (Linux ``/proc``).

    Sampled before each section: other tenants of a shared machine slow wall-clock results down
    without showing in this process's CPU time, so the report states the load it ran under.
    This process and its children are left out. Returns -1 where ``/proc/stat`` does not exist.
    """

    def sample() -> tuple[int, int, int]:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields[:8]), idle, _own_tree_ticks()

    try:
        total0, idle0, own0 = sample()
        time.sleep(seconds)
        total1, idle1, own1 = sample()
    except OSError:
        return -1.0
    total = total1 - total0
    if total <= 0:
        return -1.0
    busy = total - (idle1 - idle0) - (own1 - own0)
    return round(max(0.0, busy / total), 3)


def child_env() -> dict[str, str]:
    """The environment for child interpreters: bytecode caching on, as in a normal install
    (``PYTHONDONTWRITEBYTECODE`` would make every fresh interpreter recompile the project's
    sources, which no installed wheel does)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def run_child(code: str, *, timeout: float = 120.0) -> tuple[float, float, str]:
    """Run ``code`` in a fresh interpreter: (wall seconds, its CPU seconds until ``code`` ended,
    stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-W", "ignore", "-c", code + CPU_EPILOGUE],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(),
        text=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}): {err.strip()[-2000:]}")
    # CPU of the child alone: getrusage(RUSAGE_CHILDREN) would include earlier children.
    cpu = _child_cpu(out)
    return wall, cpu, out


def _child_cpu(out: str) -> float:
    for line in reversed(out.splitlines()):
        if line.startswith("__cpu__="):
            return float(line.split("=", 1)[1])
    return float("nan")


CPU_EPILOGUE = "\nimport os as _o\n_t = _o.times()\nprint(f'__cpu__={_t.user + _t.system}')\n"


def machine_info() -> dict[str, Any]:
    import datetime
    import platform
    from importlib import metadata

    packages = {}
    for name in (
        "hunyuan-langchain-llamaindex",
        "httpx",
        "httpcore",
        "h11",
        "pydantic",
        "langchain-core",
        "langchain-openai",
        "openai",
        "langchain-community",
        "llama-index-core",
        "llama-index-llms-openai",
        "httpx-sse",
        "tencentcloud-sdk-python-common",
        "tencentcloud-sdk-python-hunyuan",
        "uvicorn",
        "starlette",
    ):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    cpu_model = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model or platform.processor(),
        "packages": packages,
    }


def measure_both(fn: Callable[[], Any], *, repeat: int, warmup: int = 1) -> dict[str, Any]:
    """Median wall and median process-CPU time of ``fn`` over ``repeat`` runs (after warm-up)."""
    for _ in range(warmup):
        fn()
    walls, cpus = [], []
    for _ in range(repeat):
        cpu0 = time.process_time()
        start = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu0)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "walls": walls}
