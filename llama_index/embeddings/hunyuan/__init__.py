"""``from llama_index.embeddings.hunyuan import HunyuanEmbedding``: the import path every
LlamaIndex embedding integration has, for the same class as ``llama_index_hunyuan``'s.

Like ``llama_index/llms/hunyuan``, this directory is this distribution's part of LlamaIndex's
PEP 420 namespace (no ``__init__.py`` above it).
"""

from llama_index_hunyuan import HunyuanEmbedding

__all__ = ["HunyuanEmbedding"]
