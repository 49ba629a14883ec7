"""What a framework adapter built on ``hunyuan_api`` needs beyond the public API: the per-call
override set, tool-choice mapping, one parser for OpenAI-style tool calls, one set of result
metadata keys, and a client cache that copies and pickles safely.

``langchain_hunyuan`` and ``llama_index_hunyuan`` use exactly this module; a third adapter should
too, so that all of them agree on what a setting, a tool call and a result's metadata mean.
"""

from __future__ import annotations

import json
import operator
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ._catalog import EMBEDDING_MAX_BATCH
from ._connection import API_KEY_HELP, CREDENTIALS_HELP
from ._run.continuation import parse_token
from ._run.conversation import normalize_messages
from ._run.embeddings import Progress
from ._settings import CALL_OVERRIDES, CONNECTION_FIELDS, ConnectionSettings, merge_stop
from ._types import (
    ReasoningDelta,
    RunFinished,
    RunResult,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallDelta,
)
from ._wire.validation import check_tools_supported, resolve_tool_choice, validate_options

if TYPE_CHECKING:
    from ._types import ThreadToken

__all__ = [
    "API_KEY_HELP",
    "CALL_OVERRIDES",
    "CREDENTIALS_HELP",
    "EMBEDDING_MAX_BATCH",
    "METADATA_KEYS",
    "PROVIDER",
    "THREAD_TOKEN_KEY",
    "ClientCache",
    "Progress",
    "check_tools_supported",
    "merge_stop",
    "normalize_messages",
    "openai_tool_calls",
    "resolve_tool_choice",
    "result_events",
    "run_metadata",
    "thread_token",
    "tool_arguments_text",
    "validate_options",
]

#: The provider name frameworks record (LangChain ``model_provider``, ``ls_provider``).
PROVIDER = "hunyuan"

#: The metadata key of a reply's thread token (``ThreadToken.as_metadata()``, a small dict of
#: strings): on the reply message itself (LangChain ``AIMessage.response_metadata``, LlamaIndex
#: ``ChatMessage.additional_kwargs``), where chat histories, memories and checkpointers keep it,
#: so a later call in any process can continue the thread (docs/threads.md).
THREAD_TOKEN_KEY = "hunyuan_thread"

#: The keys of ``run_metadata``: LangChain ``response_metadata`` and LlamaIndex
#: ``additional_kwargs`` carry these, with these meanings, on both sides.
METADATA_KEYS = (
    "model_name",
    "finish_reason",
    "thread_id",
    "run_id",
    "message_id",
    "request_id",
    "continued_thread",
    "messages_sent",
    "token_usage",
    "search_info",
    THREAD_TOKEN_KEY,
)


def run_metadata(result: RunResult, model: str) -> dict[str, Any]:
    """A finished run as metadata. ``model`` is the model the call asked for. Keys without a
    value are left out; ``continued_thread``/``messages_sent`` appear for RunThread runs, and
    ``THREAD_TOKEN_KEY`` when the reply can be continued from."""
    metadata: dict[str, Any] = {
        "model_name": model,
        "finish_reason": result.finish_reason,
        "thread_id": result.thread_id,
        "run_id": result.run_id,
        "message_id": result.message_id,
        "request_id": result.request_id,
    }
    out = {k: v for k, v in metadata.items() if v is not None}
    if result.thread_id is not None:
        # How the run used its thread: whether it extended one, and how much went on the wire.
        out["continued_thread"] = result.continued_thread
        out["messages_sent"] = result.messages_sent
    if result.search_info is not None:
        out["search_info"] = dict(result.search_info)
    if result.usage is not None:
        out["token_usage"] = {
            "prompt_tokens": result.usage.prompt_tokens,
            "completion_tokens": result.usage.completion_tokens,
            "total_tokens": result.usage.total_tokens,
        }
    if result.thread_token is not None:
        out[THREAD_TOKEN_KEY] = result.thread_token.as_metadata()
    return out


def thread_token(metadata: Mapping[str, Any] | None) -> ThreadToken | None:
    """The thread token in a message's metadata (as ``run_metadata`` put it there and a store
    gave it back), for the core ``Message.thread_token``; None when absent or malformed."""
    return parse_token(metadata.get(THREAD_TOKEN_KEY)) if metadata else None


def result_events(result: RunResult) -> list[StreamEvent]:
    """The events a stream of ``result`` would have given: a whole (non-stream) answer becomes
    the same chunks, and so the same message, as a stream of it."""
    events: list[StreamEvent] = []
    if result.reasoning:
        events.append(ReasoningDelta(result.reasoning))
    if result.text:
        events.append(TextDelta(result.text))
    events.extend(
        ToolCallDelta(index, call.id, call.name, call.arguments)
        for index, call in enumerate(result.tool_calls)
    )
    events.append(RunFinished(result))
    return events


def tool_arguments_text(arguments: object) -> str:
    """Tool arguments as the JSON text the core sends: strings pass through unchanged (so a
    reply's calls round-trip exactly), anything else is JSON-encoded."""
    if arguments is None:
        return "{}"
    if isinstance(arguments, str):
        return arguments
    return json.dumps(arguments, ensure_ascii=False)


def openai_tool_calls(raw: object, *, where: str = "tool_calls") -> tuple[ToolCall, ...]:
    """OpenAI-style tool calls (``[{"id", "type", "function": {"name", "arguments"}}]``, as dicts
    or as OpenAI SDK objects), written by this or another integration, as core ``ToolCall``s.
    Raises ValueError naming the entry that is not in that shape."""
    if raw is None:
        return ()
    if not isinstance(raw, Sequence) or isinstance(raw, (str, bytes)):
        raise ValueError(f"{where} must be a list of OpenAI-style tool calls; got {raw!r:.100}")
    calls = []
    for i, entry in enumerate(raw):
        if isinstance(entry, Mapping):
            function = entry.get("function")
            call_id = entry.get("id")
            name = function.get("name") if isinstance(function, Mapping) else None
            arguments = function.get("arguments") if isinstance(function, Mapping) else None
        else:
            function = getattr(entry, "function", None)
            call_id = getattr(entry, "id", None)
            name = getattr(function, "name", None)
            arguments = getattr(function, "arguments", None)
        if not isinstance(name, str) or not name:
            raise ValueError(
                f"{where}[{i}] is not an OpenAI-style tool call "
                "({'id', 'type': 'function', 'function': {'name', 'arguments'}})"
            )
        calls.append(
            ToolCall(
                id=call_id if isinstance(call_id, str) else "",
                name=name,
                arguments=tool_arguments_text(arguments),
            )
        )
    return tuple(calls)


_C = TypeVar("_C")

#: The values ``ConnectionSettings.client_key`` digests, as a tuple.
_connection_values: Callable[[ConnectionSettings], tuple[object, ...]] = operator.attrgetter(
    *CONNECTION_FIELDS
)


class ClientCache:
    """Clients built from an adapter's settings, reused by every call while those settings stay
    the same (a setting changed after the first call gets a new client).

    A model's copies and pickles never carry its clients (sockets, locks and pools cannot travel):
    a deep copy or an unpickled model starts with an empty cache and builds its own on first use;
    a shallow copy shares the original's.
    """

    def __init__(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], object] = {}
        # The connection settings' values (the objects themselves) at the last digest, and that
        # digest: a call whose settings hold the very same objects has the same digest, found
        # without hashing (~15 µs a call). Every connection setting is immutable or enters the
        # digest by identity, so the same objects always give the same digest.
        self._last: tuple[tuple[object, ...], str] | None = None

    def _digest(self, settings: ConnectionSettings) -> str:
        values = _connection_values(settings)
        last = self._last
        if last is not None and all(map(operator.is_, last[0], values)):
            return last[1]
        digest = settings.client_key()
        self._last = (values, digest)
        return digest

    def get(self, kind: str, settings: ConnectionSettings, factory: Callable[[], _C]) -> _C:
        if self._pid != os.getpid():
            # Forked: a lock held by a parent thread at the fork would never be released here.
            self.__init__()  # type: ignore[misc]
        key = (kind, self._digest(settings))
        client = self._clients.get(key)
        if client is None:
            with self._lock:
                client = self._clients.get(key)
                if client is None:
                    client = self._clients[key] = factory()
        return client  # type: ignore[return-value]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        """The (kind, settings digest) of each client built so far."""
        return iter(list(self._clients))

    def __deepcopy__(self, memo: dict[int, object]) -> ClientCache:
        return ClientCache()

    def __reduce__(self) -> tuple[Any, ...]:
        return (ClientCache, ())

    def __repr__(self) -> str:
        return f"ClientCache(clients={len(self._clients)})"
