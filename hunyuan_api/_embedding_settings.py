"""``EmbeddingSettings``: the settings of an embedding model. The connection settings are
``ConnectionSettings``' (the same fields, environment variables and validation as every chat
client's); the chat request defaults (temperature, stop, ...) are not there at all, so passing
one is the usual misspelt-argument TypeError rather than a setting silently ignored.

Both adapters' embedding classes inherit it and add their framework's batch and progress
settings (LangChain ``chunk_size``/``show_progress_bar``, LlamaIndex ``embed_batch_size``).
"""

from __future__ import annotations

from pydantic import model_validator
from typing_extensions import Self

from ._catalog import EMBEDDING_MAX_BATCH, EMBEDDING_MODEL
from ._run.embeddings import DEFAULT_MAX_CONCURRENCY, EmbeddingOptions, check_embedding_options
from ._settings import ConnectionSettings, _setting

__all__ = ["EMBEDDING_FIELDS", "EmbeddingSettings"]

#: The settings an embedding model adds to the connection settings.
EMBEDDING_FIELDS = ("model", "max_concurrency")


class EmbeddingSettings(ConnectionSettings):
    """Every setting of an embedding client: the connection settings, the embedding model and
    how many requests may be in flight at once."""

    model_config = ConnectionSettings.model_config

    model: str = _setting(
        EMBEDDING_MODEL,
        aliases=("model_name",),
        description=(
            "Embedding model: hunyuan-embedding (1,024 dimensions), the only one GetEmbedding "
            "serves; api='openai' sends another name as given."
        ),
    )
    max_concurrency: int = _setting(
        DEFAULT_MAX_CONCURRENCY,
        strict=True,
        description=(
            "Embedding requests in flight at once (each carries at most 50 texts). Tencent "
            "documents 5 per account; 4 leaves one for chat calls."
        ),
    )

    @model_validator(mode="after")
    def _check_embedding(self) -> Self:
        # Refuse at construction what every call would refuse, with the same messages.
        self.embedding_options()
        return self

    def embedding_options(
        self, batch_size: int = EMBEDDING_MAX_BATCH, *, batch_setting: str = "batch_size"
    ) -> EmbeddingOptions:
        """The options of one embedding call, with ``batch_size`` texts per request (the
        adapter's setting ``batch_setting``); a ValueError naming the setting when no request
        could carry them."""
        options = EmbeddingOptions(
            model=self.model, batch_size=batch_size, max_concurrency=self.max_concurrency
        )
        check_embedding_options(options, self.api, batch_setting=batch_setting)
        return options
