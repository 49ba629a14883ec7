"""``HunyuanSettings``: every setting of a Hunyuan client, with its environment variables,
defaults and validation, in one place.

The clients take it, and both adapters inherit it (``ChatHunyuan``, ``HunyuanLLM`` and the
LlamaIndex ``Hunyuan`` are ``HunyuanSettings`` subclasses), so a new setting is one field here.
The environment is read when a settings object is built; secrets stay ``SecretStr`` until the
signing call and never enter a pickle (an unpickled copy reads them from the environment again).
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import inspect
import math
import os
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import httpx
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import PydanticOmit
from typing_extensions import Self

from ._retry import RetryPolicy
from ._run.threads import ThreadLedger
from ._run.tokens import TokenCounting
from ._types import Api, RunOptions, ToolChoice, ToolSpec
from ._wire.validation import validate_options

__all__ = [
    "CALL_OVERRIDES",
    "CONNECTION_FIELDS",
    "REQUEST_FIELDS",
    "SECRET_FIELDS",
    "ConnectionSettings",
    "HunyuanSettings",
    "mask_secrets",
]

#: Settings a single call may override (``invoke(..., temperature=0.2)``, ``chat(..., model=)``).
#: The settings that are request options: each becomes the ``RunOptions`` field of its name.
REQUEST_FIELDS = (
    "model",
    "temperature",
    "top_p",
    "max_tokens",
    "max_prompt_tokens",
    "seed",
    "thread_id",
    "enable_enhancement",
    "force_search_enhancement",
    "citation",
    "enable_speed_search",
    "search_info",
    "stream_moderation",
    "reasoning_effort",
)

#: Settings a single call may override (``invoke(..., temperature=0.2)``, ``chat(..., model=)``).
CALL_OVERRIDES = frozenset({*REQUEST_FIELDS, "stop", "model_kwargs"})

#: The settings that shape a client (two settings objects equal on these share one client).
CONNECTION_FIELDS = (
    "api",
    "secret_id",
    "secret_key",
    "session_token",
    "api_key",
    "base_url",
    "region",
    "timeout",
    "max_retries",
    "retry_policy",
    "token_counting",
    "allow_insecure_http",
    "ca_bundle",
    "pool_size",
    "ledger",
    "resume_threads",
    "thread_reserve",
    "http_client",
    "http_async_client",
)

SECRET_FIELDS = ("secret_id", "secret_key", "session_token", "api_key")

#: Every keyword that may carry a secret: field names and their aliases.
_SECRET_INPUTS = (
    *SECRET_FIELDS,
    "hunyuan_secret_id",
    "hunyuan_secret_key",
    "token",
    "hunyuan_api_key",
)


def mask_secrets(data: dict[str, Any]) -> None:
    """Wrap, in place, every plain-text secret among keyword arguments in ``SecretStr``, so
    that neither an error message nor a traceback's locals (the ``**kwargs`` of a constructor)
    can show it."""
    for name in _SECRET_INPUTS:
        if isinstance(data.get(name), str):
            data[name] = SecretStr(data[name])


def _env_secret(name: str, partner: str, fallback: str) -> Callable[[], SecretStr | None]:
    """A credential from ``name``, else from the TENCENTCLOUD_* pair, but never one half from
    each family: with either HUNYUAN_* variable set, the pair is HUNYUAN_*."""

    # The value goes straight into SecretStr: no frame binds it to a name.
    def factory() -> SecretStr | None:
        if os.environ.get(name):
            return SecretStr(os.environ[name])
        if os.environ.get(fallback) and not os.environ.get(partner):
            return SecretStr(os.environ[fallback])
        return None

    return factory


def _env(*names: str, secret: bool = False) -> Callable[[], Any]:
    def factory() -> Any:
        for name in names:
            if os.environ.get(name):
                return SecretStr(os.environ[name]) if secret else os.environ[name]
        return None

    return factory


def _env_count(name: str, default: int) -> Callable[[], int]:
    def factory() -> int:
        raw = os.environ.get(name, "").strip()
        if not raw:
            return default
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{name} must be a whole number; got {raw!r}") from None

    return factory


def _refuse_unknown(cls: type[BaseModel], data: Mapping[str, Any]) -> None:
    """A misspelt setting is a TypeError that names it (and what it may have meant), as for
    any Python call, instead of a value pydantic would drop or a generic validation error."""
    known: set[str] = set()
    for name, info in cls.model_fields.items():
        known.add(name)
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            known.update(str(choice) for choice in alias.choices)
        elif isinstance(alias, str):
            known.add(alias)
    unknown = sorted(set(data) - known)
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, known, n=1)
            hints.append(f"{name} (did you mean {close[0]}?)" if close else name)
        raise TypeError(f"{cls.__name__} got unexpected keyword argument(s): {', '.join(hints)}")


def _secret(
    env: tuple[str, ...], *, pair: str | None = None, aliases: tuple[str, ...], description: str
) -> Any:
    """A credential read from ``env``; with ``pair``, the second variable is a fallback taken
    only while ``pair`` (the other half's first variable) is unset."""
    factory = _env_secret(env[0], pair, env[1]) if pair else _env(*env, secret=True)
    return _setting(secret=True, factory=factory, env=env, aliases=aliases, description=description)


def _setting(
    default: Any = None,
    *,
    description: str,
    env: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
    factory: Callable[[], Any] | None = None,
    exclude: bool = False,
    strict: bool = False,
    secret: bool = False,
) -> Any:
    """A field with its description, its environment variables (read at construction) and the
    other names it is accepted under."""
    extra: dict[str, Any] = {"env": list(env)} if env else {}
    # A secret is never serialized and never shown, not even masked.
    kwargs: dict[str, Any] = {"description": description, "exclude": exclude or secret}
    if secret:
        kwargs["repr"] = False
    if strict:
        kwargs["strict"] = True
    if extra:
        kwargs["json_schema_extra"] = extra
    if aliases:
        kwargs["validation_alias"] = AliasChoices(*aliases)
    if factory is not None or env:
        kwargs["default_factory"] = factory or _env(*env)
    else:
        kwargs["default"] = default
    return Field(**kwargs)


class _JsonSettingsSchema(GenerateJsonSchema):
    def handle_invalid_for_json_schema(self, schema: Any, error_info: str) -> JsonSchemaValue:
        raise PydanticOmit


@functools.cache
def _wrapped(description: str) -> tuple[str, ...]:
    # Once per description, not once per class that lists it (wrapping is most of the cost).
    # Never broken inside a word: model names (hy3-preview) and URLs stay whole.
    return tuple(
        textwrap.wrap(
            description,
            width=88,
            initial_indent=" " * 8,
            subsequent_indent=" " * 8,
            break_on_hyphens=False,
            break_long_words=False,
        )
    )


def with_settings_section(cls: type[ConnectionSettings]) -> str:
    """``cls``'s docstring followed by a "Settings" section: each setting (the core's and the
    class's own) with its other names, environment variables and description. Pydantic fields
    are not class attributes, so without it ``help()`` and ``?`` would describe none."""
    own: set[str] = set()
    for klass in cls.__mro__:
        if isinstance(klass, type) and issubclass(klass, (ConnectionSettings, _CallSettings)):
            own.update(inspect.get_annotations(klass))
    lines = ["Settings:"]
    for name, info in cls.model_fields.items():
        if name not in own or not info.description:
            continue
        notes = (
            [f"also {', '.join(map(str, info.validation_alias.choices))}"]
            if isinstance(info.validation_alias, AliasChoices)
            else []
        )
        extra = info.json_schema_extra
        if isinstance(extra, Mapping) and extra.get("env"):
            notes.append(f"env {', '.join(extra['env'])}")  # type: ignore[arg-type]
        lines.append(f"    {name}" + (f" ({'; '.join(notes)})" if notes else ""))
        lines += _wrapped(info.description)
    doc = inspect.cleandoc(cls.__doc__ or "")
    if len(lines) == 1:
        return doc
    return f"{doc}\n\n" + "\n".join(lines) + "\n"


class _CallSettings(BaseModel):
    """The request defaults each chat call starts from (the first half of ``HunyuanSettings``)."""

    model_config = ConfigDict(
        populate_by_name=True,
        extra="forbid",
        arbitrary_types_allowed=True,
        protected_namespaces=(),
        # Validators are built when a class is first validated: the adapters' model classes
        # (which set it back to False) inherit these fields but never validate these bases, so
        # importing an adapter does not build them.
        defer_build=True,
    )

    # -- what each call asks for ----------------------------------------------------------------

    model: str = _setting(
        "hunyuan-turbo",
        aliases=("model_name",),
        description="Model name, e.g. hunyuan-turbo, hunyuan-turbos-latest, hunyuan-t1-latest.",
    )
    temperature: float | None = _setting(
        description="Sampling temperature in [0, 2]; None leaves the service default."
    )
    top_p: float | None = _setting(
        description="Nucleus sampling in [0, 1]; None leaves the service default."
    )
    max_tokens: int | None = _setting(
        aliases=("max_completion_tokens",),
        description=(
            "Upper bound on generated tokens (0 = no limit): RunThread's MaxCompletionTokens; "
            "ChatCompletions has no such field, so the client ends the stream once the reported "
            "usage reaches it."
        ),
    )
    max_prompt_tokens: int | None = _setting(
        description="Upper bound on prompt tokens a run may use (MaxPromptTokens; RunThread only)."
    )
    stop: list[str] | None = _setting(
        aliases=("stop_sequences",),
        description=(
            "Stop sequences (a string is one sequence), merged with those given per call. The "
            "output ends before the first match, cut client-side on every API."
        ),
    )
    seed: int | None = _setting(
        description="Sampling seed in [1, 10000]; ChatCompletions only (RunThread has no Seed)."
    )
    thread_id: str | None = _setting(
        description=(
            "A RunThread thread you own: every call appends exactly the messages it is given "
            "there, instead of the automatic continue-or-replay choice."
        )
    )

    enable_enhancement: bool | None = _setting(
        description=(
            "Search enhancement (EnableEnhancement / enable_enhancement; billed as search): "
            "ChatCompletions and the OpenAI-compatible endpoint. None leaves the service "
            "default, off since 2025-04-20."
        )
    )
    force_search_enhancement: bool | None = _setting(
        description="Search even when the model would not (ForceSearchEnhancement).",
    )
    citation: bool | None = _setting(
        description="Cite search results in the text, with search enhancement on (Citation).",
    )
    enable_speed_search: bool | None = _setting(
        description="The faster search variant (EnableSpeedSearch).",
    )
    search_info: bool | None = _setting(
        description=(
            "Return the search results (SearchInfo): LangChain response_metadata and LlamaIndex "
            "additional_kwargs carry them as search_info."
        ),
    )
    stream_moderation: bool | None = _setting(
        description=(
            "Moderate a stream as it is produced (StreamModeration; ChatCompletions). A "
            "sensitive finish raises ContentFilterError either way."
        ),
    )
    reasoning_effort: str | None = _setting(
        description=(
            "Reasoning effort (low, medium, high) of reasoning models on the OpenAI-compatible "
            "endpoint, e.g. TokenHub's hy3-preview."
        )
    )
    model_kwargs: dict[str, Any] | None = _setting(
        aliases=("additional_kwargs", "extra_body"),
        description=(
            "Request fields this plugin does not model yet, sent as given under their wire "
            "names (EnableThinking on API 3.0, enable_thinking on the OpenAI-compatible "
            "endpoint). A field it does model is refused here, naming the setting to use."
        ),
    )

    @field_validator("stop", mode="before")
    @classmethod
    def _one_stop_string(cls, value: object) -> object:
        # stop="Hangzhou" is one sequence, not eight one-character ones.
        return [value] if isinstance(value, str) else value


class ConnectionSettings(BaseModel):
    """Credentials, endpoint, transport and retries: what every client needs, whatever it asks
    the service. ``HunyuanSettings`` adds the chat request defaults; ``EmbeddingSettings`` the
    embedding model and its concurrency."""

    model_config = _CallSettings.model_config

    # -- where requests go and how -----------------------------------------------------------------

    api: Api = _setting(
        "run_thread",
        description=(
            "run_thread (threads keep the history on the service), chat_completions (no "
            "threads, native tool histories, seed, non-stream calls), both signed with a "
            "SecretId/SecretKey pair; or openai (the OpenAI-compatible endpoint, with a console "
            "API KEY). Unset: run_thread with a pair, openai with only an API KEY. See "
            "docs/transports.md."
        ),
    )
    secret_id: SecretStr | None = _secret(
        ("HUNYUAN_SECRET_ID", "TENCENTCLOUD_SECRET_ID"),
        pair="HUNYUAN_SECRET_KEY",
        aliases=("hunyuan_secret_id",),
        description="Tencent Cloud SecretId of the pair that signs API 3.0 requests.",
    )
    secret_key: SecretStr | None = _secret(
        ("HUNYUAN_SECRET_KEY", "TENCENTCLOUD_SECRET_KEY"),
        pair="HUNYUAN_SECRET_ID",
        aliases=("hunyuan_secret_key",),
        description="Tencent Cloud SecretKey of that pair.",
    )
    session_token: SecretStr | None = _secret(
        ("TENCENTCLOUD_SESSION_TOKEN",),
        aliases=("token",),
        description=(
            "Session token of temporary credentials, sent as X-TC-Token (from the environment "
            "only together with the TENCENTCLOUD_* pair)."
        ),
    )
    api_key: SecretStr | None = _secret(
        ("HUNYUAN_API_KEY",),
        aliases=("hunyuan_api_key",),
        description=(
            "A Hunyuan console API KEY (sk-...) or a TokenHub key, sent as a Bearer token to "
            "the OpenAI-compatible endpoint (api='openai'). It cannot sign RunThread or "
            "ChatCompletions."
        ),
    )
    base_url: str | None = _setting(
        env=("HUNYUAN_BASE_URL",),
        aliases=("api_base",),
        description=(
            "API endpoint: default https://hunyuan.tencentcloudapi.com (API 3.0), or "
            "https://api.hunyuan.cloud.tencent.com/v1 for api='openai' (TokenHub: "
            "https://tokenhub.tencentmaas.com/v1); plain http only to loopback (the emulator) "
            "unless allow_insecure_http=True."
        ),
    )
    region: str | None = _setting(
        env=("HUNYUAN_REGION", "TENCENTCLOUD_REGION"),
        description="Tencent Cloud region sent as X-TC-Region, e.g. ap-guangzhou.",
    )
    timeout: float | None = _setting(
        aliases=("request_timeout",),
        description=(
            "Seconds allowed for each phase of a request, including each wait for the next "
            "streamed byte and for the next complete frame; None means 60."
        ),
    )
    max_retries: int = _setting(
        2,
        strict=True,
        description=(
            "Retries of transient failures (rate limits, server errors, dropped connections), "
            "made only before any output reached the caller."
        ),
    )
    retry_policy: RetryPolicy | None = _setting(
        exclude=True,
        description=(
            "Backoff between those retries (hunyuan_api.RetryPolicy); None means 0.5 s doubling "
            "to at most 8 s, each wait shortened by up to half at random."
        ),
    )
    token_counting: TokenCounting = _setting(
        "service",
        description=(
            "How get_num_tokens and trim_messages count: service (Hunyuan's GetTokenCount, one "
            "request per distinct text the client has not counted before; a failure to reach it "
            "raises), service_or_estimate (the same, estimating what the service could not be "
            "reached for), or estimate (never a request). The OpenAI-compatible endpoint has no "
            "counting action and always estimates."
        ),
    )
    allow_insecure_http: bool = _setting(
        False,
        description=(
            "Allow plain http:// to a non-loopback host (signed requests would travel unencrypted)."
        ),
    )
    ca_bundle: str | None = _setting(
        env=("HUNYUAN_CA_BUNDLE",),
        description=(
            "A PEM file (or a directory) of CA certificates to trust instead of the default "
            "bundle, e.g. a corporate proxy's CA; certificates are always verified. Proxies come "
            "from HTTPS_PROXY/HTTP_PROXY/ALL_PROXY/NO_PROXY, for the sync and async clients alike."
        ),
    )
    pool_size: int = _setting(
        4,
        strict=True,
        description=(
            "Async client: at most pool_size × 256 connections on direct routes (its own "
            "HTTP/1.1 transport, one pool); through a proxy, connections per httpcore pool, "
            "more pools opening as load grows (docs/benchmarks.md explains the default)."
        ),
    )
    ledger: ThreadLedger | None = _setting(
        exclude=True,
        description=(
            "The thread ledger that remembers which RunThread thread holds which history; None "
            "means the process-wide one."
        ),
    )
    resume_threads: bool = _setting(
        True,
        description=(
            "Let replies carry a thread token (metadata hunyuan_thread) and continue a RunThread "
            "thread from it in any process, after checking nobody else wrote to the thread "
            "(docs/threads.md). False: threads stay with the process that made them, and a "
            "history this process's ledger does not know is replayed on a fresh thread."
        ),
    )
    thread_reserve: int = _setting(
        strict=True,
        env=("HUNYUAN_THREAD_RESERVE",),
        factory=_env_count("HUNYUAN_THREAD_RESERVE", 2),
        description=(
            "RunThread threads each client creates ahead of need, so that a new conversation "
            "starts with one round trip (RunThread) instead of two (CreateThread first); "
            "refilled in the background, at most this many left unused when the process ends. "
            "0: every thread is created inline (docs/threads.md)."
        ),
    )
    http_client: httpx.Client | None = _setting(
        exclude=True, description="Your own httpx.Client for synchronous requests."
    )
    http_async_client: httpx.AsyncClient | None = _setting(
        exclude=True,
        aliases=("async_http_client",),
        description="Your own httpx.AsyncClient for asynchronous requests.",
    )

    _ALIASES_THAT_MUST_AGREE: ClassVar[tuple[tuple[str, str], ...]] = (("base_url", "api_base"),)
    #: What a model uses but does not own: a deep copy shares these instead of copying them.
    _SHARED: ClassVar[tuple[str, ...]] = ("http_client", "http_async_client", "ledger")
    #: What cannot travel in a pickle (sockets, locks, pools); the caller's objects, so they
    #: are refused by name rather than replaced behind the caller's back.
    _UNPICKLABLE: ClassVar[tuple[str, ...]] = ("http_client", "http_async_client")

    def __init__(self, /, **data: Any) -> None:
        # Secrets are masked before validation: a ValidationError (say, temperature=5) shows the
        # inputs it was given, and it must show them as '**********'.
        mask_secrets(data)
        _refuse_unknown(type(self), data)
        for name, alias in self._ALIASES_THAT_MUST_AGREE:
            if data.get(name) is not None and data.get(alias) not in (None, data[name]):
                raise ValueError(
                    f"{name}={data[name]!r} and {alias}={data[alias]!r} disagree; {alias} is an "
                    f"alias of {name}, pass one of them"
                )
        super().__init__(**data)

    @field_validator("timeout")
    @classmethod
    def _positive_timeout(cls, value: float | None) -> float | None:
        if value is not None and (not math.isfinite(value) or value <= 0):
            raise ValueError(f"timeout must be a positive number of seconds; got {value!r}")
        return value

    @field_validator("ca_bundle")
    @classmethod
    def _existing_bundle(cls, value: str | None) -> str | None:
        if value and not os.path.exists(value):
            raise ValueError(
                f"ca_bundle {value!r} does not exist; give the path of a PEM file or directory "
                "of CA certificates (or leave it unset for the default bundle)"
            )
        return value or None

    @field_validator("max_retries")
    @classmethod
    def _non_negative_retries(cls, value: int) -> int:
        if value < 0:
            raise ValueError(f"max_retries must be a non-negative integer; got {value!r}")
        return value

    @field_validator("pool_size")
    @classmethod
    def _positive_pool(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"pool_size must be at least 1; got {value!r}")
        return value

    @field_validator("thread_reserve")
    @classmethod
    def _bounded_reserve(cls, value: int) -> int:
        # Every reserved thread is one the process may leave unused: a handful, not a pool.
        if not 0 <= value <= 16:
            raise ValueError(f"thread_reserve must be between 0 and 16; got {value!r}")
        return value

    @model_validator(mode="after")
    def _check_connection(self) -> Self:
        if "api" not in self.model_fields_set and self.api_key is not None and not self.has_pair:
            # The key the console hands out opens the OpenAI-compatible endpoint, and only it.
            object.__setattr__(self, "api", "openai")
        if (
            "session_token" not in self.model_fields_set
            and self.session_token is not None
            and not self._secret_id_from_env()
        ):
            # The environment's token belongs to the TENCENTCLOUD_* pair only: with any other
            # SecretId it would make every signature fail.
            object.__setattr__(self, "session_token", None)
        return self

    def _secret_id_from_env(self) -> bool:
        # Compared in place: neither id is bound to a name (a traceback's locals stay clean).
        return self.secret_id is not None and self.secret_id.get_secret_value() == os.environ.get(
            "TENCENTCLOUD_SECRET_ID"
        )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.__doc__ = with_settings_section(cls)

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The JSON Schema of the settings a JSON document can carry, under their own names
        (aliases are other spellings) and with their descriptions. Objects with no JSON form
        (an ``httpx.Client``, a ``ThreadLedger``, a framework's callables) are left out rather
        than making the whole schema fail."""
        kwargs.setdefault("by_alias", False)
        kwargs.setdefault("schema_generator", _JsonSettingsSchema)
        return super().model_json_schema(*args, **kwargs)

    # -- copies and pickles: never a secret, never a socket ---------------------------------------

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        memo = {} if memo is None else memo
        for name in self._SHARED:
            value = self.__dict__.get(name)
            if value is not None:
                memo.setdefault(id(value), value)
        return super().__deepcopy__(memo)

    def __getstate__(self) -> dict[Any, Any]:
        for name in self._UNPICKLABLE:
            if self.__dict__.get(name) is not None:
                raise TypeError(
                    f"cannot pickle {type(self).__name__} with {name}= set: an httpx client "
                    "holds sockets and locks. Pickle it without one (its own client is built "
                    f"on first use after unpickling), or set {name} again after unpickling."
                )
        state = super().__getstate__()
        fields = dict(state["__dict__"])
        for name in SECRET_FIELDS:
            fields.pop(name, None)
        state["__dict__"] = fields
        state["__pydantic_fields_set__"] = set(state["__pydantic_fields_set__"]) - set(
            SECRET_FIELDS
        )
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        # Secrets were left out of the pickle; the copy takes them from the environment.
        for name in SECRET_FIELDS:
            if name not in self.__dict__:
                info = type(self).model_fields[name]
                factory = info.default_factory
                value = factory() if factory is not None else info.default  # type: ignore[call-arg]
                object.__setattr__(self, name, value)

    # -- what the settings mean ------------------------------------------------------------------

    @property
    def has_pair(self) -> bool:
        """Whether a SecretId/SecretKey pair is set (it signs API 3.0 requests)."""
        return self.secret_id is not None and self.secret_key is not None

    def core_settings(self) -> HunyuanSettings:
        """These settings alone, as a plain ``HunyuanSettings`` (an adapter's other fields and
        state are left behind, so a client never holds on to the model that built it; settings
        that are not chat settings keep their connection settings only)."""
        if type(self) is HunyuanSettings:
            return self
        names = (
            tuple(HunyuanSettings.model_fields)
            if isinstance(self, HunyuanSettings)
            else CONNECTION_FIELDS
        )
        return HunyuanSettings.model_construct(
            _fields_set=self.model_fields_set & set(names),
            **{name: getattr(self, name) for name in names},
        )

    @classmethod
    def env_vars(cls) -> dict[str, tuple[str, ...]]:
        """Each setting read from the environment, with its variables in order of precedence."""
        out: dict[str, tuple[str, ...]] = {}
        for name in cls.setting_names():
            extra = HunyuanSettings.model_fields[name].json_schema_extra
            if isinstance(extra, Mapping) and extra.get("env"):
                out[name] = tuple(extra["env"])  # type: ignore[arg-type]
        return out

    @staticmethod
    def setting_names() -> tuple[str, ...]:
        """The names of the settings every client and adapter shares, in documentation order."""
        return tuple(HunyuanSettings.model_fields)

    def client_key(self) -> str:
        """A digest of the connection settings: equal keys may share one client. Secrets enter
        it only hashed, so the key may be logged or kept without exposing them."""
        digest = hashlib.sha256()
        for name in CONNECTION_FIELDS:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = hashlib.sha256(value.get_secret_value().encode()).hexdigest()
            elif isinstance(value, (httpx.Client, httpx.AsyncClient, ThreadLedger, RetryPolicy)):
                value = f"{type(value).__name__}@{id(value)}"
            digest.update(f"{name}={value!r};".encode())
        return digest.hexdigest()


# Its subclasses get theirs from __pydantic_init_subclass__.
ConnectionSettings.__doc__ = with_settings_section(ConnectionSettings)


class HunyuanSettings(ConnectionSettings, _CallSettings):
    """Every setting of a chat client: credentials, endpoint, transport, retries, and the request
    defaults each call starts from (listed first). ``HunyuanSettings.env_vars()`` lists the
    environment variables."""

    model_config = _CallSettings.model_config

    @model_validator(mode="after")
    def _check_options(self) -> Self:
        # Refuse at construction what every call would refuse, with the same messages.
        validate_options(self.run_options())
        return self

    def run_options(
        self,
        stop: Sequence[str] | str | None = None,
        overrides: Mapping[str, Any] | None = None,
        *,
        tools: tuple[ToolSpec, ...] = (),
        tool_choice: ToolChoice | None = None,
        forced_tool: str | None = None,
        parallel_tool_calls: bool | None = None,
    ) -> RunOptions:
        """The options of one call: these settings, ``overrides`` (names in ``CALL_OVERRIDES``;
        anything else is a TypeError, never dropped), extra ``stop`` sequences, and the tool
        options a framework passes per call."""
        overrides = overrides or {}
        unknown = sorted(set(overrides) - CALL_OVERRIDES)
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unexpected keyword argument(s) {', '.join(unknown)}; "
                f"a call accepts {', '.join(sorted(CALL_OVERRIDES))}, and tools, tool_choice "
                "and parallel_tool_calls where the framework has them."
            )

        def pick(name: str) -> Any:
            return overrides[name] if name in overrides else getattr(self, name)

        extra = {**(self.model_kwargs or {}), **(overrides.get("model_kwargs") or {})}
        return RunOptions(
            **{name: pick(name) for name in REQUEST_FIELDS},
            tools=tools,
            tool_choice=tool_choice,
            forced_tool=forced_tool,
            parallel_tool_calls=parallel_tool_calls,
            stop=merge_stop(pick("stop"), stop),
            api=self.api,
            extra_fields=extra,
        )

    def identifying_params(self) -> dict[str, Any]:
        """The settings that identify what a call does (no secrets, no clients)."""
        names = (
            "model",
            "api",
            "base_url",
            "region",
            "temperature",
            "top_p",
            "max_tokens",
            "max_prompt_tokens",
            "stop",
            "seed",
            "thread_id",
        )
        return {n: v for n in names if (v := getattr(self, n)) is not None}


def merge_stop(*groups: Sequence[str] | str | None) -> tuple[str, ...]:
    """Stop sequences from several places, in order, without repeats; a string is one sequence."""
    out: dict[str, None] = {}
    for group in groups:
        if isinstance(group, str):
            group = (group,)
        for stop in group or ():
            out[stop] = None
    return tuple(out)
