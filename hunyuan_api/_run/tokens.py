"""A token estimate for where no tokenizer is reachable (the OpenAI-compatible endpoint has no
counting action): Hunyuan's tokenizer spends about one token per CJK character and about one per
four characters of other text; the estimate rounds up so that trimming to it errs on the safe
side."""

from __future__ import annotations

__all__ = ["estimate_tokens"]


def _wide(char: str) -> bool:
    code = ord(char)
    return (
        0x3000 <= code <= 0x9FFF  # CJK punctuation, kana, unified ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x2FFFF  # CJK extensions
    )


def estimate_tokens(text: str) -> int:
    wide = sum(1 for char in text if _wide(char))
    narrow = len(text) - wide
    return wide + -(-narrow // 4)
