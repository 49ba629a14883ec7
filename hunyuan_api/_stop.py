"""Client-side stop sequences: RunThread has no Stop field, so the output is cut here."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["StopCutter"]


class StopCutter:
    """Feed text deltas; get back the text safe to emit and, once found, the stop sequence.

    Text that could be the start of a stop sequence is held back until the next delta decides,
    so a sequence split across deltas is still caught and nothing past it is ever emitted.
    """

    __slots__ = ("_held", "_stops", "matched")

    def __init__(self, stops: Sequence[str]) -> None:
        self._stops = tuple(s for s in stops if s)
        self._held = ""
        self.matched: str | None = None

    def feed(self, text: str) -> str:
        if self.matched is not None:
            return ""
        buf = self._held + text
        first = -1
        for stop in self._stops:
            at = buf.find(stop)
            if at != -1 and (first == -1 or at < first):
                first, self.matched = at, stop
        if first != -1:
            self._held = ""
            return buf[:first]
        keep = 0
        for stop in self._stops:
            for size in range(min(len(stop) - 1, len(buf)), keep, -1):
                if buf.endswith(stop[:size]):
                    keep = size
                    break
        self._held = buf[len(buf) - keep :] if keep else ""
        return buf[: len(buf) - keep] if keep else buf

    def flush(self) -> str:
        """The stream ended without a match: release what was held back."""
        held, self._held = self._held, ""
        return held
