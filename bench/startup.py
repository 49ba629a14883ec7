"""Import time of each adapter vs langchain-openai, each in a fresh interpreter."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from typing import Any

STATEMENTS = {
    "langchain_hunyuan": "from langchain_hunyuan import ChatHunyuan",
    "llama_index_hunyuan": "from llama_index_hunyuan import Hunyuan",
    "langchain_openai": "from langchain_openai import ChatOpenAI",
    "llama_index.llms.openai": "from llama_index.llms.openai import OpenAI",
    "langchain_core chat models (floor)": "import langchain_core.language_models.chat_models",
    "llama_index.core.llms (floor)": "import llama_index.core.llms",
    "python (empty)": "pass",
}

LEAKS = {
    "langchain_hunyuan": "llama_index",
    "llama_index_hunyuan": "langchain_core",
}


def _time(statement: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def imports_other_framework(module: str, other: str) -> bool:
    code = (
        f"import sys, {module}; print(any(m.split('.')[0] == '{other.split('.')[0]}' "
        f"for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip() == "True"


def run(repeat: int) -> dict[str, Any]:
    results: dict[str, Any] = {name: _time(stmt, repeat) for name, stmt in STATEMENTS.items()}
    results["leaks"] = {m: imports_other_framework(m, other) for m, other in LEAKS.items()}
    return results
