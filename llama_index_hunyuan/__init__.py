"""Tencent Hunyuan for LlamaIndex: ``from llama_index_hunyuan import Hunyuan, HunyuanEmbedding``.

Built on ``hunyuan_api`` (the framework-free core shared with ``langchain_hunyuan``), whose error
classes (``hunyuan_api.RateLimitError``, ...) are what its calls raise; importing this package
never imports LangChain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hunyuan_api._lazy import lazy_exports
from hunyuan_api._version import install_hint

try:
    import llama_index.core  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "llama_index_hunyuan needs llama-index-core, which is not installed. "
        f"Install it with: {install_hint('llamaindex')}"
    ) from exc

from .base import Hunyuan

if TYPE_CHECKING:
    from .embeddings import HunyuanEmbedding

# Imported on first use: an LLM user does not pay for the embedding class.
__getattr__, __dir__ = lazy_exports(__name__, {"HunyuanEmbedding": "embeddings"})
del TYPE_CHECKING, lazy_exports

__all__ = ["Hunyuan", "HunyuanEmbedding"]
