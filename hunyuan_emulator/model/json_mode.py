"""JSON mode: the JSON Schema a conversation asks the reply to follow."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from .messages import ConvMessage

__all__ = ["find_json_schema", "without_schemas"]

_FENCE_RE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.S)
_SCHEMA_WORDS_RE = re.compile(r"json[\s_-]*schema", re.I)


def _looks_like_schema(value: Any) -> bool:
    return isinstance(value, dict) and (
        "properties" in value
        or value.get("type") in ("object", "array")
        or any(k in value for k in ("$defs", "definitions", "anyOf", "oneOf"))
    )


def find_json_schema(messages: Sequence[ConvMessage]) -> dict[str, Any] | None:
    """The JSON Schema a system/user message asks the reply to follow, if one asks for JSON."""
    text = "\n".join(m.content for m in messages if m.role in ("system", "user"))
    if "json" not in text.lower():
        return None
    for match in _FENCE_RE.finditer(text):
        try:
            value = json.loads(match.group(1))
        except ValueError:
            continue
        if _looks_like_schema(value):
            return dict(value)
    for _, _, value in _objects_after_schema_words(text, skip_found=False):
        if _looks_like_schema(value):
            return dict(value)
    return None


def without_schemas(text: str) -> str:
    """``text`` minus fenced blocks and schema objects, so their numbers fill no fields."""
    text = _FENCE_RE.sub(" ", text)
    kept: list[str] = []
    position = 0
    for start, end, _ in _objects_after_schema_words(text, skip_found=True):
        kept.append(text[position:start])
        position = end
    kept.append(text[position:])
    return " ".join(kept)


def _objects_after_schema_words(text: str, *, skip_found: bool) -> Iterator[tuple[int, int, Any]]:
    """``(start, end, value)`` of the JSON value that follows each "JSON schema" mention.

    With ``skip_found`` a mention inside a value already found looks past that value (removing
    values must not cut into one already removed); without it, it looks from the mention on,
    so a schema nested in an object that is not one is still found.
    """
    decoder = json.JSONDecoder()
    position = 0
    for match in _SCHEMA_WORDS_RE.finditer(text):
        start = text.find("{", max(match.end(), position))
        if start < 0:
            return
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            continue
        if skip_found:
            position = end
        yield start, end, value
