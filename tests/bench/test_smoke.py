"""``python -m bench --tiny`` end to end, once, so the benchmarks keep working.

Benchmarks are not timed tests: this asserts the structure and sanity of what every section
measured (counts, shapes, files written), never a timing or a target.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.timeout(180)

# The peers and the plot come with the `bench` group (`make test` installs it).
for _module in ("langchain_openai", "llama_index.llms.openai", "langchain_community", "matplotlib"):
    pytest.importorskip(
        _module, reason="needs the bench group: pip install -e '.[all]' --group dev --group bench"
    )


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from bench.__main__ import main

    out = tmp_path_factory.mktemp("bench")
    # The suite's rule (tests/conftest.py: no thread reserve unless a test asks for one), which
    # a module fixture runs before; the link section sets the reserve per contender itself.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HUNYUAN_THREAD_RESERVE", "0")
        results = main(["--tiny", "--out", str(out)])
    results["out"] = out
    return results


def test_outputs_are_written(tiny: dict[str, Any]) -> None:
    out: Path = tiny["out"]
    md = (out / "benchmarks.md").read_text(encoding="utf-8")
    for heading in (
        "## Targets",
        "## 1. Streaming overhead",
        "## 2. SSE decoding alone",
        "## 3. Concurrency",
        "## 4. Agent loops",
        "## 5. Import and first token",
        "## 6. Embeddings",
        "## 7. Time to first token over a simulated link",
        "## How each peer was set up",
    ):
        assert heading in md
    assert "Tiny run" in md
    png = (out / "benchmarks.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    assert len(png) > 10_000
    saved = json.loads((out / "benchmarks.json").read_text(encoding="utf-8"))
    assert set(saved) >= {
        "machine",
        "streaming",
        "sse_decode",
        "concurrency",
        "agent_loop",
        "embeddings",
        "link",
    }
    assert saved["tiny"] is True


def test_published_results_are_untouched(tiny: dict[str, Any]) -> None:
    root = Path(__file__).resolve().parents[2]
    assert all(not p.startswith(str(root / "docs")) for p in tiny["paths"].values())


def test_streaming_counts(tiny: dict[str, Any]) -> None:
    from bench.streaming import CONTENDERS

    for n, row in tiny["streaming"]["times"].items():
        assert set(row) == set(CONTENDERS)
        for name, measured in row.items():
            assert measured["chunks"] >= int(n), name
            assert measured["wall"] > 0


def test_sse_decoders(tiny: dict[str, Any]) -> None:
    sse = tiny["sse_decode"]
    assert set(sse["times"]) == {"hunyuan_api.SSEDecoder", "httpx-sse", "tencentcloud SDK"}
    assert sse["bytes"] > sse["events"]


def test_concurrency_every_contender_streams(tiny: dict[str, Any]) -> None:
    from bench.concurrency import CONTENDERS

    conc = tiny["concurrency"]
    assert set(conc["contenders"]) == {c.name for c in CONTENDERS}
    for name, entry in conc["contenders"].items():
        assert "error" not in entry, (name, entry.get("error"))
        assert entry["serial_cpu_per_call"] > 0
        for c in conc["levels"]:
            level = entry["levels"][str(c)]
            assert level["chunks_per_call"] >= 10, name  # the emulator's reply to "hi"
            assert level["wall_over_l"] >= 1.0, name  # nobody beats the server's latency
            assert level["budget"] > 1.5 * conc["latency"]
    assert len(conc["pool_sweep"]["runs"]) == 7


def test_agent_loop_growth(tiny: dict[str, Any]) -> None:
    from bench.report import growth_ok

    agent = tiny["agent_loop"]
    for row in agent["rows"]:
        k, cont, rep = row["k"], row["continuation"], row["replay"]
        assert cont["model_calls"] == rep["model_calls"] == k + 1
        assert (cont["create_thread"], cont["run_thread"]) == (1, k + 1)
        assert (rep["create_thread"], rep["run_thread"]) == (k + 1, k + 1)
        assert cont["bytes"] < rep["bytes"]
        # As new processes: one thread, every later call checked before and after its run.
        cross = row["cross_process"]
        assert (cross["checks"], cross["create_thread"], cross["run_thread"]) == (2 * k, 1, k + 1)
        assert cont["bytes"] < cross["bytes"] < rep["bytes"]
    assert growth_ok(agent)


def test_imports_and_first_token(tiny: dict[str, Any]) -> None:
    startup = tiny["startup"]
    assert startup["leaks"] == {
        "langchain_hunyuan": [],
        "llama_index_hunyuan": [],
        "hunyuan_api": [],
    }
    assert all(t["cpu"] >= 0 and t["wall"] > 0 for t in startup["times"].values())
    first = tiny["first_token"]
    assert set(first["warm"]) >= {"ChatHunyuan", "ChatOpenAI"}
    assert first["cold"]["ChatHunyuan"]["total"] > 0


def test_embeddings_against_the_community_class(tiny: dict[str, Any]) -> None:
    from bench.embeddings import CONTENDERS, OURS, PEER

    data = tiny["embeddings"]
    assert data["runs"]
    for run in data["runs"].values():
        assert set(run["contenders"]) == {c.name for c in CONTENDERS}
        for name, entry in run["contenders"].items():
            assert "error" not in entry, (name, entry.get("error"))
            assert (entry["vectors"], entry["dimensions"]) == (data["texts"], 1024), name
            assert entry["wall"] > 0
        assert run["same_vectors"]
        ours, peer = run["contenders"][OURS], run["contenders"][PEER]
        # Batches of 50 against one text per request, one request at a time.
        assert ours["requests_for_warmup"] == -(-data["warmup_texts"] // 50)
        assert peer["requests_for_warmup"] == data["warmup_texts"]
        assert peer["max_concurrent"] == 1
        assert 1 <= ours["max_concurrent"] <= 4


def test_cli_module_runs() -> None:
    # The entry point `make bench` uses; --help only (the tiny run above covered the rest).
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--help"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
        check=True,
    )
    assert "--tiny" in done.stdout


def test_link(tiny: dict[str, Any]) -> None:
    from bench.link_ttft import CONTENDERS

    link = tiny["link"]
    assert set(link["times"]) == set(CONTENDERS)
    for name, measured in link["times"].items():
        assert len(measured["all"]) == link["repeat"], name
        # The proxy delays each direction: no first token comes sooner than one round trip.
        assert measured["min"] >= 2 * link["delay"], name
    assert link["connections"] >= 1
