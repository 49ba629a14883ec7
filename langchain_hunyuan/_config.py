"""Configuration shared by ``ChatHunyuan`` and ``HunyuanLLM``: fields, cached clients, options."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Literal, TypeVar, cast

import httpx
from langchain_core.language_models import LangSmithParams
from langchain_core.utils import secret_from_env
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    model_validator,
)
from typing_extensions import Self

from hunyuan_api import (
    AsyncHunyuanClient,
    ConfigurationError,
    HunyuanClient,
    RetryPolicy,
    RunOptions,
    ToolChoice,
    ToolSpec,
    validate_options,
)

from ._chunks import PROVIDER
from ._errors import map_errors

__all__ = ["CALL_OVERRIDES", "MODEL_CONFIG", "HunyuanParams"]

#: Fields a single call may override (``invoke(..., temperature=0.2)``, ``bind(model=...)``).
CALL_OVERRIDES = frozenset(
    {"model", "temperature", "top_p", "max_tokens", "max_prompt_tokens", "seed", "thread_id"}
)

_C = TypeVar("_C", HunyuanClient, AsyncHunyuanClient)

#: Every keyword that carries a secret (field names and their aliases).
_SECRET_INPUTS = (
    "secret_id",
    "hunyuan_secret_id",
    "secret_key",
    "hunyuan_secret_key",
    "session_token",
    "api_key",
)

_API_KEY_NOTE = (
    "api_key= was given, but a Hunyuan console API KEY cannot sign RunThread requests: they are "
    "signed (TC3-HMAC-SHA256) with a Tencent Cloud SecretId/SecretKey pair. "
)


def _env_secret(name: str, partner: str, fallback: str) -> Callable[[], SecretStr | None]:
    """A credential from ``name``, else from the TENCENTCLOUD_* pair, but never one half from
    each family: with either HUNYUAN_* variable set, the pair is HUNYUAN_*, as in the core."""

    def factory() -> SecretStr | None:
        value = os.environ.get(name) or (
            None if os.environ.get(partner) else os.environ.get(fallback)
        )
        return SecretStr(value) if value else None

    return factory


#: The pydantic configuration of ``HunyuanParams`` and of each model class built on it.
MODEL_CONFIG = ConfigDict(
    populate_by_name=True,
    extra="forbid",
    arbitrary_types_allowed=True,
    protected_namespaces=(),
)


class HunyuanParams(BaseModel):
    """The connection and sampling settings every Hunyuan LangChain model shares, and the
    LangChain plumbing that follows from them. A model class lists it before its LangChain base
    (``class ChatHunyuan(HunyuanParams, BaseChatModel)``), so the methods here come first."""

    model_config = MODEL_CONFIG

    #: ``ls_model_type`` reported to LangSmith; set by each model class.
    _ls_model_type: ClassVar[Literal["chat", "llm"]]

    model: str = Field(
        default="hunyuan-turbo", validation_alias=AliasChoices("model", "model_name")
    )
    """Model name, e.g. ``hunyuan-turbo``, ``hunyuan-pro``, ``hunyuan-lite``
    (``model_name=`` also works)."""

    secret_id: SecretStr | None = Field(
        default_factory=_env_secret(
            "HUNYUAN_SECRET_ID", "HUNYUAN_SECRET_KEY", "TENCENTCLOUD_SECRET_ID"
        ),
        validation_alias=AliasChoices("secret_id", "hunyuan_secret_id"),
    )
    """Tencent Cloud SecretId; defaults to ``HUNYUAN_SECRET_ID``, then
    ``TENCENTCLOUD_SECRET_ID`` (``hunyuan_secret_id=`` also works)."""

    secret_key: SecretStr | None = Field(
        default_factory=_env_secret(
            "HUNYUAN_SECRET_KEY", "HUNYUAN_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"
        ),
        validation_alias=AliasChoices("secret_key", "hunyuan_secret_key"),
    )
    """Tencent Cloud SecretKey; defaults to ``HUNYUAN_SECRET_KEY``, then
    ``TENCENTCLOUD_SECRET_KEY`` (``hunyuan_secret_key=`` also works)."""

    session_token: SecretStr | None = Field(
        default_factory=secret_from_env("TENCENTCLOUD_SESSION_TOKEN", default=None)
    )
    """Session token of temporary credentials (sent as ``X-TC-Token``); defaults to
    ``TENCENTCLOUD_SESSION_TOKEN``."""

    api_key: SecretStr | None = Field(default=None)
    """Accepted so code written for OpenAI-style models constructs, but a Hunyuan console API KEY
    cannot sign RunThread: a call made without a SecretId/SecretKey pair raises a
    ``ConfigurationError`` that says so."""

    base_url: str | None = None
    """API endpoint; defaults to ``HUNYUAN_BASE_URL``, then
    ``https://hunyuan.tencentcloudapi.com``. Point it at the local emulator for tests."""

    region: str | None = None
    """Tencent Cloud region sent as ``X-TC-Region``; defaults to ``HUNYUAN_REGION``, then
    ``TENCENTCLOUD_REGION``, then none."""

    temperature: float | None = None
    """Sampling temperature in [0, 2]; None leaves the service default."""

    top_p: float | None = None
    """Nucleus sampling in [0, 1]; None leaves the service default."""

    max_tokens: int | None = Field(
        default=None, validation_alias=AliasChoices("max_tokens", "max_completion_tokens")
    )
    """Upper bound on generated tokens (0 = no limit): RunThread's ``MaxCompletionTokens``;
    ChatCompletions has no such field, so the client ends the stream once the reported usage
    reaches it (such calls stream even under ``invoke``)."""

    max_prompt_tokens: int | None = None
    """Upper bound on prompt tokens the thread may use (``MaxPromptTokens``; RunThread only)."""

    timeout: float | None = Field(
        default=None, validation_alias=AliasChoices("timeout", "request_timeout")
    )
    """Seconds allowed for each phase of a request, including each wait for the next streamed
    byte; None means the core default (60 s). ``request_timeout=`` also works."""

    max_retries: int = 2
    """Retries of transient failures (rate limits, server errors) made by the core client, only
    before any output reached the caller."""

    retry_policy: RetryPolicy | None = Field(default=None, exclude=True)
    """Backoff between those retries (``hunyuan_api.RetryPolicy``); None means 0.5 s doubling
    to at most 8 s, each wait shortened by up to half at random (not serialized)."""

    stop: list[str] | None = Field(
        default=None, validation_alias=AliasChoices("stop", "stop_sequences")
    )
    """Stop sequences, merged with those given per call. The output ends before the first
    match, cut client-side on both APIs: RunThread has no Stop field, and ChatCompletions'
    ``Stop`` (also sent) leaves the matched string in its output (``stop_sequences=`` also
    works)."""

    thread_id: str | None = None
    """A RunThread thread you own: every call appends exactly the messages it is given there,
    instead of the automatic continue-or-replay choice."""

    streaming: bool = False
    """Stream under ``invoke`` too, so callbacks receive tokens as they arrive."""

    api: Literal["run_thread", "chat_completions"] = "run_thread"
    """``run_thread`` (default) or ``chat_completions`` (for accounts without RunThread; no
    threads, native tool histories, ``seed``, non-stream ``invoke``): see
    ``docs/transports.md``."""

    seed: int | None = None
    """Sampling seed in [1, 10000]; ChatCompletions only (RunThread has no Seed)."""

    allow_insecure_http: bool = False
    """Allow plain ``http://`` to a non-loopback host (signed requests would travel
    unencrypted)."""

    http_client: httpx.Client | None = Field(default=None, exclude=True)
    """An ``httpx.Client`` to send synchronous requests with (not serialized)."""

    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    """An ``httpx.AsyncClient`` to send asynchronous requests with (not serialized)."""

    _clients: dict[tuple[Any, ...], HunyuanClient | AsyncHunyuanClient] = PrivateAttr(
        default_factory=dict
    )

    def __init__(self, **kwargs: Any) -> None:
        # Secrets are masked before validation: a ValidationError (say, temperature=5) shows the
        # inputs it was given, and it must show them as '**********'.
        for name in _SECRET_INPUTS:
            if isinstance(kwargs.get(name), str):
                kwargs[name] = SecretStr(kwargs[name])
        super().__init__(**kwargs)

    @model_validator(mode="after")
    def _check_settings(self) -> Self:
        if "session_token" not in self.model_fields_set and self.session_token is not None:
            # The environment's token belongs to the TENCENTCLOUD_* pair only: with any other
            # SecretId it would make every signature fail.
            env_id = os.environ.get("TENCENTCLOUD_SECRET_ID")
            if self.secret_id is None or self.secret_id.get_secret_value() != env_id:
                self.session_token = None
        # Refuse at construction what every call would refuse, with the same messages.
        validate_options(self._options(None, {}))
        if isinstance(self.max_retries, bool) or self.max_retries < 0:
            raise ValueError(f"max_retries must be a non-negative integer; got {self.max_retries}")
        return self

    # -- credentials and clients --------------------------------------------------------------

    def _client_kwargs(self) -> dict[str, Any]:
        secret_id = self.secret_id
        secret_key = self.secret_key
        if (
            secret_id is None
            and secret_key is None
            and self.api_key is not None
            and self.api_key.get_secret_value().startswith("sk-")
        ):
            # Hand the key to the core so its explanation of console API KEYs is raised.
            secret_id = self.api_key
        return {
            "secret_id": secret_id,
            "secret_key": secret_key,
            "token": self.session_token,
            "base_url": self.base_url,
            "region": self.region,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "retry_policy": self.retry_policy,
            "allow_insecure_http": self.allow_insecure_http,
        }

    def _explain_api_key(self, exc: ConfigurationError) -> ConfigurationError:
        if self.api_key is None or "API KEY" in exc.message:
            return exc
        return ConfigurationError(_API_KEY_NOTE + exc.message)

    def _cached(self, kind: str, factory: Callable[[], _C]) -> _C:
        # Keyed by the settings, not just the instance: a copy made with other settings
        # (``model_copy(update=...)``) or a field changed after the first call gets its own client.
        kwargs = self._client_kwargs()
        key = (
            kind,
            tuple(
                (name, value.get_secret_value() if isinstance(value, SecretStr) else value)
                for name, value in kwargs.items()
            ),
            id(self.http_client),
            id(self.http_async_client),
        )
        client = self._clients.get(key)
        if client is None:
            try:
                client = factory()
            except ConfigurationError as exc:
                explained = self._explain_api_key(exc)
                if explained is exc:
                    raise
                raise explained from exc
            self._clients[key] = client
        return cast("_C", client)

    @property
    def _client(self) -> HunyuanClient:
        """The sync client, created on first use and reused by every call."""
        return self._cached(
            "sync", lambda: HunyuanClient(http_client=self.http_client, **self._client_kwargs())
        )

    @property
    def _async_client(self) -> AsyncHunyuanClient:
        """The async client (one connection pool per event loop), created on first use."""
        return self._cached(
            "async",
            lambda: AsyncHunyuanClient(http_client=self.http_async_client, **self._client_kwargs()),
        )

    def get_num_tokens(self, text: str) -> int:
        """Tokens in ``text`` by Hunyuan's own tokenizer (one ``GetTokenCount`` request)."""
        if not text:
            return 0
        with map_errors():
            response = self._client.call("GetTokenCount", {"Prompt": text})
        return int(response["TokenCount"])

    # -- options ------------------------------------------------------------------------------

    def _merged_stop(self, stop: Sequence[str] | None) -> list[str]:
        return list(dict.fromkeys([*(self.stop or ()), *(stop or ())]))

    def _options(
        self,
        stop: Sequence[str] | None,
        overrides: Mapping[str, Any],
        *,
        tools: tuple[ToolSpec, ...] = (),
        tool_choice: ToolChoice | None = None,
        forced_tool: str | None = None,
    ) -> RunOptions:
        """The options of one call. Unknown keyword arguments are an error, never dropped."""
        unknown = sorted(set(overrides) - CALL_OVERRIDES)
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unexpected keyword argument(s) {', '.join(unknown)}; "
                f"a call accepts {', '.join(sorted(CALL_OVERRIDES))}, stop, and for chat models "
                "tools, tool_choice and response_format."
            )

        def pick(name: str) -> Any:
            return overrides[name] if name in overrides else getattr(self, name)

        return RunOptions(
            model=pick("model"),
            temperature=pick("temperature"),
            top_p=pick("top_p"),
            max_tokens=pick("max_tokens"),
            max_prompt_tokens=pick("max_prompt_tokens"),
            tools=tools,
            tool_choice=tool_choice,
            forced_tool=forced_tool,
            stop=tuple(self._merged_stop(stop)),
            seed=pick("seed"),
            api=self.api,
            thread_id=pick("thread_id"),
        )

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
        params = {
            "model": self.model,
            "api": self.api,
            "base_url": self.base_url,
            "region": self.region,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "max_prompt_tokens": self.max_prompt_tokens,
            "stop": self.stop,
            "seed": self.seed,
            "thread_id": self.thread_id,
        }
        return {k: v for k, v in params.items() if v is not None}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
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
        if stops := self._merged_stop(stop):
            params["ls_stop"] = stops
        return params
