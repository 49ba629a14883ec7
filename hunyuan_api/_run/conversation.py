"""Bring any chat history into the order Hunyuan accepts, or refuse it before anything is sent.

Tencent's rule (ChatCompletions ``Messages``, and the threads RunThread appends to): an optional
system message first; then user and assistant alternate, starting with user; one or more ``tool``
results take the user's place directly after an assistant turn with tool calls; Content non-empty;
the conversation ends on the user's side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .._types import Message

__all__ = ["normalize_messages"]

_ROLES = ("system", "user", "assistant", "tool")


def _join(a: str, b: str) -> str:
    if not a:
        return b
    if not b:
        return a
    return f"{a}\n\n{b}"


def _order_tool_results(assistant: Message, results: list[Message]) -> list[Message]:
    """Tool results go back in the order of the calls they answer."""
    position = {call.id: i for i, call in enumerate(assistant.tool_calls)}
    last = len(position)
    return sorted(results, key=lambda m: position.get(m.tool_call_id or "", last))


def normalize_messages(messages: Sequence[Message]) -> list[Message]:
    """Merge what can be merged; raise ValueError (naming the message and the rule) otherwise.

    - leading system messages are joined into one; a later system message becomes user text;
    - consecutive user turns, and consecutive assistant turns, are merged;
    - an assistant turn with neither text (whitespace aside) nor tool calls is dropped;
    - user text right after tool results joins the last result (the user's side of the turn);
    - tool results are ordered like the calls they answer.
    """
    if not messages:
        raise ValueError("messages is empty: send at least one user message")
    system_parts: list[str] = []
    out: list[Message] = []
    start = 0
    for i, msg in enumerate(messages):
        if msg.role not in _ROLES:
            raise ValueError(
                f"messages[{i}].role is {msg.role!r}; Hunyuan accepts {', '.join(_ROLES)}"
            )
        if not isinstance(msg.content, str):
            raise ValueError(f"messages[{i}].content must be text (str)")
    while start < len(messages) and messages[start].role == "system":
        if messages[start].content.strip():
            system_parts.append(messages[start].content)
        start += 1
    if system_parts:
        out.append(Message("system", "\n\n".join(system_parts)))

    for i in range(start, len(messages)):
        msg = messages[i]
        prev = out[-1] if out else None
        role = "user" if msg.role == "system" else msg.role
        if role == "user":
            if prev is not None and prev.role == "tool" and msg.images:
                raise ValueError(
                    f"messages[{i}] has images right after tool results, where Hunyuan expects "
                    "the assistant's turn; send the images in a user message of their own."
                )
            if prev is not None and prev.role in ("user", "tool"):
                out[-1] = replace(
                    prev, content=_join(prev.content, msg.content), images=prev.images + msg.images
                )
            else:
                out.append(Message("user", msg.content, images=msg.images))
        elif role == "assistant":
            if not msg.content.strip() and not msg.tool_calls:
                continue
            if prev is not None and prev.role == "assistant":
                out[-1] = Message(
                    "assistant",
                    _join(prev.content, msg.content),
                    prev.tool_calls + msg.tool_calls,
                )
            else:
                # The token stays with the reply it came on; a merged turn has none.
                out.append(
                    Message("assistant", msg.content, msg.tool_calls, thread_token=msg.thread_token)
                )
        else:  # tool
            if prev is None or not (
                prev.role == "tool" or (prev.role == "assistant" and prev.tool_calls)
            ):
                raise ValueError(
                    f"messages[{i}] is a tool result but does not follow an assistant message "
                    "with tool calls; Hunyuan only accepts tool results that answer a tool call. "
                    "Keep the AI message that made the call in the history."
                )
            out.append(Message("tool", msg.content, tool_call_id=msg.tool_call_id))

    # Tool results answer the assistant turn just before their run of results.
    i = 0
    while i < len(out):
        if out[i].role == "tool":
            j = i
            while j < len(out) and out[j].role == "tool":
                j += 1
            out[i:j] = _order_tool_results(out[i - 1], out[i:j])
            i = j
        else:
            i += 1

    body = out[1:] if out and out[0].role == "system" else out
    if not body:
        raise ValueError("messages has no user message: Hunyuan needs at least one user turn")
    if body[0].role != "user":
        raise ValueError(
            "the first message after the system prompt must be from the user "
            f"(got {body[0].role!r}); Hunyuan requires turns to alternate starting with user. "
            "Add the user message that came first, or drop the leading assistant message."
        )
    if body[-1].role == "assistant":
        raise ValueError(
            "the last message is from the assistant; Hunyuan answers only after a user message "
            "or tool results. Append the next user message."
        )
    for k, msg in enumerate(out):
        if msg.role == "user" and not msg.content.strip():
            raise ValueError(
                f"user message {k} is empty after merging; Hunyuan requires non-empty Content"
                + (" (a text part besides the images)" if msg.images else "")
            )
    _check_tool_results(out)
    return out


def _check_tool_results(out: list[Message]) -> None:
    """Each tool call is answered by exactly one tool result, right after the assistant turn
    that made it (the service refuses the conversation otherwise)."""
    for k, msg in enumerate(out):
        if msg.role != "assistant" or not msg.tool_calls:
            continue
        end = k + 1
        while end < len(out) and out[end].role == "tool":
            end += 1
        answered, calls = end - k - 1, len(msg.tool_calls)
        if answered != calls:
            names = ", ".join(repr(c.name) for c in msg.tool_calls)
            fix = "Add the missing tool results" if answered < calls else "Remove the extra ones"
            raise ValueError(
                f"an assistant message made {calls} tool call(s) ({names}) but {answered} tool "
                "result(s) follow it; Hunyuan needs exactly one tool message per call, right "
                f"after the assistant message. {fix}."
            )
