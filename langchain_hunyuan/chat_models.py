"""``ChatHunyuan``: Tencent Hunyuan as a LangChain chat model, on RunThread or ChatCompletions."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any, Literal

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import LanguageModelInput
from langchain_core.language_models.chat_models import (
    BaseChatModel,
)
from langchain_core.language_models.model_profile import ModelProfile
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.output_parsers import (
    JsonOutputKeyToolsParser,
    JsonOutputParser,
    PydanticOutputParser,
    PydanticToolsParser,
)
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import BaseModel

from hunyuan_api import Message, RunOptions, RunResult, model_info
from hunyuan_api.adapter import CALL_OVERRIDES, check_tools_supported

from ._chunks import chat_chunk, chat_result, llm_output
from ._config import MODEL_CONFIG, HunyuanParams
from ._errors import map_errors
from ._messages import convert_messages, render_for_count
from ._tools import apply_response_format, format_tools, resolve_choice, tool_specs

__all__ = ["ChatHunyuan"]

_BIND_EXTRAS = frozenset({"response_format", "ls_structured_output_format"})
StructuredMethod = Literal["function_calling", "json_mode", "json_schema"]


def _with_llm_output(result: ChatResult, model: str) -> ChatResult:
    """The result with ``llm_output`` from its reply's metadata (``token_usage``, the model)."""
    result.llm_output = llm_output([g.message.response_metadata for g in result.generations], model)
    return result


def _whole_answer(result: RunResult, model: str) -> ChatResult:
    """A whole run as the result a stream of it gives (the same chunks, folded), with tool
    calls parsed strictly."""
    return _with_llm_output(chat_result(result, model), model)


def _is_pydantic_class(schema: object) -> bool:
    return isinstance(schema, type) and is_basemodel_subclass(schema)


class ChatHunyuan(HunyuanParams, BaseChatModel):
    """Tencent Hunyuan chat model on the RunThread API (the default with a SecretId/SecretKey
    pair), ChatCompletions (``api="chat_completions"``) or the OpenAI-compatible endpoint
    (``api="openai"``, the default with only a console API KEY); see ``docs/transports.md``.

    Setup:
        Install the distribution with its LangChain extra, and set a Tencent Cloud
        SecretId/SecretKey pair (or only a console API KEY in ``HUNYUAN_API_KEY``, which
        selects the OpenAI-compatible endpoint):

        ```bash
        pip install 'hunyuan-langchain-llamaindex[langchain]'
        export HUNYUAN_SECRET_ID="AKID..." HUNYUAN_SECRET_KEY="..."
        ```

    Key init args — completion params:
        `model` (default hunyuan-turbo), `temperature`, `top_p`, `max_tokens`, `stop` (cut
        client-side), and `streaming` (stream under invoke too, so callbacks see each token).

    Key init args — client params:
        `api` (run_thread or chat_completions with a SecretId/SecretKey pair, openai with a
        console API KEY), `secret_id` and `secret_key` (else the environment), `api_key`,
        `base_url`, `timeout` (60 s per request phase) and `max_retries` (2, before any
        output). "Settings" at the end describes every setting.

    Instantiate:
        ```python
        from langchain_hunyuan import ChatHunyuan

        model = ChatHunyuan(model="hunyuan-turbo", temperature=0.3, max_retries=2)
        ```

    Invoke:
        ```python
        messages = [
            ("system", "You are a helpful translator. Translate the user sentence to French."),
            ("human", "I love programming."),
        ]
        reply = model.invoke(messages)
        print(reply.text)
        ```

        Each call sends the whole history. On RunThread the core continues the thread that
        already holds its prefix (sending only the new messages) or replays it on a fresh
        thread, so pass the reply back unchanged; ``thread_id=`` pins a thread you own. On
        ChatCompletions every call sends the history (at most 40 messages), and ``invoke``
        without ``streaming=True`` is one non-stream call.

    Stream:
        ```python
        for chunk in model.stream(messages):
            print(chunk.text, end="")
        ```

        Usage, the finish reason and the ids arrive once, on the last chunk
        (``chunk_position="last"``), so the chunks add up to the same message as ``invoke``.

    Async:
        ```python
        import asyncio


        async def main() -> None:
            reply = await model.ainvoke(messages)
            async for chunk in model.astream(messages):
                print(chunk.text, end="")
            replies = await model.abatch([messages, "Bonjour"])
            print(reply.text, len(replies))


        asyncio.run(main())
        ```

        Native: one connection pool per event loop, not a thread pool around the sync calls.

    Tool calling:
        ```python
        from pydantic import BaseModel, Field


        class GetWeather(BaseModel):
            '''Get the current weather in a given location.'''

            location: str = Field(description="The city, e.g. Shenzhen")


        with_tools = model.bind_tools([GetWeather], parallel_tool_calls=False)
        reply = with_tools.invoke("What is the weather like in Shenzhen today?")
        print(reply.tool_calls)
        ```

        ```text
        [{'name': 'GetWeather', 'args': {'location': 'Shenzhen'}, 'id': 'call_...', ...}]
        ```

        Tools work on ``hunyuan-pro``, ``hunyuan-turbo`` and ``hunyuan-functioncall`` (on
        ChatCompletions also the turbos/t1 models); a known model without tools raises
        ``ValueError`` at ``bind_tools``. ``tool_choice`` "any"/"required"/``True`` and a tool
        name map to Hunyuan's ``custom`` (README "tool_choice"). ``parallel_tool_calls=False``
        keeps one call per reply: sent as ``parallel_tool_calls`` on ``api="openai"``;
        RunThread and ChatCompletions have no such field, so the client keeps the first call
        (the next RunThread turn then starts a fresh thread, since the service's thread holds
        the calls it withheld).

    Structured output:
        ```python
        class Joke(BaseModel):
            '''A joke to tell the user.'''

            setup: str = Field(description="The setup of the joke")
            punchline: str = Field(description="The punchline to the joke")


        joke = model.with_structured_output(Joke).invoke("Tell me a joke about cats")
        print(joke)
        ```

        ``method="function_calling"`` (default) forces the schema as the one tool;
        ``"json_mode"``/``"json_schema"`` ask for JSON in the system prompt (RunThread has no
        response-format field) and parse the reply.

    Token usage:
        ```python
        reply = model.invoke(messages)
        print(reply.usage_metadata)
        ```

        ```text
        {'input_tokens': 17, 'output_tokens': 20, 'total_tokens': 37}
        ```

        The same on the last streamed chunk; ``generate`` results also carry
        ``llm_output["token_usage"]`` (summed over a batch) and ``llm_output["model_name"]``.

    Response metadata:
        ```python
        print(reply.response_metadata)
        ```

        ```text
        {'token_usage': {'prompt_tokens': 17, 'completion_tokens': 20, 'total_tokens': 37},
         'model_name': 'hunyuan-turbo', 'model_provider': 'hunyuan', 'finish_reason': 'stop',
         'thread_id': 'thread_...', 'run_id': 'run_...', 'message_id': 'msg_...',
         'request_id': '...', 'continued_thread': False, 'messages_sent': 2,
         'hunyuan_thread': {'thread_id': 'thread_...', 'message_id': 'msg_...',
                            'digest': '...', 'mac': '...'}}
        ```

        ``continued_thread`` and ``messages_sent`` tell how the run used its RunThread thread;
        ``hunyuan_thread`` lets a later call, in any process, continue it (``docs/threads.md``:
        keep the message as it is).

    Where Hunyuan differs from OpenAI-style models:
        - images reach vision models on ChatCompletions and ``api="openai"``; RunThread
          carries text only, and audio, video and file blocks raise ``ValueError`` before any
          request;
        - ``stop``: RunThread has no Stop field, and ChatCompletions' ``Stop`` keeps the matched
          string, so the output is cut client-side on both, even across chunks;
        - a tool call whose arguments are not a JSON object (cut short or malformed) is one
          of the reply's ``invalid_tool_calls`` (with its raw text and the reason), never a
          ``tool_calls`` entry with guessed values (streamed chunks carry the raw text);
        - reasoning (ChatCompletions models that return it) arrives in
          ``additional_kwargs["reasoning_content"]`` and is never sent back;
        - errors subclass both the ``hunyuan_api`` error and LangChain's ``Model*Error`` (for
          example ``HunyuanRateLimitError`` is a ``hunyuan_api.RateLimitError`` and a
          ``ModelRateLimitError``); retries already happened in the core client;
        - copies, deep copies and pickles never carry the model's clients (each builds its own
          on first use); a pickle carries no secrets (they are read from the environment again);
        - ``dumpd``/``load``: ``load`` accepts this class when named, as
          ``allowed_objects=[ChatHunyuan]`` with ``valid_namespaces=["langchain_hunyuan"]``
          (README "Serialization").
    """

    # Set again here: LangChain's base classes carry ``extra="ignore"``, which would otherwise
    # win and let misspelled settings pass silently.
    model_config = MODEL_CONFIG
    _ls_model_type = "chat"

    # -- LangChain plumbing (the rest is in HunyuanParams) ------------------------------------

    @property
    def _llm_type(self) -> str:
        return "hunyuan-chat"

    def _resolve_model_profile(self) -> ModelProfile | None:
        info = model_info(self.model, self.api)
        tools = info.tools
        return ModelProfile(
            max_input_tokens=info.context_window - info.max_output,
            max_output_tokens=info.max_output,
            reasoning_output=info.reasoning,
            text_inputs=True,
            # Images reach vision models on ChatCompletions and the OpenAI-compatible endpoint.
            image_inputs=info.vision and self.api != "run_thread",
            image_url_inputs=info.vision and self.api != "run_thread",
            pdf_inputs=False,
            audio_inputs=False,
            video_inputs=False,
            text_outputs=True,
            tool_calling=tools,
            tool_choice=tools,
            tool_call_streaming=tools,
            structured_output=False,
        )

    def get_num_tokens_from_messages(
        self,
        messages: list[BaseMessage],
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool] | None = None,
    ) -> int:
        """Tokens in a conversation (and tool schemas): the sum of each message's count by
        Hunyuan's tokenizer. A message is counted once per client (one ``GetTokenCount``
        request each for those not counted before, sent concurrently), so ``trim_messages``
        asks about each message once however often it recounts. Approximate: the service adds
        its own per-message framing, which it does not publish (``token_counting`` decides what
        happens offline)."""
        lines = [render_for_count(m) for m in convert_messages(messages)]
        lines += [json.dumps(t, ensure_ascii=False) for t in format_tools(tools or ())]
        with map_errors():
            return sum(self._client.count_tokens_many(lines))

    # -- one call -----------------------------------------------------------------------------

    def _prepare(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: Mapping[str, Any]
    ) -> tuple[list[Message], RunOptions]:
        """Messages and options of one call; everything is checked before any request."""
        call = dict(kwargs)
        # ``stream`` only decides (in langchain-core) whether this method is reached.
        call.pop("stream", None)
        tools = call.pop("tools", None) or ()
        choice = call.pop("tool_choice", None)
        parallel = call.pop("parallel_tool_calls", None)
        response_format = call.pop("response_format", None)
        specs = tool_specs(format_tools(tools))
        tool_choice, forced = resolve_choice(choice, specs)
        options = self.run_options(
            stop,
            call,
            tools=specs,
            tool_choice=tool_choice,
            forced_tool=forced,
            parallel_tool_calls=parallel,
        )
        history = convert_messages(messages)
        if response_format is not None:
            history = apply_response_format(history, response_format)
        return history, options

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        history, options = self._prepare(messages, stop, kwargs)
        with map_errors():
            for event in self._client.stream_chat(history, options):
                chunk = chat_chunk(event, options.model)
                # langchain-core fires tokens itself in ``stream()``; it passes a run manager
                # only where it expects the model to.
                if run_manager:
                    run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        history, options = self._prepare(messages, stop, kwargs)
        with map_errors():
            async for event in self._async_client.stream_chat(history, options):
                chunk = chat_chunk(event, options.model)
                if run_manager:
                    await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        # langchain-core comes here only when no token callbacks are wanted (it streams through
        # ``_stream`` for ``streaming=True`` and streaming handlers). The core's whole run
        # (RunThread streams underneath; ChatCompletions makes one non-stream call) becomes
        # the message its chunks would give, with tool calls parsed strictly.
        history, options = self._prepare(messages, stop, kwargs)
        with map_errors():
            result = self._client.chat(history, options)
        return _whole_answer(result, options.model)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        history, options = self._prepare(messages, stop, kwargs)
        with map_errors():
            result = await self._async_client.chat(history, options)
        return _whole_answer(result, options.model)

    def _combine_llm_outputs(self, llm_outputs: list[dict[str, Any] | None], /) -> dict[str, Any]:
        # ``generate`` over several conversations: usage summed, as ChatOpenAI does.
        return llm_output(llm_outputs, self.model)

    # -- tools and structured output ----------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: dict[str, Any] | str | bool | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (anything ``convert_to_openai_tool`` accepts).

        Args:
            tools: The tools the model may call.
            tool_choice: "auto"; "none"; "any", "required" or ``True`` (some tool must be
                called: Hunyuan's ``custom``); a tool's name or
                ``{"type": "function", "function": {"name": ...}}`` (that tool must be called:
                only it is offered, with ``custom``); ``None``/``False`` (the service default).
            strict: ``True`` sends each tool's schema in OpenAI's strict form (every property
                required, ``additionalProperties: false``); Hunyuan has no strict decoding.
            parallel_tool_calls: ``False``: at most one tool call per reply. Sent as is on
                ``api="openai"``; RunThread and ChatCompletions have no such field, so the
                client keeps the first call (the reply, its stream and its ``tool_calls`` all
                carry that one only). ``None``: the service default. Also accepted by ``bind``
                and ``invoke``.
            kwargs: Call options to bind as well (``model``, ``temperature``, ...).

        Raises:
            ValueError: for a model that ignores tools, an unknown tool name in
                ``tool_choice``, or a tool name Hunyuan does not allow.
        """
        unknown = sorted(set(kwargs) - CALL_OVERRIDES - _BIND_EXTRAS)
        if unknown:
            raise TypeError(
                f"bind_tools() got unexpected keyword argument(s) {', '.join(unknown)}; "
                f"it accepts tool_choice, strict, parallel_tool_calls and the call options "
                f"{', '.join(sorted(CALL_OVERRIDES))}."
            )
        formatted = format_tools(tools, strict=strict)
        specs = tool_specs(formatted)
        check_tools_supported(kwargs.get("model", self.model), self.api, bool(specs))
        # Refuse a tool_choice that names no bound tool now, not at the first call.
        resolve_choice(tool_choice, specs)
        if tool_choice is not None and tool_choice is not False:
            kwargs["tool_choice"] = tool_choice
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: StructuredMethod = "function_calling",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """A runnable returning output shaped by ``schema`` (pydantic class, TypedDict or JSON
        Schema).

        Args:
            schema: The output schema; may be None only with ``method="json_mode"``.
            method: ``function_calling`` (default): the schema is bound as the one tool the
                model must call. ``json_mode``: RunThread has no response format, so the
                system prompt asks for a single JSON object (following the schema, when one is
                given) and the reply text is parsed. ``json_schema``: the same as
                ``json_mode`` with a schema.
            include_raw: Return ``{"raw", "parsed", "parsing_error"}`` instead of raising
                when parsing fails.
            strict: ``True`` sends the schema in OpenAI's strict form (see ``bind_tools``).
            kwargs: Call options to bind (``model``, ``temperature``, ...).
        """
        is_pydantic = _is_pydantic_class(schema)
        if method == "function_calling":
            if schema is None:
                raise ValueError("schema is required with method='function_calling'")
            tool_name = convert_to_openai_tool(schema)["function"]["name"]
            llm = self.bind_tools(
                [schema],
                tool_choice=tool_name,
                strict=strict,
                parallel_tool_calls=False,
                ls_structured_output_format={
                    "kwargs": {"method": method, "strict": strict},
                    "schema": schema,
                },
                **kwargs,
            )
            parser: Runnable[Any, Any] = (
                PydanticToolsParser(tools=[schema], first_tool_only=True)  # type: ignore[list-item]
                if is_pydantic
                else JsonOutputKeyToolsParser(key_name=tool_name, first_tool_only=True)
            )
        elif method in ("json_mode", "json_schema"):
            if schema is None and method == "json_schema":
                raise ValueError("schema is required with method='json_schema'")
            response_format: dict[str, Any] = {"type": "json_object"}
            if schema is not None:
                json_schema = (
                    convert_to_openai_tool(schema, strict=True)["function"]["parameters"]
                    if strict
                    else convert_to_json_schema(schema)
                )
                response_format = {"type": "json_schema", "json_schema": {"schema": json_schema}}
            unknown = sorted(set(kwargs) - CALL_OVERRIDES)
            if unknown:
                raise TypeError(
                    f"with_structured_output() got unexpected keyword argument(s) "
                    f"{', '.join(unknown)}"
                )
            llm = self.bind(
                response_format=response_format,
                ls_structured_output_format={
                    "kwargs": {"method": method, "strict": strict},
                    "schema": schema,
                },
                **kwargs,
            )
            parser = (
                PydanticOutputParser(pydantic_object=schema)  # type: ignore[arg-type]
                if is_pydantic
                else JsonOutputParser()
            )
        else:
            raise ValueError(
                f"method must be 'function_calling', 'json_mode' or 'json_schema'; got {method!r}"
            )

        if not include_raw:
            return llm | parser
        parser_assign = RunnablePassthrough.assign(
            parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
        )
        parser_none = RunnablePassthrough.assign(parsed=lambda _: None)
        with_fallback = parser_assign.with_fallbacks([parser_none], exception_key="parsing_error")
        return RunnableMap(raw=llm) | with_fallback
