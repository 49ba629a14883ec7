"""``Hunyuan``: Tencent Hunyuan as a LlamaIndex ``FunctionCallingLLM``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

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
from llama_index.core.bridge.pydantic import ConfigDict, Field, PrivateAttr
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection

from hunyuan_api import (
    AsyncHunyuanClient,
    HunyuanClient,
    HunyuanSettings,
    Message,
    RunOptions,
    ToolSpec,
    model_info,
)
from hunyuan_api.adapter import ClientCache, check_tools_supported, resolve_tool_choice

from ._messages import to_core_messages
from ._responses import astream_responses, chat_response, stream_responses
from ._tools import resolve_choice, tool_selections, tool_specs

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = ["Hunyuan"]


class Hunyuan(HunyuanSettings, FunctionCallingLLM):
    """Tencent Hunyuan chat models as a LlamaIndex ``FunctionCallingLLM``, on the RunThread API
    (the default with a SecretId/SecretKey pair), ChatCompletions (``api="chat_completions"``)
    or the OpenAI-compatible endpoint (``api="openai"``, the default with only a console API
    KEY); see ``docs/transports.md``. Import it as ``llama_index.llms.hunyuan.Hunyuan`` (as every
    LlamaIndex LLM integration is imported) or ``llama_index_hunyuan.Hunyuan``: the same class.

    Setup:
        Install the distribution with its LlamaIndex extra, and set a Tencent Cloud
        SecretId/SecretKey pair:

        ```bash
        pip install 'hunyuan-langchain-llamaindex[llamaindex]'
        export HUNYUAN_SECRET_ID="AKID..." HUNYUAN_SECRET_KEY="..."
        ```

    Key init args — completion params:
        `model` (default hunyuan-turbo), `temperature`, `max_tokens` (also
        ``metadata.num_output``), `stop`, `system_prompt` (leads every request without a
        system message of its own), `context_window` and `is_function_calling_model`
        (override what the model catalog says).

    Key init args — client params:
        `api` (openai when only a console `api_key` is given), `secret_id` and `secret_key`
        (else the environment; checked at the first request, never serialized), `base_url`,
        `timeout`, `max_retries`, `pool_size`.
        "Settings" at the end describes every setting.

    Instantiate:
        ```python
        from llama_index.llms.hunyuan import Hunyuan

        llm = Hunyuan(model="hunyuan-turbo", temperature=0.3)
        print(llm.metadata.context_window, llm.metadata.is_function_calling_model)
        ```

        ``metadata`` comes from the model catalog (``hunyuan_api.model_info``): the model's
        context window, output limit and tool support on the chosen API.
        ``is_function_calling_model`` is True exactly for the models the service honours
        tools on; others say False, so LlamaIndex picks its ReAct/text paths. The fields
        ``context_window`` and ``is_function_calling_model`` override them.

    Invoke:
        ```python
        from llama_index.core.llms import ChatMessage

        print(llm.complete("Where is Guilin?").text)
        response = llm.chat(
            [
                ChatMessage(role="system", content="You are a terse travel guide."),
                ChatMessage(role="user", content="What should I see in Hangzhou?"),
            ]
        )
        print(response.message.content)
        ```

        Agent loops continue one RunThread thread per conversation: pass the whole history
        each turn, as LlamaIndex does, and only the new messages are sent. On ChatCompletions
        each turn sends the history (at most 40 messages), and ``chat``/``complete`` make one
        non-stream call.

    Stream:
        ```python
        for chunk in llm.stream_complete("Where is Guilin?"):
            print(chunk.delta, end="")
        for chunk in llm.stream_chat([ChatMessage(role="user", content="Hello")]):
            print(chunk.delta, end="")
        ```

    Async:
        ```python
        import asyncio


        async def main() -> None:
            print((await llm.acomplete("Where is Guilin?")).text)
            async for chunk in await llm.astream_chat([ChatMessage(role="user", content="Hi")]):
                print(chunk.delta, end="")


        asyncio.run(main())
        ```

    Tool calling:
        ```python
        from llama_index.core.tools import FunctionTool


        def get_weather(city: str) -> str:
            '''Get today's weather for a city.'''
            return f"{city}: sunny, 26°C"


        tool = FunctionTool.from_defaults(get_weather)
        response = llm.chat_with_tools([tool], user_msg="What is the weather in Shenzhen?")
        print(llm.get_tool_calls_from_response(response))
        print(llm.predict_and_call([tool], user_msg="What is the weather in Shenzhen?"))
        ```

        ```text
        [ToolSelection(tool_id='call_...', tool_name='get_weather',
                       tool_kwargs={'city': 'Shenzhen'})]
        Shenzhen: sunny, 26°C
        ```

        Tool calls come back as ``ToolCallBlock``s and as OpenAI-shaped dicts in
        ``message.additional_kwargs["tool_calls"]``. ``allow_parallel_tool_calls=False`` (the
        default of ``chat_with_tools``) keeps the first call, streamed or not: sent as
        ``parallel_tool_calls`` on ``api="openai"``, enforced by the client on RunThread and
        ChatCompletions, which have no such switch. ``tool_required=True`` and a named
        ``tool_choice`` map to Hunyuan's ``custom`` (README "tool_choice").

    Structured output:
        ```python
        from llama_index.core.prompts import PromptTemplate
        from pydantic import BaseModel


        class Song(BaseModel):
            '''A song with its title and length.'''

            title: str
            length_seconds: int


        prompt = PromptTemplate('Write a song called "{name}" that lasts {seconds} seconds.')
        print(llm.structured_predict(Song, prompt, name="Blue", seconds=180))
        ```

        ``structured_predict`` and ``as_structured_llm`` force the schema as the one tool.

    Token usage:
        ```python
        response = llm.complete("Where is Guilin?")
        usage = response.additional_kwargs
        print(usage["prompt_tokens"], usage["completion_tokens"], usage["total_tokens"])
        ```

        ``raw["usage"]`` has the same numbers (and ``cached_tokens``); a stream reports them
        on its last chunk.

    Response metadata:
        ```python
        print(response.additional_kwargs)
        ```

        ```text
        {'model_name': 'hunyuan-turbo', 'finish_reason': 'stop', 'thread_id': 'thread_...',
         'run_id': 'run_...', 'message_id': 'msg_...', 'request_id': '...',
         'continued_thread': False, 'messages_sent': 1, 'token_usage': {...},
         'prompt_tokens': 4, 'completion_tokens': 20, 'total_tokens': 24}
        ```

        The keys of LangChain's ``response_metadata`` (``hunyuan_api.adapter.METADATA_KEYS``),
        plus the usage counts LlamaIndex's own integrations put there.

    Notes:
        - Per-call keyword arguments are the core's call options (``temperature``,
          ``max_tokens``, ``stop``, ``thread_id``, ``tools``, ``tool_choice``,
          ``parallel_tool_calls``, ...); anything else is a ``TypeError`` rather than silently
          ignored.
        - Images (``ImageBlock``) reach vision models on ChatCompletions and
          ``api="openai"``; RunThread carries text only, and audio, video and document blocks
          are refused with a ValueError before any request.
        - ``get_tool_calls_from_response`` tolerates partial JSON while a call streams; on a
          finished response, arguments that are not a JSON object (cut short or malformed by
          the model) raise ``ValueError`` rather than run the tool with guessed values.
        - Reasoning (``hunyuan-t1`` models on ChatCompletions) streams as
          ``additional_kwargs["thinking_delta"]`` and ends as a ``ThinkingBlock``, which is
          never sent back.
        - Copies and pickles never carry clients (each builds its own on first use), and a
          pickle carries no secrets (they are read from the environment again).
    """

    model_config = ConfigDict(
        populate_by_name=True,
        extra="forbid",
        arbitrary_types_allowed=True,
        protected_namespaces=(),
        defer_build=False,  # the core's settings defer theirs; a model class is built at import
    )

    context_window: int | None = Field(
        default=None,
        gt=0,
        description="Override the model's context window (query engines pack prompts to it).",
    )
    is_function_calling_model: bool | None = Field(
        default=None,
        description=(
            "Override tool support (default: the catalog's answer for the model on `api`; True "
            "also sends tools to a model the catalog says ignores them)."
        ),
    )

    _clients: ClientCache = PrivateAttr(default_factory=ClientCache)

    @classmethod
    def class_name(cls) -> str:
        return "hunyuan_llm"

    @property
    def api_base(self) -> str | None:
        """Alias of ``base_url`` (the name other LlamaIndex integrations use)."""
        return self.base_url

    @property
    def metadata(self) -> LLMMetadata:
        info = model_info(self.model, self.api)
        function_calling = self.is_function_calling_model
        return LLMMetadata(
            context_window=self.context_window or info.context_window,
            num_output=self.max_tokens or info.max_output,
            is_chat_model=True,
            is_function_calling_model=info.tools if function_calling is None else function_calling,
            model_name=self.model,
            system_role=MessageRole.SYSTEM,
        )

    # -- clients -------------------------------------------------------------------------------

    def _get_client(self) -> HunyuanClient:
        return self._clients.get("sync", self, lambda: HunyuanClient(self))

    def _get_aclient(self) -> AsyncHunyuanClient:
        # One client for every event loop: it keeps a connection pool per loop itself.
        return self._clients.get("async", self, lambda: AsyncHunyuanClient(self))

    # -- requests ------------------------------------------------------------------------------

    def _options(self, kwargs: dict[str, Any]) -> RunOptions:
        """The core's options for one call: the overrides every adapter accepts
        (``hunyuan_api.adapter.CALL_OVERRIDES``), plus tools in either LlamaIndex's or the
        core's form. Anything else is a TypeError rather than silently ignored."""
        tools = _as_specs(kwargs.pop("tools", None))
        choice = kwargs.pop("tool_choice", None)
        forced = kwargs.pop("forced_tool", None)
        parallel = kwargs.pop("parallel_tool_calls", None)
        if choice not in (None, "auto", "none", "custom"):
            # A caller's own chat(tools=..., tool_choice="required" or a name) gets the same
            # mapping as chat_with_tools.
            choice, forced = resolve_tool_choice(choice, [spec.name for spec in tools])
        return self.run_options(
            None,
            kwargs,
            tools=tools,
            tool_choice=choice,
            forced_tool=forced,
            parallel_tool_calls=parallel,
        )

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
        return stream_responses(self._get_client().stream_chat(history, options))

    async def _astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        history, options = self._request(messages, kwargs)
        return astream_responses(self._get_aclient().stream_chat(history, options))

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
        ``tool_choice`` (auto/none/custom), ``forced_tool`` and ``parallel_tool_calls`` (the
        core keeps only the first call unless ``allow_parallel_tool_calls``, streamed or not,
        as llama-index-llms-openai sends ``parallel_tool_calls``)."""
        specs = tool_specs(tools)
        if self.is_function_calling_model is None:
            check_tools_supported(kwargs.get("model", self.model), self.api, bool(specs))
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
            "parallel_tool_calls": allow_parallel_tool_calls if specs else None,
            **kwargs,
        }

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
