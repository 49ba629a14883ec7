"""``HunyuanEmbeddings``: Tencent Hunyuan's embedding model as a LangChain ``Embeddings``."""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Iterator

from langchain_core.embeddings import Embeddings
from pydantic import Field, PrivateAttr, model_validator
from typing_extensions import Self

from hunyuan_api import (
    AsyncHunyuanClient,
    EmbeddingOptions,
    EmbeddingSettings,
    HunyuanClient,
)
from hunyuan_api.adapter import EMBEDDING_MAX_BATCH, ClientCache, Progress

from ._config import MODEL_CONFIG
from ._errors import map_errors

__all__ = ["HunyuanEmbeddings"]


class HunyuanEmbeddings(EmbeddingSettings, Embeddings):
    """Tencent Hunyuan embeddings (``hunyuan-embedding``, 1,024 dimensions) for LangChain.

    With a SecretId/SecretKey pair (``HUNYUAN_SECRET_ID``/``HUNYUAN_SECRET_KEY``, or the
    ``TENCENTCLOUD_*`` pair) it calls API 3.0's ``GetEmbedding``; with only a console API KEY
    (``HUNYUAN_API_KEY``), the OpenAI-compatible endpoint's ``/embeddings``. Credentials,
    ``base_url``, ``timeout``, retries and the pool are the chat models' settings.

    ``embed_documents`` sends requests of ``chunk_size`` texts (at most 50), ``max_concurrency``
    at once (threads; tasks in ``aembed_documents``), and returns the vectors in the order of
    the texts. An empty list sends nothing; an empty string is a ValueError before anything is
    sent; a text beyond 1,024 tokens is embedded from its first 1,024 (the service cuts it).
    A request that still fails after its retries raises the adapter error of its kind (e.g.
    ``HunyuanRateLimitError``), whose message says how many texts were embedded and whose
    ``partial.embeddings`` holds their vectors.

    Example:
        ```python
        from langchain_hunyuan import HunyuanEmbeddings

        embeddings = HunyuanEmbeddings()
        vectors = embeddings.embed_documents(["腾讯总部在深圳", "荔枝五月上市"])
        ```
    """

    model_config = MODEL_CONFIG

    chunk_size: int = Field(
        default=EMBEDDING_MAX_BATCH,
        description="Texts per request, 1 to 50 (GetEmbedding's InputList holds at most 50).",
    )
    show_progress_bar: bool = Field(
        default=False,
        description="Show a tqdm progress bar over the texts of embed_documents (needs tqdm).",
    )

    _clients: ClientCache = PrivateAttr(default_factory=ClientCache)

    @model_validator(mode="after")
    def _check_batches(self) -> Self:
        self._options()  # refuses a chunk_size no request can carry
        if self.show_progress_bar and importlib.util.find_spec("tqdm") is None:
            raise ImportError(
                "show_progress_bar=True needs tqdm, which is not installed: pip install tqdm "
                "(or leave show_progress_bar off)"
            )
        return self

    def _options(self) -> EmbeddingOptions:
        return self.embedding_options(self.chunk_size, batch_setting="chunk_size")

    @property
    def _client(self) -> HunyuanClient:
        return self._clients.get("sync", self, lambda: HunyuanClient(self))

    @property
    def _async_client(self) -> AsyncHunyuanClient:
        return self._clients.get("async", self, lambda: AsyncHunyuanClient(self))

    @contextlib.contextmanager
    def _progress(self, total: int) -> Iterator[Progress | None]:
        if not self.show_progress_bar or total == 0:
            yield None
            return
        from tqdm.auto import tqdm  # type: ignore[import-untyped]

        with tqdm(total=total, desc="Hunyuan embeddings", unit="text") as bar:
            yield bar.update

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """The vectors of ``texts``, in their order."""
        with map_errors(), self._progress(len(texts)) as progress:
            return self._client.embed(texts, self._options(), progress=progress).embeddings

    def embed_query(self, text: str) -> list[float]:
        """The vector of one text (a query embeds like a document with this model)."""
        with map_errors():
            return self._client.embed([text], self._options()).embeddings[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Async twin of ``embed_documents`` (requests are tasks on the running loop)."""
        with map_errors(), self._progress(len(texts)) as progress:
            result = await self._async_client.embed(texts, self._options(), progress=progress)
            return result.embeddings

    async def aembed_query(self, text: str) -> list[float]:
        with map_errors():
            return (await self._async_client.embed([text], self._options())).embeddings[0]
