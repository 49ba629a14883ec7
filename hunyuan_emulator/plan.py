"""Stream plans: every frame of a RunThread or ChatCompletions response, built up front.

A plan is data (preamble, deltas, epilogue) plus two hooks: ``failure`` renders the error
frame a fault or a queued error ends the stream with, ``on_success`` stores the run's
messages once the terminal snapshot went out. ``responses.EventStreamResponse`` walks it;
``actions.run_stream`` and ``actions.chat_answer`` build it from an ``Outcome``: what the
deterministic model or a queued reply answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, cast

from .faults import ErrorForm
from .model import ConvMessage, Reply, ToolCallSpec, count_tokens, split_pieces
from .replies import ErrorWhere, QueuedReply
from .state import new_id

__all__ = [
    "Outcome",
    "StreamPlan",
    "Unit",
    "apply_stop",
    "call_tokens",
    "decide",
    "prompt_tokens",
    "stream_units",
]


@dataclass
class StreamPlan:
    preamble: list[bytes]
    deltas: list[bytes]
    epilogue: list[bytes]
    #: (code, message, form, deltas sent) -> the one error frame that ends a failed stream.
    failure: Callable[[str, str, ErrorForm, int], bytes]
    #: Called once the terminal snapshot has been handed to the server.
    on_success: Callable[[], None] | None = None
    #: A queued mid-stream error replaces the epilogue with this (code, message, form).
    ending_error: tuple[str, str, ErrorForm] | None = None


@dataclass
class Outcome:
    """What the model (or a queued reply) answers, with call ids assigned."""

    text: str = ""
    tool_calls: tuple[ToolCallSpec, ...] = ()
    reasoning: str = ""
    finish_reason: str | None = None
    error: tuple[str, str, ErrorWhere] | None = None
    queued: bool = field(default=False)

    @property
    def fails_before_stream(self) -> bool:
        """A queued error answered as a JSON error instead of the stream."""
        return self.error is not None and self.error[2] == "before"

    def stream_error(self) -> tuple[str, str, ErrorForm] | None:
        """The queued error that ends the stream, in the form it was queued with."""
        if self.error is None or self.error[2] == "before":
            return None
        code, message, where = self.error
        return code, message, cast(ErrorForm, where)


def _with_ids(calls: Sequence[ToolCallSpec]) -> tuple[ToolCallSpec, ...]:
    return tuple(ToolCallSpec(c.name, c.arguments, new_id("call_")) for c in calls)


def decide(reply: Reply | QueuedReply) -> Outcome:
    if isinstance(reply, QueuedReply):
        return Outcome(
            reply.text,
            _with_ids(reply.tool_calls),
            reply.reasoning,
            reply.finish_reason,
            reply.error,
            queued=True,
        )
    return Outcome(reply.text, _with_ids(reply.tool_calls), reply.reasoning)


def call_tokens(calls: Sequence[ToolCallSpec]) -> int:
    """A call costs one token for its name plus its arguments' tokens."""
    return sum(1 + count_tokens(call.arguments) for call in calls)


def prompt_tokens(messages: Sequence[ConvMessage]) -> int:
    return sum(count_tokens(m.content) + call_tokens(m.tool_calls) for m in messages)


#: (kind, call index, piece, token cost); a "start" unit opens a call, its piece is the name.
Unit = tuple[Literal["reasoning", "text", "start", "args"], int, str, int]


def _cost(piece: str) -> int:
    return 0 if not piece or piece.isspace() else 1


def stream_units(text: str, calls: Sequence[ToolCallSpec], reasoning: str = "") -> list[Unit]:
    """What a stream sends, piece by piece, in order: reasoning, text, then each call."""
    units: list[Unit] = [("reasoning", 0, p, _cost(p)) for p in split_pieces(reasoning)]
    units.extend(("text", 0, p, _cost(p)) for p in split_pieces(text))
    for index, call in enumerate(calls):
        units.append(("start", index, call.name, 1))
        units.extend(("args", index, p, _cost(p)) for p in split_pieces(call.arguments))
    return units


def apply_stop(text: str, stops: Sequence[str], *, keep: bool) -> tuple[str, bool]:
    """``text`` ended at the earliest stop string, and whether one matched; ``keep`` keeps the
    string (Tencent's ChatCompletions), else the text ends before it (OpenAI's semantics)."""
    hits = [(at, at + len(s)) for s in stops if s and (at := text.find(s)) >= 0]
    if not hits:
        return text, False
    cut = min(end for _, end in hits) if keep else min(at for at, _ in hits)
    return text[:cut], True
