"""Import time of each adapter vs its peers and the framework floors, each in a fresh interpreter.

Every statement runs once untimed first (so bytecode caches exist, as after any install), then
``repeat`` times; the median wall time and the median CPU time (user + system of the child up to
the end of the statement) are reported. CPU time is the steadier number on a shared machine.
"""

from __future__ import annotations

import json
import statistics
from typing import Any

from ._util import run_child

STATEMENTS = {
    "langchain_hunyuan": "import langchain_hunyuan",
    "llama_index_hunyuan": "import llama_index_hunyuan",
    "hunyuan_api (core)": "import hunyuan_api",
    "langchain_openai": "import langchain_openai",
    "llama_index.llms.openai": "import llama_index.llms.openai",
    "langchain_community ChatHunyuan": "from langchain_community.chat_models import ChatHunyuan",
    "tencentcloud SDK hunyuan_client": "from tencentcloud.hunyuan.v20230901 import hunyuan_client",
    "langchain_core chat models (floor)": "import langchain_core.language_models.chat_models",
    "llama_index.core.llms (floor)": "import llama_index.core.llms",
    "python (empty)": "pass",
}

#: The adapter, the framework the other adapter uses (must not be imported).
LEAKS = {
    "langchain_hunyuan": "llama_index",
    "llama_index_hunyuan": "langchain_core",
    "hunyuan_api": "langchain_core",
}


def _time(statement: str, repeat: int, *, warm: bool = True) -> dict[str, Any]:
    if warm:
        run_child(statement)  # warm-up: bytecode caches, page cache
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu, _ = run_child(statement)
        walls.append(wall)
        cpus.append(cpu)
    return {
        "wall": statistics.median(walls),
        "cpu": statistics.median(cpus),
        "walls": walls,
        "cpus": cpus,
    }


def imports_other_framework(module: str, other: str) -> list[str]:
    """Top-level modules of ``other`` present after importing ``module`` (empty: none)."""
    code = (
        f"import json, sys, {module}\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == {other!r})))"
    )
    _, _, out = run_child(code)
    return list(json.loads(out.splitlines()[0]))


def run(repeat: int, only: tuple[str, ...] | None = None) -> dict[str, Any]:
    statements = {k: v for k, v in STATEMENTS.items() if only is None or k in only}
    results: dict[str, Any] = {
        "statements": statements,
        "times": {
            name: _time(stmt, repeat, warm=only is None) for name, stmt in statements.items()
        },
        "repeat": repeat,
    }
    results["leaks"] = {m: imports_other_framework(m, other) for m, other in LEAKS.items()}
    return results
