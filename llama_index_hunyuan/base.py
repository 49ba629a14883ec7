"""``Hunyuan``: Tencent Hunyuan as a LlamaIndex ``FunctionCallingLLM``."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

import httpx
from llama_index.core.base.llms.generic_utils import (
    achat_to_completion_decorator,
    astream_chat_to_completion_decorator,
    chat_to_completion_decorator,
    stream_chat_to_completion_decorator,
)
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.bridge.pydantic import Field, PrivateAttr, SecretStr, model_validator
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection

from hunyuan_api import (
    AsyncHunyuanClient,
    ConfigurationError,
    HunyuanClient,
    Message,
    RetryPolicy,
    RunOptions,
    StreamEvent,
    ToolSpec,
    check_tools_supported,
    resolve_tool_choice,
    validate_options,
)
from hunyuan_api._config import API_KEY_HELP, CREDENTIALS_HELP

from ._messages import to_core_messages
from ._models import context_window_for, max_output_for, supports_function_calling
from ._responses import ChatStream, chat_response
from ._tools import keep_first_tool_call, resolve_choice, tool_selections, tool_specs

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = ["Hunyuan"]

DEFAULT_MODEL = "hunyuan-turbo"

#: Keyword arguments ``chat``/``complete`` and friends accept per call: the core's run options.
CALL_OPTIONS = frozenset(f.name for f in dataclasses.fields(RunOptions))

# One lock for every instance: a per-instance lock would not survive pickling (BaseComponent
# drops unpicklable attributes), and client creation is rare and quick.
_CLIENT_LOCK = threading.Lock()


def _secret(value: str | SecretStr | None) -> SecretStr | None:
    if value is None or isinstance(value, SecretStr):
        return value
    return SecretStr(value)


class Hunyuan(FunctionCallingLLM):
    """Tencent Hunyuan chat models (RunThread by default, or ChatCompletions).

    Credentials: ``secret_id``/``secret_key`` (a Tencent Cloud SecretId/SecretKey pair), else
    ``HUNYUAN_SECRET_ID``/``HUNYUAN_SECRET_KEY``, else ``TENCENTCLOUD_SECRET_ID``/``_KEY``
    (+ ``TENCENTCLOUD_SESSION_TOKEN``). They are resolved when the first request is made and never
    serialized. ``base_url`` defaults to ``HUNYUAN_BASE_URL``, then Tencent's endpoint.

    Agent loops continue one RunThread thread per conversation: pass the whole history each turn,
    as LlamaIndex does, and only the new messages are sent (see the project's protocol, §4).
    With ``api="chat_completions"`` (for accounts without RunThread; ``docs/transports.md``)
    there are no threads: each turn sends the history (at most 40 messages) with tool calls and
    call ids carried natively, ``chat``/``complete`` make one non-stream call, and ``seed`` is
    available.

    Notes:
        - ``metadata.is_function_calling_model`` is True exactly for the models the service
          honours tools on (hunyuan-pro, -turbo, -functioncall; on ChatCompletions also the
          turbos/t1 models, ``hunyuan_api.CHAT_COMPLETIONS_TOOL_MODELS``). Others say
          False, so LlamaIndex picks its ReAct/text paths; set ``is_function_calling_model=True``
          for a newer model that takes tools.
        - ``system_prompt`` leads every request that has no system message of its own.
        - Per-call keyword arguments are the core's ``RunOptions`` fields (``temperature``,
          ``max_tokens``, ``stop``, ``thread_id``, ``tools``, ``tool_choice``, ...); anything
          else is a ``TypeError`` rather than silently ignored.
        - Tool calls come back as ``ToolCallBlock``s whose ``tool_kwargs`` is the JSON text the
          model produced (as OpenAI's integration keeps it), and as OpenAI-shaped dicts in
          ``message.additional_kwargs["tool_calls"]``; ``get_tool_calls_from_response`` parses
          either, tolerating partial JSON while streaming.
        - Text is all RunThread carries: image, audio, video and document blocks are refused
          with a ValueError before any request.
        - Reasoning (``hunyuan-t1`` models on ChatCompletions) streams as
          ``additional_kwargs["thinking_delta"]`` and ends as a ``ThinkingBlock``, which is
          never sent back.

    Example:
        ```python
        from llama_index_hunyuan import Hunyuan

        llm = Hunyuan(model="hunyuan-turbo")
        print(llm.complete("Say hello").text)
        ```
    """

    model: str = Field(default=DEFAULT_MODEL, description="The Hunyuan model to use.")
    secret_id: SecretStr | None = Field(
        default=None,
        exclude=True,
        repr=False,
        description="Tencent Cloud SecretId (default: HUNYUAN_SECRET_ID, TENCENTCLOUD_SECRET_ID).",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        exclude=True,
        repr=False,
        description="Tencent Cloud SecretKey (default: HUNYUAN_SECRET_KEY, TENCENTCLOUD_…).",
    )
    session_token: SecretStr | None = Field(
        default=None,
        exclude=True,
        repr=False,
        description="Session token of temporary credentials (X-TC-Token).",
    )
    base_url: str | None = Field(
        default=None,
        description="API endpoint (default: HUNYUAN_BASE_URL, then Tencent's). Alias: api_base.",
    )
    region: str | None = Field(default=None, description="X-TC-Region, e.g. ap-guangzhou.")
    temperature: float | None = Field(
        default=None, ge=0.0, le=2.0, description="Sampling temperature (service default if unset)."
    )
    top_p: float | None = Field(default=None, ge=0.0, le=1.0, description="Nucleus sampling.")
    max_tokens: int | None = Field(
        default=None, ge=0, description="Most tokens to generate (MaxCompletionTokens; 0 = none)."
    )
    max_prompt_tokens: int | None = Field(
        default=None, ge=0, description="Most prompt tokens a RunThread run may use."
    )
    timeout: float = Field(default=60.0, gt=0, description="Seconds per request phase.")
    max_retries: int = Field(
        default=2, ge=0, description="Retries of transient failures before any output arrived."
    )
    thread_id: str | None = Field(
        default=None, description="Pin every run to this RunThread thread (you own its content)."
    )
    stop: list[str] | None = Field(default=None, description="Stop sequences.")
    api: Literal["run_thread", "chat_completions"] = Field(
        default="run_thread", description="The Hunyuan action that answers."
    )
    seed: int | None = Field(default=None, description="ChatCompletions only: sampling seed.")
    allow_insecure_http: bool = Field(
        default=False, description="Allow plain http to a non-loopback base_url."
    )
    context_window: int | None = Field(
        default=None, gt=0, description="Override the model's documented context window."
    )
    is_function_calling_model: bool | None = Field(
        default=None,
        description="Override tool support (default: the models that take tools on `api`).",
    )

    _client: HunyuanClient | None = PrivateAttr(default=None)
    _aclient: AsyncHunyuanClient | None = PrivateAttr(default=None)
    _http_client: httpx.Client | None = PrivateAttr(default=None)
    _async_http_client: httpx.AsyncClient | None = PrivateAttr(default=None)
    _retry_policy: RetryPolicy | None = PrivateAttr(default=None)

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        secret_id: str | SecretStr | None = None,
        secret_key: str | SecretStr | None = None,
        session_token: str | SecretStr | None = None,
        base_url: str | None = None,
        api_base: str | None = None,
        region: str | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        max_tokens: int | None = None,
        max_prompt_tokens: int | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        thread_id: str | None = None,
        stop: Sequence[str] | None = None,
        api: Literal["run_thread", "chat_completions"] = "run_thread",
        seed: int | None = None,
        allow_insecure_http: bool = False,
        context_window: int | None = None,
        is_function_calling_model: bool | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        retry_policy: RetryPolicy | None = None,
        **kwargs: Any,
    ) -> None:
        if "api_key" in kwargs:
            # The same explanation the core gives for an sk-... key, with where to get a pair.
            raise ConfigurationError(
                "api_key= was given. " + API_KEY_HELP + "To fix it: " + CREDENTIALS_HELP
            )
        unknown = sorted(set(kwargs) - set(type(self).model_fields))
        if unknown:
            # Pydantic would drop them silently; a misspelt setting should not go unnoticed.
            raise TypeError(f"Hunyuan got unexpected keyword argument(s): {', '.join(unknown)}")
        if api_base is not None and base_url is not None and api_base != base_url:
            raise ValueError(
                f"base_url={base_url!r} and api_base={api_base!r} disagree; api_base is an "
                "alias of base_url, pass one of them"
            )
        super().__init__(
            model=model,
            secret_id=_secret(secret_id),
            secret_key=_secret(secret_key),
            session_token=_secret(session_token),
            base_url=base_url if base_url is not None else api_base,
            region=region,
            temperature=temperature,
            top_p=top_p,
            max_tokens=max_tokens,
            max_prompt_tokens=max_prompt_tokens,
            timeout=timeout,
            max_retries=max_retries,
            thread_id=thread_id,
            stop=list(stop) if stop is not None else None,
            api=api,
            seed=seed,
            allow_insecure_http=allow_insecure_http,
            context_window=context_window,
            is_function_calling_model=is_function_calling_model,
            **kwargs,
        )
        self._http_client = http_client
        self._async_http_client = async_http_client
        # Backoff between the core's retries (None: 0.5 s doubling to 8 s, with jitter).
        self._retry_policy = retry_policy

    @model_validator(mode="after")
    def _check_settings(self) -> Hunyuan:
        # Refuse at construction what every call would refuse, with the same messages.
        validate_options(self._options({}))
        if self.is_function_calling_model:
            check_tools_supported(self.model, True)
        return self

    @classmethod
    def class_name(cls) -> str:
        return "hunyuan_llm"

    @property
    def api_base(self) -> str | None:
        """Alias of ``base_url`` (the name other LlamaIndex integrations use)."""
        return self.base_url

    @property
    def metadata(self) -> LLMMetadata:
        function_calling = self.is_function_calling_model
        if function_calling is None:
            function_calling = supports_function_calling(self.model, self.api)
        return LLMMetadata(
            context_window=self.context_window or context_window_for(self.model),
            num_output=self.max_tokens or max_output_for(self.model),
            is_chat_model=True,
            is_function_calling_model=function_calling,
            model_name=self.model,
            system_role=MessageRole.SYSTEM,
        )

    # -- clients -------------------------------------------------------------------------------

    def _client_kwargs(self) -> dict[str, Any]:
        return {
            "secret_id": self.secret_id,
            "secret_key": self.secret_key,
            "token": self.session_token,
            "base_url": self.base_url,
            "region": self.region,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "retry_policy": self._retry_policy,
            "allow_insecure_http": self.allow_insecure_http,
        }

    def _get_client(self) -> HunyuanClient:
        if self._client is None:
            with _CLIENT_LOCK:
                if self._client is None:
                    self._client = HunyuanClient(
                        http_client=self._http_client, **self._client_kwargs()
                    )
        return self._client

    def _get_aclient(self) -> AsyncHunyuanClient:
        # One client for every event loop: it keeps a connection pool per loop itself.
        if self._aclient is None:
            with _CLIENT_LOCK:
                if self._aclient is None:
                    self._aclient = AsyncHunyuanClient(
                        http_client=self._async_http_client, **self._client_kwargs()
                    )
        return self._aclient

    # -- requests ------------------------------------------------------------------------------

    def _options(self, overrides: dict[str, Any]) -> RunOptions:
        unknown = sorted(set(overrides) - CALL_OPTIONS)
        if unknown:
            raise TypeError(
                f"Hunyuan got unexpected keyword argument(s) {', '.join(unknown)}; per-call "
                f"options are {', '.join(sorted(CALL_OPTIONS))}"
            )
        if "stop" in overrides:
            overrides["stop"] = tuple(overrides["stop"] or ())
        if "tools" in overrides:
            overrides["tools"] = _as_specs(overrides["tools"])
        choice = overrides.get("tool_choice")
        if choice not in (None, "auto", "none", "custom"):
            # A caller's own chat(tools=..., tool_choice="required" or a name) gets the same
            # mapping as chat_with_tools.
            names = [spec.name for spec in overrides.get("tools", ())]
            overrides["tool_choice"], overrides["forced_tool"] = resolve_tool_choice(choice, names)
        options = RunOptions(
            model=self.model,
            temperature=self.temperature,
            top_p=self.top_p,
            max_tokens=self.max_tokens,
            max_prompt_tokens=self.max_prompt_tokens,
            stop=tuple(self.stop or ()),
            seed=self.seed,
            api=self.api,
            thread_id=self.thread_id,
        )
        return dataclasses.replace(options, **overrides)

    def _request(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]
    ) -> tuple[list[Message], RunOptions]:
        """Everything that can be refused is refused here, before a request is made."""
        history = to_core_messages(messages, self.system_prompt)
        return history, self._options(dict(kwargs))

    def _chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        history, options = self._request(messages, kwargs)
        return chat_response(self._get_client().chat(history, options))

    async def _achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        history, options = self._request(messages, kwargs)
        return chat_response(await self._get_aclient().chat(history, options))

    def _stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        history, options = self._request(messages, kwargs)
        events = self._get_client().stream_chat(history, options)
        return _responses(events)

    async def _astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        history, options = self._request(messages, kwargs)
        events = self._get_aclient().stream_chat(history, options)
        return _aresponses(events)

    # -- chat ----------------------------------------------------------------------------------

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return self._chat(messages, **kwargs)

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return await self._achat(messages, **kwargs)

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        return self._stream_chat(messages, **kwargs)

    @llm_chat_callback()
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        return await self._astream_chat(messages, **kwargs)

    # -- completion (a single user message) ----------------------------------------------------

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return chat_to_completion_decorator(self._chat)(prompt, **kwargs)

    @llm_completion_callback()
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        return await achat_to_completion_decorator(self._achat)(prompt, **kwargs)

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        return stream_chat_to_completion_decorator(self._stream_chat)(prompt, **kwargs)

    @llm_completion_callback()
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        return await astream_chat_to_completion_decorator(self._astream_chat)(prompt, **kwargs)

    # -- tools ---------------------------------------------------------------------------------

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: str | dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """The ``chat`` arguments for a call with tools, in the core's terms: ``tools`` (specs),
        ``tool_choice`` (auto/none/custom) and ``forced_tool``."""
        specs = tool_specs(tools)
        check_tools_supported(kwargs.get("model", self.model), bool(specs))
        choice, forced = resolve_choice(tool_choice, tool_required, specs)
        messages = list(chat_history or [])  # never the caller's list
        if isinstance(user_msg, str):
            user_msg = ChatMessage(role=MessageRole.USER, content=user_msg)
        if user_msg is not None:
            messages.append(user_msg)
        return {
            "messages": messages,
            "tools": specs,
            "tool_choice": choice,
            "forced_tool": forced,
            **kwargs,
        }

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[BaseTool],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        # Hunyuan has no switch for parallel calls, so honour the request on the reply.
        if not allow_parallel_tool_calls:
            keep_first_tool_call(response)
        return response

    def get_tool_calls_from_response(
        self,
        response: ChatResponse,
        error_on_no_tool_call: bool = True,
        **kwargs: Any,
    ) -> list[ToolSelection]:
        return tool_selections(response, error_on_no_tool_call)


def _as_specs(tools: object) -> tuple[ToolSpec, ...]:
    if not tools:
        return ()
    if not isinstance(tools, Sequence):
        raise TypeError(f"tools must be a sequence of ToolSpec or LlamaIndex tools; got {tools!r}")
    if all(isinstance(t, ToolSpec) for t in tools):
        return tuple(tools)
    if all(hasattr(t, "metadata") for t in tools):
        return tool_specs(tools)
    raise TypeError("tools must be hunyuan_api.ToolSpec objects or LlamaIndex tools")


def _responses(events: Iterator[StreamEvent]) -> ChatResponseGen:
    stream = ChatStream()
    try:
        for event in events:
            yield stream.feed(event)
    finally:
        # An early stop closes the run at once: the connection is released and the thread
        # ledger learns the thread's content is unknown.
        close = getattr(events, "close", None)
        if close is not None:
            close()


async def _aresponses(events: AsyncIterator[StreamEvent]) -> ChatResponseAsyncGen:
    stream = ChatStream()
    try:
        async for event in events:
            yield stream.feed(event)
    finally:
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()
