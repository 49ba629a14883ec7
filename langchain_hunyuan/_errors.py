"""Core errors re-raised as classes that are both the core error and LangChain's ``Model*Error``,
so ``except hunyuan_api.RateLimitError`` and ``except ModelRateLimitError`` both work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from langchain_core import exceptions as lc

from hunyuan_api import (
    AccountError,
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ContentFilterError,
    HunyuanError,
    NotFoundError,
    RateLimitError,
    ServerError,
    StreamError,
)

__all__ = [
    "HunyuanAPIError",
    "HunyuanAccountError",
    "HunyuanAuthenticationError",
    "HunyuanBadRequestError",
    "HunyuanConnectionError",
    "HunyuanContentFilterError",
    "HunyuanNotFoundError",
    "HunyuanRateLimitError",
    "HunyuanServerError",
    "HunyuanStreamError",
    "HunyuanTimeoutError",
    "map_errors",
    "translate_error",
]

# Refusals arrived in langchain-core 1.7.5; older cores report moderation as an API error.
_Refusal: type[lc.ModelError] = getattr(lc, "ModelRefusalError", lc.ModelAPIError)


class HunyuanAPIError(APIError, lc.ModelAPIError):
    """An error code the core does not classify further."""

    is_retryable = False


class HunyuanAuthenticationError(AuthenticationError, lc.ModelAuthenticationError):
    """``AuthFailure.*``: wrong, expired or unknown credentials."""


class HunyuanRateLimitError(RateLimitError, lc.ModelRateLimitError):
    """Rate or concurrency limit, still failing after the core's retries."""


class HunyuanTimeoutError(APITimeoutError, lc.ModelTimeoutError):
    """The request, or the wait for the next streamed byte, exceeded ``timeout``."""


class HunyuanConnectionError(APIConnectionError, lc.ModelConnectionError):
    """The service could not be reached."""


class HunyuanBadRequestError(BadRequestError, lc.ModelInvalidRequestError):
    """The service refused the request as invalid."""


class HunyuanNotFoundError(NotFoundError, HunyuanBadRequestError, lc.ModelNotFoundError):
    """A thread or other resource the request named does not exist."""


class HunyuanServerError(ServerError, lc.ModelAPIError):
    """A server-side failure, still failing after the core's retries."""


class HunyuanStreamError(StreamError, lc.ModelAPIError):
    """The event stream broke (dropped, truncated or malformed); ``partial`` holds the output."""


class HunyuanAccountError(AccountError, lc.ModelPermissionDeniedError):
    """The account cannot use the service (not activated, resource pack exhausted, arrears)."""


class HunyuanContentFilterError(ContentFilterError, _Refusal):  # type: ignore[misc,valid-type]
    """The service's moderation refused the input or the output."""


# Most specific first: ``NotFoundError`` is a ``BadRequestError``, ``APITimeoutError`` an
# ``APIConnectionError``.
_ADAPTERS: tuple[tuple[type[HunyuanError], type[HunyuanError]], ...] = (
    (AuthenticationError, HunyuanAuthenticationError),
    (RateLimitError, HunyuanRateLimitError),
    (APITimeoutError, HunyuanTimeoutError),
    (APIConnectionError, HunyuanConnectionError),
    (NotFoundError, HunyuanNotFoundError),
    (BadRequestError, HunyuanBadRequestError),
    (ServerError, HunyuanServerError),
    (StreamError, HunyuanStreamError),
    (AccountError, HunyuanAccountError),
    (ContentFilterError, HunyuanContentFilterError),
    (APIError, HunyuanAPIError),
)
_ADAPTER_TYPES = frozenset(adapter for _, adapter in _ADAPTERS)


def translate_error(exc: HunyuanError) -> HunyuanError:
    """The adapter class for ``exc`` with the same attributes; ``exc`` itself when there is
    none (configuration errors stay plain ``ValueError``s)."""
    if type(exc) in _ADAPTER_TYPES:
        return exc
    for core, adapter in _ADAPTERS:
        if isinstance(exc, core):
            return adapter(
                exc.message,
                code=exc.code,
                request_id=exc.request_id,
                http_status=exc.http_status,
                partial=exc.partial,
            )
    return exc


@contextmanager
def map_errors() -> Iterator[None]:
    """Re-raise core errors as adapter errors (``raise new from original``)."""
    try:
        yield
    except HunyuanError as exc:
        new = translate_error(exc)
        if new is exc:
            raise
        raise new from exc
