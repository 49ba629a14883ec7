"""Lookups by the longest listed prefix, cut at a separator: Tencent's error codes
(``FailedOperation.EngineServerError`` → ``FailedOperation``) and model families
(``hunyuan-t1-20250711`` → ``hunyuan-t1``) are both named that way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

__all__ = ["by_longest_prefix"]

_V = TypeVar("_V")


def by_longest_prefix(name: str, table: Mapping[str, _V], separator: str) -> _V | None:
    while name:
        found = table.get(name)
        if found is not None:
            return found
        name = name.rpartition(separator)[0]
    return None
