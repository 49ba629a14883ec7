"""Which offered tool a user message asks for."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .messages import ToolSpec
from .tokens import CJK_RE, CJK_RUN_RE, STOPWORDS

__all__ = ["match_tool", "tool_score"]

_WORD_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def _norm(word: str) -> str:
    word = word.lower()
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


def _content_words(text: str) -> set[str]:
    words = {_norm(w) for w in _WORD_RE.findall(text)}
    words = {w for w in words if len(w) > 1 and w not in STOPWORDS}
    for run in CJK_RUN_RE.findall(text):
        han = [c for c in run if CJK_RE.match(c)]
        words.update(han[i] + han[i + 1] for i in range(len(han) - 1))
    return words


def tool_score(tool: ToolSpec, text: str) -> int:
    """How strongly ``text`` asks for ``tool``: name words count 2, description words 1."""
    words = _content_words(text)
    name_words = _content_words(tool.name.replace("_", " ").replace("-", " "))
    score = 2 * len(words & name_words)
    score += len(words & (_content_words(tool.description) - name_words))
    if re.search(rf"(?<![\w-]){re.escape(tool.name)}(?![\w-])", text, re.I):
        score += 4
    return score


def match_tool(tools: Sequence[ToolSpec], text: str) -> ToolSpec | None:
    """The best-scoring tool when the overlap is meaningful (a name word or two others)."""
    best: ToolSpec | None = None
    best_score = 1
    for tool in tools:
        score = tool_score(tool, text)
        if score > best_score:
            best, best_score = tool, score
    return best
