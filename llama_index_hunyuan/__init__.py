"""Tencent Hunyuan for LlamaIndex: ``from llama_index_hunyuan import Hunyuan``.

Built on ``hunyuan_api`` (the framework-free core shared with ``langchain_hunyuan``); importing
this package never imports LangChain.
"""

from __future__ import annotations

from hunyuan_api._version import install_hint

try:
    import llama_index.core  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "llama_index_hunyuan needs llama-index-core, which is not installed. "
        f"Install it with: {install_hint('llamaindex')}"
    ) from exc

from hunyuan_api import (
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
    RateLimitError,
    ServerError,
    StreamError,
)

from .base import Hunyuan

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AccountError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ContentFilterError",
    "Hunyuan",
    "HunyuanError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "StreamError",
]
