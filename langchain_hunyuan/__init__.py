"""LangChain integration for Tencent Hunyuan: ``ChatHunyuan`` and ``HunyuanLLM`` on RunThread,
and ``HunyuanEmbeddings`` (``hunyuan-embedding``).

Errors raised by calls subclass both the ``hunyuan_api`` error and the matching
``langchain_core.exceptions.Model*Error``.
"""

from typing import TYPE_CHECKING

from hunyuan_api._lazy import lazy_exports
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

if TYPE_CHECKING:
    from .embeddings import HunyuanEmbeddings
    from .llms import HunyuanLLM

# Imported on first use: a ChatHunyuan user pays neither for LangChain's completion-model base
# (with yaml and tenacity) nor for the embedding classes.
__getattr__, __dir__ = lazy_exports(
    __name__, {"HunyuanLLM": "llms", "HunyuanEmbeddings": "embeddings"}
)
del TYPE_CHECKING, lazy_exports

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
