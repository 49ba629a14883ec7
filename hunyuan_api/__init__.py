"""Framework-free core for Tencent Hunyuan: settings, clients, streams, threads, errors.

Both adapters (``langchain_hunyuan``, ``llama_index_hunyuan``) are built on this package; what
an adapter needs beyond this public API lives in ``hunyuan_api.adapter``. The local emulator is a
package of its own, ``hunyuan_emulator`` (extra ``emulator``): it never imports this one, and this
one never imports it.

Layout: ``_wire`` encodes and decodes Hunyuan's formats (SSE, frames, request bodies, signing);
``_run`` decides (conversation rules, accumulation, the thread ledger, the flows of a call);
``_transport`` moves bytes (the sync and async clients, the connection pool, stream objects).
"""

# First: it imports httpx without httpx's command-line client, before any module imports httpx.
from . import _lazy  # noqa: F401
from ._catalog import (
    EMBEDDING_MODEL,
    EmbeddingModelInfo,
    ModelInfo,
    embedding_model_info,
    model_info,
)
from ._embedding_settings import EmbeddingSettings
from ._errors import (
    AccountError,
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ContentFilterError,
    HunyuanError,
    NotFoundError,
    PartialOutput,
    RateLimitError,
    ServerError,
    StreamError,
)
from ._retry import RetryPolicy
from ._run.embeddings import EmbeddingOptions
from ._run.threads import ThreadLedger, default_ledger
from ._settings import ConnectionSettings, HunyuanSettings
from ._transport.client import AsyncHunyuanClient, HunyuanClient
from ._transport.streams import AsyncRunStream, RunStream
from ._types import (
    Api,
    EmbeddingResult,
    FinishReason,
    Message,
    ReasoningDelta,
    Role,
    RunFinished,
    RunOptions,
    RunResult,
    StreamEvent,
    TextDelta,
    ThreadToken,
    ToolCall,
    ToolCallDelta,
    ToolChoice,
    ToolSpec,
    Usage,
)
from ._version import __version__
from ._wire.frames import Thread, ThreadMessage, ThreadMessageList

__all__ = [
    "EMBEDDING_MODEL",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AccountError",
    "Api",
    "AsyncHunyuanClient",
    "AsyncRunStream",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConnectionSettings",
    "ContentFilterError",
    "EmbeddingModelInfo",
    "EmbeddingOptions",
    "EmbeddingResult",
    "EmbeddingSettings",
    "FinishReason",
    "HunyuanClient",
    "HunyuanError",
    "HunyuanSettings",
    "Message",
    "ModelInfo",
    "NotFoundError",
    "PartialOutput",
    "RateLimitError",
    "ReasoningDelta",
    "RetryPolicy",
    "Role",
    "RunFinished",
    "RunOptions",
    "RunResult",
    "RunStream",
    "ServerError",
    "StreamError",
    "StreamEvent",
    "TextDelta",
    "Thread",
    "ThreadLedger",
    "ThreadMessage",
    "ThreadMessageList",
    "ThreadToken",
    "ToolCall",
    "ToolCallDelta",
    "ToolChoice",
    "ToolSpec",
    "Usage",
    "__version__",
    "default_ledger",
    "embedding_model_info",
    "model_info",
]
