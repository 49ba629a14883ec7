"""Core errors re-raised as classes that are both the core error and LangChain's ``Model*Error``,
so ``except hunyuan_api.RateLimitError`` and ``except ModelRateLimitError`` both work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from langchain_core import exceptions as lc

import hunyuan_api as core

__all__ = ["map_errors", "translate_error"]  # the classes are exported by the package

# Refusals arrived in langchain-core 1.7.5; older cores report moderation as an API error.
_Refusal: type[lc.ModelError] = getattr(lc, "ModelRefusalError", lc.ModelAPIError)


class HunyuanAPIError(core.APIError, lc.ModelAPIError):
    """An error code the core does not classify further."""

    is_retryable = False


class HunyuanAuthenticationError(core.AuthenticationError, lc.ModelAuthenticationError):
    """``AuthFailure.*``: wrong, expired or unknown credentials."""


class HunyuanRateLimitError(core.RateLimitError, lc.ModelRateLimitError):
    """Rate or concurrency limit, still failing after the core's retries."""


class HunyuanTimeoutError(core.APITimeoutError, lc.ModelTimeoutError):
    """The request, or the wait for the next streamed byte, exceeded ``timeout``."""


class HunyuanConnectionError(core.APIConnectionError, lc.ModelConnectionError):
    """The service could not be reached."""


class HunyuanBadRequestError(core.BadRequestError, lc.ModelInvalidRequestError):
    """The service refused the request as invalid."""


class HunyuanNotFoundError(core.NotFoundError, HunyuanBadRequestError, lc.ModelNotFoundError):
    """A thread or other resource the request named does not exist."""


class HunyuanServerError(core.ServerError, lc.ModelAPIError):
    """A server-side failure, still failing after the core's retries."""


class HunyuanStreamError(core.StreamError, lc.ModelAPIError):
    """The event stream broke (dropped, truncated or malformed); ``partial`` holds the output."""


class HunyuanAccountError(core.AccountError, lc.ModelPermissionDeniedError):
    """The account cannot use the service (not activated, resource pack exhausted, arrears)."""


class HunyuanContentFilterError(core.ContentFilterError, _Refusal):  # type: ignore[misc,valid-type]
    """The service's moderation refused the input or the output."""


# Most specific first: ``NotFoundError`` is a ``BadRequestError``, ``APITimeoutError`` an
# ``APIConnectionError``.
_ADAPTERS: tuple[tuple[type[core.HunyuanError], type[core.HunyuanError]], ...] = (
    (core.AuthenticationError, HunyuanAuthenticationError),
    (core.RateLimitError, HunyuanRateLimitError),
    (core.APITimeoutError, HunyuanTimeoutError),
    (core.APIConnectionError, HunyuanConnectionError),
    (core.NotFoundError, HunyuanNotFoundError),
    (core.BadRequestError, HunyuanBadRequestError),
    (core.ServerError, HunyuanServerError),
    (core.StreamError, HunyuanStreamError),
    (core.AccountError, HunyuanAccountError),
    (core.ContentFilterError, HunyuanContentFilterError),
    (core.APIError, HunyuanAPIError),
)
_ADAPTER_TYPES = frozenset(adapter for _, adapter in _ADAPTERS)


def translate_error(exc: core.HunyuanError) -> core.HunyuanError:
    """The adapter class for ``exc`` with the same attributes; ``exc`` itself when there is
    none (configuration errors stay plain ``ValueError``s)."""
    if type(exc) in _ADAPTER_TYPES:
        return exc
    for base, adapter in _ADAPTERS:
        if isinstance(exc, base):
            return adapter(
                exc.message,
                code=exc.code,
                request_id=exc.request_id,
                http_status=exc.http_status,
                partial=exc.partial,
                retry_after=exc.retry_after,
            )
    return exc


@contextmanager
def map_errors() -> Iterator[None]:
    """Re-raise core errors as adapter errors (``raise new from original``)."""
    try:
        yield
    except core.HunyuanError as exc:
        new = translate_error(exc)
        if new is exc:
            raise
        raise new from exc
