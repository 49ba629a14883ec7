"""``python -m bench``: every benchmark at full size, side by side in one run; writes
``docs/benchmarks.md``, ``docs/benchmarks.png`` and ``bench/results/benchmarks.json``.

``python -m bench --tiny`` runs every benchmark at tiny sizes and writes into a temporary
directory (or ``--out``), never over the published results.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import (
    agent_loop,
    concurrency,
    embeddings,
    first_token,
    link_ttft,
    notes,
    report,
    sse_decode,
    startup,
    streaming,
)
from ._util import cpu_busy_fraction, machine_info, replay_server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass(frozen=True)
class Sizes:
    stream_sizes: tuple[int, ...]
    stream_repeat: int
    sse_events: int
    sse_repeat: int
    levels: list[int]
    latency: float
    conc_repeat: int
    serial_calls: int
    ks: list[int]
    import_repeat: int
    import_statements: tuple[str, ...] | None
    ttfc_repeat: int
    ttfc_cold_repeat: int
    ttfc_cold_only: tuple[str, ...] | None
    embed_texts: int
    embed_latencies: tuple[float, ...]
    embed_repeat: int
    link_repeat: int
    link_delay: float


FULL = Sizes(
    stream_sizes=(1_000, 10_000),
    stream_repeat=5,
    sse_events=10_000,
    sse_repeat=20,
    levels=[1, 10, 100, 500],
    latency=1.0,
    conc_repeat=3,
    serial_calls=100,
    ks=list(range(1, 21)),
    import_repeat=5,
    import_statements=None,
    ttfc_repeat=30,
    ttfc_cold_repeat=3,
    ttfc_cold_only=None,
    embed_texts=2_000,
    embed_latencies=(0.0, 0.05),
    embed_repeat=3,
    link_repeat=20,
    link_delay=0.040,
)

TINY = Sizes(
    stream_sizes=(20,),
    stream_repeat=1,
    sse_events=200,
    sse_repeat=1,
    levels=[1, 3],
    latency=0.05,
    conc_repeat=1,
    serial_calls=5,
    ks=[1, 2, 3],
    import_repeat=1,
    import_statements=("hunyuan_api (core)", "python (empty)"),
    ttfc_repeat=2,
    ttfc_cold_repeat=1,
    ttfc_cold_only=("ChatHunyuan",),
    embed_texts=130,
    embed_latencies=(0.01,),
    embed_repeat=1,
    link_repeat=2,
    link_delay=0.005,
)


def run_sections(sizes: Sizes, sections: Sequence[str], *, tiny: bool) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": machine_info(), "tiny": tiny, "load": {}}
    started = time.perf_counter()

    def begin(section: str) -> None:
        results["load"][section] = cpu_busy_fraction(0.2 if tiny else 1.0)
        print(f"[bench] {section} (other load {results['load'][section]:.0%})", flush=True)

    needs_replay = {"streaming", "first_token"} & set(sections)
    with replay_server() if needs_replay else contextlib.nullcontext("") as base:
        if "streaming" in sections:
            begin("streaming")
            results["streaming"] = streaming.run(base, sizes.stream_sizes, sizes.stream_repeat)
        if "first_token" in sections:
            begin("first_token")
            results["first_token"] = first_token.run(
                base,
                sizes.ttfc_repeat,
                sizes.ttfc_cold_repeat,
                only_cold=sizes.ttfc_cold_only,
            )
    if "sse_decode" in sections:
        begin("sse_decode")
        results["sse_decode"] = sse_decode.run(sizes.sse_events, sizes.sse_repeat)
    if "agent_loop" in sections:
        begin("agent_loop")
        results["agent_loop"] = agent_loop.run(sizes.ks)
    if "concurrency" in sections:
        begin("concurrency")
        results["concurrency"] = concurrency.run(
            sizes.levels, sizes.latency, sizes.conc_repeat, sizes.serial_calls
        )
    if "startup" in sections:
        begin("startup")
        results["startup"] = startup.run(sizes.import_repeat, only=sizes.import_statements)
    if "embeddings" in sections:
        begin("embeddings")
        results["embeddings"] = embeddings.run(
            sizes.embed_texts, sizes.embed_latencies, sizes.embed_repeat
        )
    if "link" in sections:
        begin("link")
        results["link"] = link_ttft.run(sizes.link_repeat, sizes.link_delay)
    results["seconds"] = time.perf_counter() - started
    return results


def write_outputs(results: dict[str, Any], out_dir: str, json_path: str) -> dict[str, str]:
    os.makedirs(out_dir, exist_ok=True)
    os.makedirs(os.path.dirname(json_path), exist_ok=True)
    md_path = os.path.join(out_dir, "benchmarks.md")
    png_path = os.path.join(out_dir, "benchmarks.png")
    with open(json_path, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1, ensure_ascii=False)
        f.write("\n")
    with open(md_path, "w", encoding="utf-8") as f:
        f.write(report.markdown(results, notes.notes(results)))
    report.plot(results, png_path)
    return {"markdown": md_path, "plot": png_path, "json": json_path}


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="tiny sizes, temporary output")
    parser.add_argument("--out", help="directory for benchmarks.md/.png/.json")
    parser.add_argument(
        "--only", nargs="+", choices=report.SECTIONS, help="run only these sections"
    )
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="measure nothing: rewrite the Markdown and the plot from the saved JSON",
    )
    args = parser.parse_args(argv)
    sections = tuple(args.only or report.SECTIONS)
    if (args.tiny or args.only) and not args.render_only:
        # Tiny or partial runs never replace the published results (one full run, side by side).
        out_dir = args.out or tempfile.mkdtemp(prefix="hunyuan-bench-")
        json_path = os.path.join(out_dir, "benchmarks.json")
    elif args.out:
        out_dir = args.out
        json_path = os.path.join(out_dir, "benchmarks.json")
    else:
        out_dir = os.path.join(ROOT, "docs")
        json_path = os.path.join(ROOT, "bench", "results", "benchmarks.json")
    if args.render_only:
        with open(json_path, encoding="utf-8") as f:
            results = json.load(f)
    else:
        results = run_sections(TINY if args.tiny else FULL, sections, tiny=args.tiny)
    paths = write_outputs(results, out_dir, json_path)
    print(f"[bench] done in {results['seconds']:.0f} s", flush=True)
    for kind, path in paths.items():
        print(f"[bench] {kind}: {path}")
    results["paths"] = paths
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
