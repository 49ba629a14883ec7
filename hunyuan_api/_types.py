"""Framework-free value types: what goes into a run and what comes out of it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "APIS",
    "Api",
    "EmbeddingResult",
    "FinishReason",
    "Message",
    "ReasoningDelta",
    "Role",
    "RunFinished",
    "RunOptions",
    "RunResult",
    "StreamEvent",
    "TextDelta",
    "ThreadToken",
    "ToolCall",
    "ToolCallDelta",
    "ToolChoice",
    "ToolSpec",
    "Usage",
]

Role = Literal["system", "user", "assistant", "tool"]
FinishReason = Literal["stop", "tool_calls", "length", "content_filter"]
ToolChoice = Literal["auto", "none", "custom"]
#: The three ways in: API 3.0's RunThread (threads) and ChatCompletions (TC3-signed), and the
#: OpenAI-compatible endpoint the console API KEY opens (Hunyuan's, or TokenHub's for Hy3).
Api = Literal["run_thread", "chat_completions", "openai"]
APIS: tuple[Api, ...] = ("run_thread", "chat_completions", "openai")


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A complete tool call: ``arguments`` is the JSON text the model produced."""

    id: str
    name: str
    arguments: str = "{}"

    def parsed_arguments(self) -> Any:
        """The arguments as JSON values; an empty string means no arguments."""
        return json.loads(self.arguments) if self.arguments.strip() else {}


@dataclass(frozen=True, slots=True)
class ThreadToken:
    """What a reply tells a later process about its RunThread thread (docs/threads.md): the
    thread, the id of the last message the run wrote there, a digest of everything the thread
    then holds (the history and the reply), and a MAC by the account's SecretKey, so that only
    a holder of the same credentials can have issued it."""

    thread_id: str
    message_id: str
    digest: str
    mac: str

    def as_metadata(self) -> dict[str, str]:
        """The JSON-ready form messages carry (``hunyuan_api.adapter.THREAD_TOKEN_KEY``)."""
        return {
            "thread_id": self.thread_id,
            "message_id": self.message_id,
            "digest": self.digest,
            "mac": self.mac,
        }


@dataclass(frozen=True, slots=True)
class Message:
    """One conversation turn, as both adapters hand it to the core."""

    role: Role
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    #: Images (``https://`` URLs or ``data:image/...;base64,`` URIs) that follow the text: user
    #: messages to vision models, on ChatCompletions and the OpenAI-compatible endpoint.
    images: tuple[str, ...] = ()
    #: On an assistant reply this plugin returned: where its thread stands. Not content: it
    #: takes no part in comparisons or in the history digest.
    thread_token: ThreadToken | None = field(default=None, compare=False, repr=False)


def _empty_object_schema() -> dict[str, Any]:
    return {"type": "object", "properties": {}}


@dataclass(frozen=True)
class ToolSpec:
    """A function the model may call; ``parameters`` is a JSON Schema object."""

    name: str
    description: str = ""
    parameters: Mapping[str, Any] = field(default_factory=_empty_object_schema)


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int = 0


@dataclass(frozen=True)
class RunOptions:
    """Everything about a call except the messages. Each field is sent or enforced; none is
    silently dropped (a field one API lacks is refused by validation before sending)."""

    model: str = "hunyuan-turbo"
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    max_prompt_tokens: int | None = None
    tools: tuple[ToolSpec, ...] = ()
    tool_choice: ToolChoice | None = None
    #: With ``tool_choice="custom"``: the one tool the model must call (None: any of ``tools``).
    forced_tool: str | None = None
    #: False: at most one tool call per reply. Sent as ``parallel_tool_calls`` on the
    #: OpenAI-compatible API; RunThread and ChatCompletions have no such field, so the client
    #: keeps the first call there (and checks it everywhere). None leaves the service default.
    parallel_tool_calls: bool | None = None
    stop: tuple[str, ...] = ()
    seed: int | None = None
    #: Search enhancement (``EnableEnhancement`` / ``enable_enhancement``); None: the service's
    #: default (off since 2025-04-20). The other search switches go with it.
    enable_enhancement: bool | None = None
    force_search_enhancement: bool | None = None
    citation: bool | None = None
    enable_speed_search: bool | None = None
    search_info: bool | None = None
    #: ChatCompletions' stream moderation (``StreamModeration``).
    stream_moderation: bool | None = None
    #: Reasoning effort of reasoning models on the OpenAI-compatible endpoint (Hy3).
    reasoning_effort: str | None = None
    api: Api = "run_thread"
    #: A thread the caller owns; messages are appended to it (protocol §4.3).
    thread_id: str | None = None
    #: Request fields the plugin does not model, sent as given (their wire names).
    extra_fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RunResult:
    text: str
    tool_calls: tuple[ToolCall, ...]
    finish_reason: FinishReason
    usage: Usage | None
    model: str
    reasoning: str = ""
    thread_id: str | None = None
    run_id: str | None = None
    message_id: str | None = None
    request_id: str | None = None
    #: The stop sequence that ended the output client-side, if one did.
    stop_sequence: str | None = None
    #: True when the reply extended a thread instead of replaying the history.
    continued_thread: bool = False
    #: How many messages were sent on the wire for this run.
    messages_sent: int = 0
    #: The search results and their citations, when search enhancement ran (snake_case keys:
    #: ``search_results`` [{index, title, url, text, icon}], ``mindmap``, ...).
    search_info: Mapping[str, Any] | None = None
    #: Lets a later call, in any process, continue this thread (None when it cannot).
    thread_token: ThreadToken | None = None


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A fragment of a tool call. ``index`` is dense (0, 1, ...) in order of first appearance;
    ``id`` and ``name`` are set on a call's first fragment only."""

    index: int
    id: str | None
    name: str | None
    arguments: str


@dataclass(frozen=True, slots=True)
class RunFinished:
    result: RunResult


StreamEvent = TextDelta | ReasoningDelta | ToolCallDelta | RunFinished


@dataclass(frozen=True, slots=True)
class EmbeddingResult:
    """The vectors of an embedding call, one per text in the order of the texts, and what the
    service counted (``Usage.prompt_tokens``/``total_tokens``, summed over its requests)."""

    embeddings: list[list[float]]
    usage: Usage
    model: str
    #: The request id of each request the call made, in the order of the texts they carried.
    request_ids: tuple[str, ...] = ()
