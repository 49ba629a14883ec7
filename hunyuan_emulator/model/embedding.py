"""Deterministic text vectors whose cosine similarity follows shared words and characters, so a
retrieval demo over Chinese or English documents ranks first the document that shares the
question's words (a stand-in for hunyuan-embedding: same size, same input limit, no meaning).

A text's features, each hashed (blake2b) to one of the 1,024 dimensions with a sign:

- each word outside ``STOPWORDS``, lower-cased (weight 1), and its character trigrams with word
  boundaries (weight 0.25), so "embedding" and "embeddings" stay close;
- in runs of CJK characters, each pair of neighbours (weight 1) and each character outside the
  commonest function characters (weight 0.5), so "腾讯的总部" shares 腾讯 and 总部 with
  "腾讯总部位于深圳".

Only the first ``max_tokens`` tokens (``split_pieces``) count, as the service reads only the
first 1,024 tokens of a text. A text with no features (only stopwords or punctuation) gets one
from its whole text, so no vector is zero. Vectors are L2-normalised.
"""

from __future__ import annotations

import hashlib
import math
import re

from .tokens import CJK_RE, STOPWORDS, split_pieces

__all__ = ["embed_text", "truncate_tokens"]

_WORD_RE = re.compile(r"[^\W_]+")
# Characters too common to say what a Chinese text is about.
_STOP_CHARS = frozenset("的了是在和有吗呢吧么什哪里谁这那个一我你他她它们之与及其也都就")


def truncate_tokens(text: str, max_tokens: int) -> tuple[str, int]:
    """The text up to its ``max_tokens``-th token, and how many tokens that is."""
    kept: list[str] = []
    count = 0
    for piece in split_pieces(text):
        if not piece.isspace():
            if count == max_tokens:
                break
            count += 1
        kept.append(piece)
    return "".join(kept), count


def _features(text: str) -> dict[str, float]:
    weights: dict[str, float] = {}

    def add(feature: str, weight: float) -> None:
        weights[feature] = weights.get(feature, 0.0) + weight

    for run in re.findall(f"(?:{CJK_RE.pattern})+", text):
        for i, char in enumerate(run):
            if char not in _STOP_CHARS:
                add("c:" + char, 0.5)
            if i + 1 < len(run):
                add("b:" + run[i : i + 2], 1.0)
    for word in _WORD_RE.findall(CJK_RE.sub(" ", text).lower()):
        if word in STOPWORDS:
            continue
        add("w:" + word, 1.0)
        marked = f"<{word}>"
        for i in range(len(marked) - 2):
            add("t:" + marked[i : i + 3], 0.25)
    if not weights:
        add("x:" + " ".join(text.split()), 1.0)
    return weights


def embed_text(text: str, *, dimensions: int, max_tokens: int) -> list[float]:
    """The unit vector of ``text`` (its first ``max_tokens`` tokens)."""
    read, _ = truncate_tokens(text, max_tokens)
    sparse: dict[int, float] = {}
    for feature, weight in _features(read).items():
        digest = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")
        slot = digest % dimensions
        sparse[slot] = sparse.get(slot, 0.0) + (weight if digest >> 63 else -weight)
    norm = math.sqrt(sum(x * x for x in sparse.values())) or 1.0
    vector = [0.0] * dimensions
    for slot, value in sparse.items():
        vector[slot] = round(value / norm, 6)
    return vector
