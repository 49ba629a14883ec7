"""``HunyuanEmbedding``: Tencent Hunyuan's embedding model as a LlamaIndex ``BaseEmbedding``."""

from __future__ import annotations

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.bridge.pydantic import ConfigDict, Field, PrivateAttr, model_validator
from typing_extensions import Self

from hunyuan_api import AsyncHunyuanClient, EmbeddingOptions, EmbeddingSettings, HunyuanClient
from hunyuan_api.adapter import EMBEDDING_MAX_BATCH, ClientCache

__all__ = ["HunyuanEmbedding"]


class HunyuanEmbedding(EmbeddingSettings, BaseEmbedding):
    """Tencent Hunyuan embeddings (``hunyuan-embedding``, 1,024 dimensions) for LlamaIndex.

    ``Settings.embed_model = HunyuanEmbedding()`` (or ``embed_model=`` on an index) is all a
    ``VectorStoreIndex`` needs. Credentials and connection settings are those of ``Hunyuan``:
    a SecretId/SecretKey pair calls API 3.0's ``GetEmbedding``, a console API KEY alone the
    OpenAI-compatible endpoint's ``/embeddings``.

    LlamaIndex hands the texts over ``embed_batch_size`` at a time (default: 50 ×
    ``max_concurrency``, one full round of requests); each such batch goes out as requests of
    at most 50 texts, ``max_concurrency`` in flight at once across all of this model's calls,
    so LlamaIndex's async batching (which starts every batch at once) stays within the limit
    too. Progress bars are LlamaIndex's own (``show_progress=True`` on the index or on
    ``get_text_embedding_batch``); usage goes through LlamaIndex's instrumentation like any
    embedding model's (``EmbeddingStartEvent``/``EmbeddingEndEvent``, and ``CBEventType.EMBEDDING``
    for callback handlers such as ``TokenCountingHandler``).

    Errors are ``hunyuan_api``'s; a failed request's error says how many texts of its batch were
    embedded and carries their vectors in ``partial.embeddings``. An empty string is a
    ValueError before anything is sent; a text beyond 1,024 tokens is embedded from its first
    1,024 (the service cuts it).

    Example:
        ```python
        from llama_index_hunyuan import HunyuanEmbedding

        embed_model = HunyuanEmbedding()  # or Settings.embed_model = HunyuanEmbedding()
        vectors = embed_model.get_text_embedding_batch(["腾讯总部在深圳南山区。", "荔枝五月上市。"])
        query = embed_model.get_query_embedding("荔枝什么时候上市？")
        print([round(embed_model.similarity(query, vector), 2) for vector in vectors])
        ```
    """

    model_config = ConfigDict(**{**EmbeddingSettings.model_config, "defer_build": False})
    _clients: ClientCache = PrivateAttr(default_factory=ClientCache)

    embed_batch_size: int = Field(
        default=EMBEDDING_MAX_BATCH,
        gt=0,
        description=(
            "Texts per embedding call LlamaIndex makes; each call sends requests of at most 50 "
            "texts, max_concurrency at once (default: 50 × max_concurrency)."
        ),
    )

    @classmethod
    def class_name(cls) -> str:
        return "HunyuanEmbedding"

    @model_validator(mode="after")
    def _llama_index_fields(self) -> Self:
        # LlamaIndex reads ``model_name`` (events, payloads); ``model`` is the setting.
        object.__setattr__(self, "model_name", self.model)
        if "embed_batch_size" not in self.model_fields_set:
            object.__setattr__(self, "embed_batch_size", EMBEDDING_MAX_BATCH * self.max_concurrency)
        return self

    def _options(self) -> EmbeddingOptions:
        return self.embedding_options(min(self.embed_batch_size, EMBEDDING_MAX_BATCH))

    def _get_client(self) -> HunyuanClient:
        return self._clients.get("sync", self, lambda: HunyuanClient(self))

    def _get_async_client(self) -> AsyncHunyuanClient:
        return self._clients.get("async", self, lambda: AsyncHunyuanClient(self))

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return self._get_client().embed(texts, self._options()).embeddings

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return (await self._get_async_client().embed(texts, self._options())).embeddings

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._get_text_embeddings([text])[0]

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return (await self._aget_text_embeddings([text]))[0]

    # hunyuan-embedding embeds a query like any other text.
    def _get_query_embedding(self, query: str) -> Embedding:
        return self._get_text_embedding(query)

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return await self._aget_text_embedding(query)
