"""What the model reads and answers: conversation messages, tools, tool calls, replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .vision import Image

__all__ = ["ConvMessage", "Reply", "ToolCallSpec", "ToolSpec"]


@dataclass(frozen=True)
class ToolCallSpec:
    name: str
    arguments: str  # JSON text, as it travels in Function.Arguments
    id: str = ""


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ConvMessage:
    role: str
    content: str
    tool_calls: tuple[ToolCallSpec, ...] = ()
    tool_call_id: str | None = None
    #: The images of a user message to a vision model, as the model reads them.
    images: tuple[Image, ...] = ()


@dataclass(frozen=True)
class Reply:
    text: str = ""
    tool_calls: tuple[ToolCallSpec, ...] = ()
    reasoning: str = ""
