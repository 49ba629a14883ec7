"""Helpers for tests/docs, where the README, the docstrings, the demo and the notebooks run as a
newcomer runs them: where things are, their code blocks, and an environment without
credentials."""

from __future__ import annotations

import contextlib
import io
import os
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.common import CREDENTIAL_ENV

ROOT = Path(__file__).resolve().parents[2]


def offline_env(**extra: str) -> dict[str, str]:
    """This process's environment minus credentials and proxies, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_ENV}
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


@dataclass(frozen=True)
class Block:
    """A fenced code block of a Markdown text (a README, or a docstring, where fences are
    indented)."""

    lang: str
    code: str
    line: int  # 1-based line of the block's first code line, in its file
    marker: str  # the HTML comment on the line before the fence, or ""


def code_blocks(text: str, first_line: int = 1) -> list[Block]:
    """The fenced blocks of ``text``, whose first line is line ``first_line`` of its file."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        fence = re.fullmatch(r"(\s*)```(\w*)\s*", lines[i])
        if fence is None:
            i += 1
            continue
        indent = fence.group(1)
        previous = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        comment = re.fullmatch(r"<!--\s*(.*?)\s*-->", previous.strip())
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith(f"{indent}```"))
        code = textwrap.dedent("\n".join(lines[i + 1 : end])) + "\n"
        blocks.append(
            Block(fence.group(2), code, first_line + i + 1, comment.group(1) if comment else "")
        )
        i = end + 1
    return blocks


def run_block(block: Block, namespace: dict[str, Any], filename: str | Path) -> str:
    """Run ``block`` in ``namespace`` as the code at its lines of ``filename`` (so tracebacks
    point there), and return what it printed."""
    code = compile("\n" * (block.line - 1) + block.code, str(filename), "exec")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, namespace)
    return out.getvalue()
