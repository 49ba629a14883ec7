"""Framework-free core for Tencent Hunyuan: signing, clients, streaming, threads, errors.

Both adapters (``langchain_hunyuan``, ``llama_index_hunyuan``) are built on this package. The local
emulator is a package of its own, ``hunyuan_emulator`` (extra ``emulator``): it never imports this
one, and this one never imports it.
"""

from ._accumulator import RunAccumulator
from ._client import AsyncHunyuanClient, HunyuanClient
from ._config import (
    DEFAULT_BASE_URL,
    Credentials,
    Endpoint,
    resolve_credentials,
    resolve_endpoint,
)
from ._conversation import normalize_messages
from ._errors import (
    TRANSIENT_CODES,
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
    error_class_for_code,
    make_api_error,
)
from ._frames import Frame, Thread, ThreadMessage, ThreadMessageList, parse_frame
from ._payload import (
    CHAT_COMPLETIONS_MAX_MESSAGES,
    CHAT_COMPLETIONS_TOOL_MODELS,
    RUN_THREAD_MODELS,
    TOOL_MODELS,
    build_chat_completions_body,
    build_run_thread_body,
    check_tools_supported,
    resolve_tool_choice,
    supports_tools,
    validate_options,
)
from ._pool import ShardedAsyncTransport
from ._retry import RetryPolicy
from ._session import RunSession
from ._signing import TC3Auth
from ._sse import ServerSentEvent, SSEDecoder
from ._stop import StopCutter
from ._threads import ThreadLedger, ThreadPlan, default_ledger
from ._types import (
    Api,
    FinishReason,
    Message,
    ReasoningDelta,
    Role,
    RunFinished,
    RunOptions,
    RunResult,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    ToolChoice,
    ToolSpec,
    Usage,
)

__version__ = "0.1.0"

__all__ = [
    "CHAT_COMPLETIONS_MAX_MESSAGES",
    "CHAT_COMPLETIONS_TOOL_MODELS",
    "DEFAULT_BASE_URL",
    "RUN_THREAD_MODELS",
    "TOOL_MODELS",
    "TRANSIENT_CODES",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AccountError",
    "Api",
    "AsyncHunyuanClient",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ContentFilterError",
    "Credentials",
    "Endpoint",
    "FinishReason",
    "Frame",
    "HunyuanClient",
    "HunyuanError",
    "Message",
    "NotFoundError",
    "PartialOutput",
    "RateLimitError",
    "ReasoningDelta",
    "RetryPolicy",
    "Role",
    "RunAccumulator",
    "RunFinished",
    "RunOptions",
    "RunResult",
    "RunSession",
    "SSEDecoder",
    "ServerError",
    "ServerSentEvent",
    "ShardedAsyncTransport",
    "StopCutter",
    "StreamError",
    "StreamEvent",
    "TC3Auth",
    "TextDelta",
    "Thread",
    "ThreadLedger",
    "ThreadMessage",
    "ThreadMessageList",
    "ThreadPlan",
    "ToolCall",
    "ToolCallDelta",
    "ToolChoice",
    "ToolSpec",
    "Usage",
    "__version__",
    "build_chat_completions_body",
    "build_run_thread_body",
    "check_tools_supported",
    "default_ledger",
    "error_class_for_code",
    "make_api_error",
    "normalize_messages",
    "parse_frame",
    "resolve_credentials",
    "resolve_endpoint",
    "resolve_tool_choice",
    "supports_tools",
    "validate_options",
]
