"""A deterministic stand-in for the Hunyuan models: pure functions, no state, no randomness.

- ``tokens``: ``split_pieces``/``count_tokens``, a tokenizer where each CJK character, each
  word and each punctuation mark is one token; streamed pieces are tokens with their trailing
  whitespace.
- ``reply``: ``generate``, the reply to a conversation: a tool call when tools are offered and
  wanted (``tool_choice``), a text that quotes tool results after tool messages, a JSON object
  when the user asks for JSON and gives a JSON Schema (``json_mode``), the matching context
  sentences for a context-then-question prompt (``grounding``), else a text quoting the last
  user message (in Chinese when that message contains CJK characters).
- ``arguments``: ``build_arguments``, a value satisfying a JSON Schema, filled from the user's
  words.
- ``vision``: ``read_image``, what a vision model reads of an image (format, size and digest of
  inline bytes; only the URL of a link, never fetched), which its replies quote.
- ``search``: ``search``, three deterministic results per query, and ``cite``, the citation
  marks (``[^1]``) search enhancement puts after a reply's sentences.
"""

from __future__ import annotations

from .arguments import build_arguments
from .grounding import grounded_answer
from .json_mode import find_json_schema
from .messages import ConvMessage, Reply, ToolCallSpec, ToolSpec
from .reply import generate
from .search import SearchResult, cite, search
from .tokens import count_tokens, has_cjk, split_pieces
from .tool_choice import match_tool, tool_score
from .vision import Image, read_image

__all__ = [
    "ConvMessage",
    "Image",
    "Reply",
    "SearchResult",
    "ToolCallSpec",
    "ToolSpec",
    "build_arguments",
    "cite",
    "count_tokens",
    "find_json_schema",
    "generate",
    "grounded_answer",
    "has_cjk",
    "match_tool",
    "read_image",
    "search",
    "split_pieces",
    "tool_score",
]
