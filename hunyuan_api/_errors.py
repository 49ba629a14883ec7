"""One error tree for every failure the Hunyuan API can produce.

    HunyuanError
    ├── ConfigurationError          bad or missing configuration (also a ValueError)
    ├── APIError                    the service answered with an error code
    │   ├── AuthenticationError     AuthFailure.*
    │   ├── BadRequestError         InvalidParameter*, MissingParameter, UnknownParameter, ...
    │   │   └── NotFoundError       ResourceNotFound*
    │   ├── AccountError            service not activated, resource packs exhausted, arrears
    │   ├── ContentFilterError      OperationDenied.*
    │   ├── RateLimitError          LimitExceeded, RequestLimitExceeded*, EngineServerLimitExceeded
    │   └── ServerError             InternalError, EngineServerError, HTTP 5xx, ...
    ├── APIConnectionError          the service could not be reached
    │   └── APITimeoutError
    └── StreamError                 the event stream broke without an error frame
        (connection dropped, body ended before the terminal run snapshot, malformed frame)

Any error raised after the first frame of a stream carries ``partial``: the text and tool calls
received so far, so a failure mid-stream never loses output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ._lookup import by_longest_prefix
from ._types import ToolCall

__all__ = [
    "TRANSIENT_CODES",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AccountError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ContentFilterError",
    "HunyuanError",
    "NotFoundError",
    "PartialOutput",
    "RateLimitError",
    "ServerError",
    "StreamError",
    "error_class_for_code",
    "make_api_error",
]


@dataclass
class PartialOutput:
    """What a stream had delivered when it failed (or an embedding call, ``embeddings``)."""

    text: str = ""
    reasoning: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    thread_id: str | None = None
    run_id: str | None = None
    request_id: str | None = None
    #: An embedding call that failed: the vectors of its first ``len(embeddings)`` texts, which
    #: were embedded before the failed request (resume with the texts after them).
    embeddings: list[list[float]] = field(default_factory=list)


class HunyuanError(Exception):
    """Base class of every error this package raises."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        request_id: str | None = None,
        http_status: int | None = None,
        partial: PartialOutput | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.request_id = request_id
        self.http_status = http_status
        self.partial = partial
        #: Seconds the service asked the client to wait before trying again (``Retry-After``).
        self.retry_after = retry_after

    @property
    def partial_text(self) -> str:
        return self.partial.text if self.partial is not None else ""

    @property
    def stream_started(self) -> bool:
        return self.partial is not None

    #: Whether a retry may cure it (transient codes, dropped connections); the clients add the
    #: rule that nothing is retried once output reached the caller.
    retryable: ClassVar[bool] = False

    def __str__(self) -> str:
        parts = [self.message]
        if self.code:
            parts.insert(0, f"[{self.code}]")
        if self.request_id:
            parts.append(f"(RequestId: {self.request_id})")
        if self.partial is not None and (self.partial.text or self.partial.tool_calls):
            parts.append(f"after {len(self.partial.text)} characters of output")
        return " ".join(parts)

    # Keyword-only constructors defeat the default exception pickling; rebuild explicitly.
    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild,
            (type(self), self.message),
            {
                "code": self.code,
                "request_id": self.request_id,
                "http_status": self.http_status,
                "partial": self.partial,
                "retry_after": self.retry_after,
            },
        )


def _rebuild(cls: type[HunyuanError], message: str) -> HunyuanError:
    return cls(message)


class ConfigurationError(HunyuanError, ValueError):
    """Configuration that cannot work: missing credentials, a refused base URL."""


class APIError(HunyuanError):
    """The service answered with an error code."""


class AuthenticationError(APIError):
    pass


class BadRequestError(APIError):
    pass


class NotFoundError(BadRequestError):
    pass


class AccountError(APIError):
    pass


class ContentFilterError(APIError):
    pass


class RateLimitError(APIError):
    retryable = True


class ServerError(APIError):
    retryable = True


class APIConnectionError(HunyuanError):
    retryable = True


class APITimeoutError(APIConnectionError):
    pass


class StreamError(HunyuanError):
    """The stream broke after it began, without an error frame from the service."""

    retryable = True


# Longest matching prefix wins. A code's prefix decides its class; unknown codes keep their text.
_CODE_CLASSES: dict[str, type[APIError]] = {
    "AuthFailure": AuthenticationError,
    "NoSuchVersion": BadRequestError,
    "InvalidAction": BadRequestError,
    "InvalidParameter": BadRequestError,
    "InvalidParameterValue": BadRequestError,
    "MissingParameter": BadRequestError,
    "UnknownParameter": BadRequestError,
    "UnsupportedOperation": BadRequestError,
    "UnsupportedProtocol": BadRequestError,
    "ResourceNotFound": NotFoundError,
    "FailedOperation.ServiceNotActivated": AccountError,
    "FailedOperation.FreeResourcePackExhausted": AccountError,
    "FailedOperation.ResourcePackExhausted": AccountError,
    "FailedOperation.ServiceStop": AccountError,
    "FailedOperation.ServiceStopArrears": AccountError,
    "FailedOperation.UserUnAuthError": AuthenticationError,
    "ResourceUnavailable": AccountError,
    "ResourceInsufficient": AccountError,
    "UnauthorizedOperation": AccountError,
    "OperationDenied": ContentFilterError,
    "FailedOperation.EngineServerLimitExceeded": RateLimitError,
    "LimitExceeded": RateLimitError,
    "RequestLimitExceeded": RateLimitError,
    "FailedOperation.EngineRequestTimeout": ServerError,
    "FailedOperation.EngineServerError": ServerError,
    "InternalError": ServerError,
    "ServiceUnavailable": ServerError,
    # ChatCompletions' in-stream ErrorMsg codes: 4000 internal error, 4001 model timeout.
    "4000": ServerError,
    "4001": ServerError,
    # The OpenAI-compatible endpoint's error types and codes (OpenAI's vocabulary).
    "authentication_error": AuthenticationError,
    "invalid_api_key": AuthenticationError,
    "permission_error": AuthenticationError,
    "invalid_request_error": BadRequestError,
    "model_not_found": NotFoundError,
    "not_found_error": NotFoundError,
    "insufficient_quota": AccountError,
    "content_filter": ContentFilterError,
    "rate_limit_error": RateLimitError,
    "rate_limit_exceeded": RateLimitError,
    "server_error": ServerError,
    "service_unavailable": ServerError,
}

#: Codes that a retry may cure (protocol §2, "transient").
TRANSIENT_CODES = frozenset(
    code for code, cls in _CODE_CLASSES.items() if cls in (RateLimitError, ServerError)
)

_ACCOUNT_HINT = (
    " Check the Hunyuan service and billing status in the Tencent Cloud console "
    "(https://console.cloud.tencent.com/hunyuan)."
)


def error_class_for_code(code: str) -> type[APIError]:
    return by_longest_prefix(code, _CODE_CLASSES, ".") or APIError


def make_api_error(
    code: str,
    message: str,
    *,
    request_id: str | None = None,
    http_status: int | None = None,
    partial: PartialOutput | None = None,
) -> APIError:
    cls = error_class_for_code(code)
    if http_status is not None and http_status >= 500 and cls is APIError:
        cls = ServerError
    if cls is AccountError and _ACCOUNT_HINT not in message:
        message = message + _ACCOUNT_HINT
    return cls(
        message or code,
        code=code,
        request_id=request_id,
        http_status=http_status,
        partial=partial,
    )
