"""LangChain integration for Tencent Hunyuan: ``ChatHunyuan`` and ``HunyuanLLM`` on RunThread,
and ``HunyuanEmbeddings`` (``hunyuan-embedding``).

Errors raised by calls subclass both the ``hunyuan_api`` error and the matching
``langchain_core.exceptions.Model*Error``.
"""

from hunyuan_api._version import install_hint

try:
    import langchain_core  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        f"langchain_hunyuan needs langchain-core: {install_hint('langchain')}"
    ) from exc

from ._errors import (
    HunyuanAccountError,
    HunyuanAPIError,
    HunyuanAuthenticationError,
    HunyuanBadRequestError,
    HunyuanConnectionError,
    HunyuanContentFilterError,
    HunyuanNotFoundError,
    HunyuanRateLimitError,
    HunyuanServerError,
    HunyuanStreamError,
    HunyuanTimeoutError,
)
from .chat_models import ChatHunyuan
from .embeddings import HunyuanEmbeddings
from .llms import HunyuanLLM

__all__ = [
    "ChatHunyuan",
    "HunyuanAPIError",
    "HunyuanAccountError",
    "HunyuanAuthenticationError",
    "HunyuanBadRequestError",
    "HunyuanConnectionError",
    "HunyuanContentFilterError",
    "HunyuanEmbeddings",
    "HunyuanLLM",
    "HunyuanNotFoundError",
    "HunyuanRateLimitError",
    "HunyuanServerError",
    "HunyuanStreamError",
    "HunyuanTimeoutError",
]
