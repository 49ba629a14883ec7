"""Tencent's message-order rules, and the ``<tool_calls>`` markup RunThread replays calls in.

The order: ``[system] user assistant user|tool... assistant ... user|tool``. Tool messages take
the place of a user turn and answer, one each, the calls of the assistant message right before
them. ChatCompletions carries the calls as ``ToolCalls`` and matches answers by
``ToolCallId``; RunThread has neither field, so an assistant message replays its calls as a
``<tool_calls>[...]</tool_calls>`` ending (RUNTHREAD.md §4.2).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from .errors import RuleError
from .model import ConvMessage, ToolCallSpec
from .schema import invalid

__all__ = ["ROLES", "check_order", "check_role", "parse_replay_tool_calls"]

ROLES = ("system", "user", "assistant", "tool")
_REPLAY_OPEN, _REPLAY_CLOSE = "<tool_calls>", "</tool_calls>"


def check_role(role: str, path: str) -> None:
    if role not in ROLES:
        raise invalid(path, f"{role!r} must be one of {', '.join(ROLES)}.")


def parse_replay_tool_calls(content: str, path: str = "Content") -> tuple[ToolCallSpec, ...]:
    """Tool calls an assistant message replays as ``<tool_calls>[...]</tool_calls>``.

    The markup is the message's ending (the client appends it after the text); ``<tool_calls>``
    anywhere else is text the conversation happens to contain, as the service would take it.
    """
    end = content.rstrip()
    start = end.rfind(_REPLAY_OPEN)
    if not end.endswith(_REPLAY_CLOSE) or start < 0:
        return ()
    try:
        items = json.loads(end[start + len(_REPLAY_OPEN) : -len(_REPLAY_CLOSE)])
    except ValueError:
        items = None
    if not isinstance(items, list) or not items:
        raise invalid(path, "the <tool_calls> block must hold a non-empty JSON array.")
    calls: list[ToolCallSpec] = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise invalid(path, 'each replayed tool call needs a string "name".')
        arguments = item.get("arguments", {})
        text = arguments if isinstance(arguments, str) else json.dumps(arguments)
        call_id = item.get("id")
        calls.append(ToolCallSpec(item["name"], text, call_id if isinstance(call_id, str) else ""))
    return tuple(calls)


class _Turns:
    """The tool calls the latest assistant message made, and the tool messages answering them."""

    def __init__(self) -> None:
        self.pending: list[ToolCallSpec] = []
        self.answered = 0
        self.answered_ids: set[str | None] = set()

    @property
    def open(self) -> bool:
        return self.answered < len(self.pending)

    def shortfall(self) -> str:
        return f"only {self.answered} of {len(self.pending)} tool call(s) have a tool message."

    def start(self, calls: Sequence[ToolCallSpec]) -> None:
        self.pending, self.answered = list(calls), 0
        self.answered_ids.clear()


def check_order(
    messages: Sequence[ConvMessage], label: Callable[[int], str], *, by_id: bool
) -> None:
    """Refuses ``messages`` out of Tencent's order (``label`` names a message by its index);
    with ``by_id`` tool messages must answer the calls by ToolCallId."""

    def fail(index: int, rule: str) -> RuleError:
        return RuleError("InvalidParameterValue", f"{label(index)}: {rule}", param=label(index))

    if not messages:
        raise RuleError(
            "InvalidParameterValue", "The conversation is empty: a run needs a user message."
        )
    turns = _Turns()
    previous: ConvMessage | None = None
    for index, message in enumerate(messages):
        role = message.role
        if role == "system":
            if index != 0:
                raise fail(index, "a system message may only be the very first message.")
        elif role == "user":
            if turns.open:
                raise fail(
                    index,
                    f"the assistant message before made {len(turns.pending)} tool call(s); "
                    "tool messages with their results must come before a user message.",
                )
            if previous is not None and previous.role in ("user", "tool"):
                raise fail(
                    index,
                    f"user and assistant messages must alternate; a user message cannot follow "
                    f"a {previous.role} message.",
                )
            turns.start(())
        elif role == "tool":
            if previous is None or not (
                (previous.role == "assistant" and previous.tool_calls) or previous.role == "tool"
            ):
                raise fail(
                    index,
                    "a tool message must directly follow an assistant message that made tool "
                    "calls (or another tool message).",
                )
            if not turns.open:
                raise fail(
                    index,
                    f"more tool messages than the {len(turns.pending)} tool call(s) they answer.",
                )
            if by_id:
                if message.tool_call_id not in {call.id for call in turns.pending}:
                    raise fail(
                        index,
                        f"ToolCallId {message.tool_call_id!r} matches no tool call of the "
                        "assistant message before.",
                    )
                if message.tool_call_id in turns.answered_ids:
                    raise fail(index, f"ToolCallId {message.tool_call_id!r} is answered twice.")
                turns.answered_ids.add(message.tool_call_id)
            turns.answered += 1
        elif role == "assistant":
            if previous is None or previous.role == "system":
                raise fail(index, "the conversation must start with a user message.")
            if previous.role == "assistant":
                raise fail(
                    index,
                    "user and assistant messages must alternate; two assistant messages in a row.",
                )
            if turns.open:
                raise fail(index, turns.shortfall())
            turns.start(message.tool_calls)
        else:
            raise fail(index, f"Role {role!r} must be one of {', '.join(ROLES)}.")
        previous = message
    last = messages[-1]
    if last.role not in ("user", "tool"):
        raise fail(len(messages) - 1, "the conversation must end with a user or tool message.")
    if last.role == "tool" and turns.open:
        raise fail(len(messages) - 1, turns.shortfall())
