"""The emulator's tokenizer and word lists: each CJK character, each word and each punctuation
mark is one token; streamed pieces are tokens with their trailing whitespace."""

from __future__ import annotations

import re

__all__ = [
    "CJK_RE",
    "CJK_RUN_RE",
    "STOPWORDS",
    "count_tokens",
    "has_cjk",
    "snippet",
    "split_pieces",
]

# Han, kana, hangul and bopomofo: one token per character.
_CJK = "\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_PIECE_RE = re.compile(rf"[{_CJK}]\s*|[^\W{_CJK}]+\s*|[^\w\s]\s*|\s+")
CJK_RE = re.compile(f"[{_CJK}]")
CJK_RUN_RE = re.compile(rf"[{_CJK}][{_CJK}ー・\w]*")


def split_pieces(text: str) -> list[str]:
    """Token-sized pieces whose concatenation is exactly ``text``."""
    return _PIECE_RE.findall(text)


def count_tokens(text: str) -> int:
    return sum(1 for piece in _PIECE_RE.findall(text) if not piece.isspace())


def has_cjk(text: str) -> bool:
    return CJK_RE.search(text) is not None


def snippet(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# fmt: off
STOPWORDS = frozenset((
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does",
    "did", "done", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "in",
    "on", "at", "to", "for", "of", "from", "by", "with", "about", "as", "into", "onto", "over",
    "under", "and", "or", "not", "no", "yes", "it", "its", "this", "that", "these", "those",
    "i", "me", "my", "mine", "you", "your", "yours", "we", "us", "our", "he", "him", "his",
    "she", "her", "they", "them", "their", "please", "can", "could", "would", "should", "will",
    "shall", "may", "might", "must", "use", "using", "used", "uses", "tool", "tools",
    "function", "functions", "call", "calls", "calling", "value", "values", "get", "gets",
    "give", "tell", "show", "let", "make", "some", "any", "all", "there", "here", "than",
    "then", "so", "if", "but", "just", "also", "very", "much", "many", "more", "most", "such",
    "only", "own", "same", "too", "now", "hello", "hi", "hey", "thanks", "thank", "ok", "okay",
    "one", "two",
))
# fmt: on
