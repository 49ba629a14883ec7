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
        first, matched = self._earliest(buf)
        if matched is not None:
            # A longer stop sequence starting earlier may still complete: the cut must be at the
            # earliest occurrence, whatever the delta boundaries, so hold back from there.
            for start in range(first):
                tail = buf[start:]
                if any(len(stop) > len(tail) and stop.startswith(tail) for stop in self._stops):
                    self._held = tail
                    return buf[:start]
            self._held = ""
            self.matched = matched
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
        """The stream ended: release what was held back, up to a stop sequence it may hold
        (one that was waiting on a longer sequence that never completed)."""
        held, self._held = self._held, ""
        if self.matched is not None:
            return ""
        first, matched = self._earliest(held)
        if matched is not None:
            self.matched = matched
            return held[:first]
        return held

    def _earliest(self, buf: str) -> tuple[int, str | None]:
        first, matched = -1, None
        for stop in self._stops:
            at = buf.find(stop)
            if at != -1 and (first == -1 or at < first):
                first, matched = at, stop
        return first, matched
