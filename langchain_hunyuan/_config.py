"""What ``ChatHunyuan`` and ``HunyuanLLM`` share: the core's settings (every field comes from
``hunyuan_api.HunyuanSettings``), the clients built from them, and LangChain's plumbing."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from langchain_core.language_models import LangSmithParams
from pydantic import ConfigDict, Field, PrivateAttr

from hunyuan_api import AsyncHunyuanClient, HunyuanClient, HunyuanSettings
from hunyuan_api.adapter import PROVIDER, ClientCache, merge_stop

from ._errors import map_errors

__all__ = ["MODEL_CONFIG", "HunyuanParams"]


#: The pydantic configuration of ``HunyuanParams`` and of each model class built on it.
MODEL_CONFIG = ConfigDict(
    populate_by_name=True,
    extra="forbid",
    arbitrary_types_allowed=True,
    protected_namespaces=(),
    # Built at import (the core's settings classes defer theirs): a model's first construction
    # costs no more than any other.
    defer_build=False,
)


class HunyuanParams(HunyuanSettings):
    """The core's settings plus the LangChain plumbing that follows from them. A model class
    lists it before its LangChain base (``class ChatHunyuan(HunyuanParams, BaseChatModel)``), so
    the methods here come first."""

    # A base that is never validated itself: its validator is not built (see MODEL_CONFIG).
    model_config = ConfigDict(**{**MODEL_CONFIG, "defer_build": True})

    #: ``ls_model_type`` reported to LangSmith; set by each model class.
    _ls_model_type: ClassVar[Literal["chat", "llm"]]

    streaming: bool = Field(
        default=False,
        description="Stream under invoke too, so callbacks receive tokens as they arrive.",
    )

    _clients: ClientCache = PrivateAttr(default_factory=ClientCache)

    # -- clients ------------------------------------------------------------------------------

    @property
    def _client(self) -> HunyuanClient:
        """The sync client, created on first use and reused by every call (a setting changed
        after the first call gets its own client)."""
        return self._clients.get("sync", self, lambda: HunyuanClient(self))

    @property
    def _async_client(self) -> AsyncHunyuanClient:
        """The async client (one connection pool per event loop), created on first use."""
        return self._clients.get("async", self, lambda: AsyncHunyuanClient(self))

    def get_num_tokens(self, text: str) -> int:
        """Tokens in ``text`` by Hunyuan's own tokenizer (a ``GetTokenCount`` request the first
        time the model's client counts this text)."""
        with map_errors():
            return self._client.count_tokens(text)

    # -- LangChain plumbing -------------------------------------------------------------------

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        # The public module of the package's model class (``langchain_hunyuan.chat_models``,
        # ``langchain_hunyuan.llms``), where ``load`` looks the class up; a subclass defined
        # elsewhere reports the module of the package class it extends.
        home = next(c for c in cls.__mro__ if c.__module__.startswith("langchain_hunyuan."))
        return home.__module__.split(".")

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {
            "secret_id": "HUNYUAN_SECRET_ID",
            "secret_key": "HUNYUAN_SECRET_KEY",
            "session_token": "TENCENTCLOUD_SESSION_TOKEN",
            "api_key": "HUNYUAN_API_KEY",
        }

    @property
    def _identifying_params(self) -> dict[str, Any]:
        """The settings that identify what a call does (no secrets, no clients)."""
        return self.identifying_params()

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        # What ``run_options`` would give for these two, without building a call's options
        # (LangChain asks on every call).
        stops = merge_stop(self.stop, stop)
        params = LangSmithParams(
            ls_provider=PROVIDER,
            ls_model_name=kwargs.get("model", self.model),
            ls_model_type=self._ls_model_type,
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        if stops:
            params["ls_stop"] = list(stops)
        return params
