"""Offline tests of the pure parts: configuration, message conversion, chunks, tools, errors."""

from __future__ import annotations

import json
import pickle
from typing import Any
from unittest import mock

import httpx
import pytest
from langchain_core import exceptions as lc_exc
from langchain_core.load import dumpd, dumps, load
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.tools import tool
from pydantic import BaseModel, Field, SecretStr, ValidationError

import hunyuan_api
import langchain_hunyuan as lh
from hunyuan_api import (
    ConfigurationError,
    Message,
    PartialOutput,
    ReasoningDelta,
    RunFinished,
    RunResult,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    Usage,
)
from hunyuan_api._version import install_hint
from langchain_hunyuan import ChatHunyuan, HunyuanLLM
from langchain_hunyuan._chunks import chat_chunk, text_chunk
from langchain_hunyuan._errors import map_errors, translate_error
from langchain_hunyuan._messages import convert_messages
from langchain_hunyuan._tools import apply_response_format, format_tools, tool_specs
from tests.support.common import import_error_without, run_python

CREDS = {"secret_id": "AKIDunitTest", "secret_key": "unit-test-key"}


def make(**kwargs: Any) -> ChatHunyuan:
    return ChatHunyuan(**{**CREDS, **kwargs})


# -- configuration ------------------------------------------------------------------------------


def test_defaults_and_aliases() -> None:
    model = ChatHunyuan(
        model_name="hunyuan-pro",
        hunyuan_secret_id="AKIDalias",
        hunyuan_secret_key="alias-key",
        request_timeout=12,
        stop_sequences=["END"],
        max_completion_tokens=7,
    )
    assert model.model == "hunyuan-pro"
    assert model.secret_id is not None
    assert model.secret_id.get_secret_value() == "AKIDalias"
    assert model.secret_key is not None
    assert model.secret_key.get_secret_value() == "alias-key"
    assert model.timeout == 12
    assert model.stop == ["END"]
    assert model.max_tokens == 7
    assert ChatHunyuan().model == "hunyuan-turbo"
    assert ChatHunyuan().max_retries == 2


def test_env_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKIDtencent")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "tencent-key")
    monkeypatch.setenv("TENCENTCLOUD_SESSION_TOKEN", "session-token")
    model = ChatHunyuan()
    assert model.secret_id is not None
    assert model.secret_id.get_secret_value() == "AKIDtencent"
    assert model.session_token is not None
    monkeypatch.setenv("HUNYUAN_SECRET_ID", "AKIDhunyuan")
    assert ChatHunyuan().secret_id.get_secret_value() == "AKIDhunyuan"  # type: ignore[union-attr]
    # Not @pre_init: defaults must not count as explicitly set, or streaming would be disabled.
    assert "streaming" not in ChatHunyuan().model_fields_set


@pytest.mark.parametrize(
    "kwargs",
    [
        {"temperature": 3.0},
        {"top_p": -0.1},
        {"max_tokens": -1},
        {"seed": 7},  # RunThread has no Seed
        {"api": "chat_completions", "max_prompt_tokens": 10},
        {"api": "chat_completions", "thread_id": "thread_x"},
        {"max_retries": -1},
        {"api": "responses"},
    ],
)
def test_invalid_settings_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make(**kwargs)


@pytest.mark.parametrize("kwargs", [{"frequency_penalty": 0.1}, {"temprature": 0.5}])
def test_unknown_settings_are_type_errors_that_name_them(kwargs: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match=next(iter(kwargs))):
        make(**kwargs)


def test_seed_accepted_on_chat_completions() -> None:
    assert make(api="chat_completions", seed=42).seed == 42


def test_unknown_call_kwarg_is_an_error() -> None:
    with pytest.raises(TypeError, match="frequency_penalty"):
        make()._prepare([HumanMessage("hi")], None, {"frequency_penalty": 0.5})
    with pytest.raises(TypeError, match="logit_bias"):
        make().bind_tools([], logit_bias={})


def test_call_options_merge() -> None:
    model = make(temperature=0.1, stop=["A"], max_tokens=5, thread_id=None)
    _, options = model._prepare(
        [HumanMessage("hi")], ["B", "A"], {"temperature": 0.9, "model": "hunyuan-pro"}
    )
    assert options.temperature == 0.9
    assert options.model == "hunyuan-pro"
    assert options.stop == ("A", "B")
    assert options.max_tokens == 5
    assert options.api == "run_thread"


def test_ls_params_and_identifying_params() -> None:
    model = make(temperature=0.5, max_tokens=9, stop=["x"])
    params = model._get_ls_params(stop=["y"])
    assert params == {
        "ls_provider": "hunyuan",
        "ls_model_name": "hunyuan-turbo",
        "ls_model_type": "chat",
        "ls_temperature": 0.5,
        "ls_max_tokens": 9,
        "ls_stop": ["x", "y"],
    }
    assert model._get_ls_params(model="hunyuan-pro")["ls_model_name"] == "hunyuan-pro"
    assert model._llm_type == "hunyuan-chat"
    ident = model._identifying_params
    assert ident["model"] == "hunyuan-turbo"
    assert ident["temperature"] == 0.5
    assert not any("secret" in key for key in ident)
    llm = HunyuanLLM(**CREDS, max_tokens=3)
    assert llm._get_ls_params()["ls_model_type"] == "llm"
    assert llm._get_ls_params()["ls_provider"] == "hunyuan"


def test_secrets_never_shown() -> None:
    model = make(session_token="tok-SECRET", api_key="sk-SECRET")
    texts = [repr(model), str(model), dumps(model), json.dumps(dumpd(model))]
    llm = HunyuanLLM(**CREDS)
    texts += [repr(llm), str(llm), dumps(llm)]
    for text in texts:
        for secret in ("AKIDunitTest", "unit-test-key", "tok-SECRET", "sk-SECRET"):
            assert secret not in text


@pytest.mark.filterwarnings("ignore:The function `load` is in beta")
def test_serialization_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUNYUAN_SECRET_ID", "AKIDunitTest")
    monkeypatch.setenv("HUNYUAN_SECRET_KEY", "unit-test-key")
    model = make(model="hunyuan-pro", temperature=0.2, stop=["END"], thread_id="thread_1")
    data = dumpd(model)
    assert data["id"] == ["langchain_hunyuan", "chat_models", "ChatHunyuan"]
    assert data["kwargs"]["secret_id"] == {"lc": 1, "type": "secret", "id": ["HUNYUAN_SECRET_ID"]}
    loaded = load(
        data,
        valid_namespaces=["langchain_hunyuan"],
        secrets_from_env=True,
        allowed_objects=[ChatHunyuan],
    )
    assert isinstance(loaded, ChatHunyuan)
    assert loaded.asdict() == model.asdict()
    assert loaded.secret_key is not None
    assert loaded.secret_key.get_secret_value() == "unit-test-key"

    llm = HunyuanLLM(**CREDS, model="hunyuan-lite")
    loaded_llm = load(
        dumpd(llm),
        valid_namespaces=["langchain_hunyuan"],
        secrets_from_env=True,
        allowed_objects=[HunyuanLLM],
    )
    assert isinstance(loaded_llm, HunyuanLLM)
    assert loaded_llm.model == "hunyuan-lite"


def test_http_clients_excluded_from_serialization() -> None:
    import httpx

    with httpx.Client() as client:
        data = dumpd(make(http_client=client))
    assert "http_client" not in data["kwargs"]


def test_clients_cached_per_instance() -> None:
    model = make()
    assert model._client is model._client
    assert model._async_client is model._async_client
    assert make()._client is not model._client
    # A copy with other connection settings never talks through the original's client.
    moved = model.model_copy(update={"base_url": "http://127.0.0.1:8/"})
    assert moved._client is not model._client
    assert moved._client.endpoint.url == "http://127.0.0.1:8/"
    assert model.model_copy()._client is model._client


def test_plain_http_needs_consent() -> None:
    with pytest.raises(ConfigurationError, match="allow_insecure_http"):
        make(base_url="http://hunyuan.example.com").invoke("hi")
    model = make(base_url="http://hunyuan.example.com", allow_insecure_http=True)
    assert model._client.endpoint.url == "http://hunyuan.example.com/"


def test_missing_credentials_raise_at_call_time() -> None:
    model = ChatHunyuan()
    with pytest.raises(ConfigurationError, match="HUNYUAN_SECRET_ID"):
        model.invoke("hi")


def test_api_key_explains_it_cannot_sign_runthread() -> None:
    with pytest.raises(ConfigurationError, match="API KEY") as info:
        ChatHunyuan(api="run_thread", api_key="sk-console-key").invoke("hi")
    assert "SecretId" in str(info.value)
    with pytest.raises(ConfigurationError, match="cannot sign RunThread"):
        ChatHunyuan(api="run_thread", api_key="test").invoke("hi")
    # With a SecretId/SecretKey pair the key is not needed and calls are built normally.
    assert make(api_key="test")._client is not None


def test_profile() -> None:
    assert make().profile is not None
    assert make().profile["tool_calling"] is True
    assert make(model="hunyuan-lite").profile["tool_calling"] is False  # type: ignore[index]


# -- messages -----------------------------------------------------------------------------------


def test_message_conversion() -> None:
    history = [
        SystemMessage("be brief"),
        SystemMessage([{"type": "text", "text": "in English"}]),
        HumanMessage("what is 2+2?", name="alice"),
        AIMessage(
            [
                {"type": "reasoning", "reasoning": "think"},
                {"type": "text", "text": "Let me "},
                "check",
                {"type": "tool_use", "id": "c1", "name": "add", "input": {"a": 2}},
            ],
            tool_calls=[{"name": "add", "args": {"a": 2, "b": "二"}, "id": "c1"}],
        ),
        ToolMessage([{"type": "text", "text": "4"}], tool_call_id="c1", status="error"),
        ChatMessage(role="human", content="thanks"),
        ChatMessage(role="ai", content="ok"),
        ChatMessage(role="user", content="bye"),
    ]
    assert convert_messages(history) == [
        Message("system", "be brief"),
        Message("system", "in English"),
        Message("user", "what is 2+2?"),
        # Text blocks are joined by newlines, not glued together.
        Message("assistant", "Let me \ncheck", (ToolCall("c1", "add", '{"a": 2, "b": "二"}'),)),
        Message("tool", "4", tool_call_id="c1"),
        Message("user", "thanks"),
        Message("assistant", "ok"),
        Message("user", "bye"),
    ]


def test_legacy_and_invalid_tool_calls() -> None:
    legacy = AIMessage(
        "",
        additional_kwargs={
            "tool_calls": [
                {"id": "c9", "type": "function", "function": {"name": "f", "arguments": '{"x":1}'}}
            ]
        },
    )
    assert legacy.tool_calls == [] or legacy.tool_calls[0]["id"] == "c9"
    (converted,) = convert_messages([legacy])
    assert [(c.id, c.name) for c in converted.tool_calls] == [("c9", "f")]
    assert json.loads(converted.tool_calls[0].arguments) == {"x": 1}

    broken = AIMessage(
        "",
        invalid_tool_calls=[{"id": "c2", "name": "g", "args": "{oops", "error": None}],
    )
    (converted,) = convert_messages([broken])
    assert converted.tool_calls == (ToolCall("c2", "g", "{oops"),)


def test_anthropic_tool_result_blocks() -> None:
    human = HumanMessage(
        [
            {
                "type": "tool_result",
                "tool_use_id": "t1",
                "content": [{"type": "text", "text": "42"}],
            },
            {"type": "text", "text": "and now?"},
        ]
    )
    assert convert_messages([human]) == [
        Message("tool", "42", tool_call_id="t1"),
        Message("user", "and now?"),
    ]


@pytest.mark.parametrize(
    ("block", "url"),
    [
        ({"type": "image", "url": "https://example.com/a.png"}, "https://example.com/a.png"),
        ({"type": "image", "base64": "AAAA", "mime_type": "image/png"}, "data:image/png;base64,AAAA"),  # noqa: E501
        ({"type": "image", "source_type": "base64", "data": "QQ", "mime_type": "image/gif"}, "data:image/gif;base64,QQ"),  # noqa: E501
        ({"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}, "data:image/png;base64,AAAA"),  # noqa: E501
        ({"type": "image_url", "image_url": "https://example.com/b.jpg"}, "https://example.com/b.jpg"),
        ({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AA"}}, "data:image/png;base64,AA"),  # noqa: E501
    ],
)  # fmt: skip
def test_image_blocks_become_images_of_the_user_message(block: dict[str, Any], url: str) -> None:
    history = [HumanMessage([{"type": "text", "text": "look"}, block, "and this"])]
    assert convert_messages(history) == [Message("user", "look\nand this", images=(url,))]


@pytest.mark.parametrize(
    "block",
    [
        {"type": "input_audio", "input_audio": {"data": "AA", "format": "wav"}},
        {"type": "audio", "base64": "AA", "mime_type": "audio/wav"},
        {"type": "file", "base64": "AA", "mime_type": "application/pdf"},
        {"type": "document", "source": {"type": "base64", "data": "AA"}},
        {"type": "video", "url": "https://example.com/v.mp4"},
    ],
)
def test_other_media_refused_with_message_index(block: dict[str, Any]) -> None:
    history = [SystemMessage("s"), HumanMessage([{"type": "text", "text": "look"}, block])]
    with pytest.raises(ValueError, match=r"messages\[1\].*text and images only"):
        convert_messages(history)


def test_images_go_only_where_hunyuan_takes_them() -> None:
    image = {"type": "image", "url": "https://example.com/a.png"}
    with pytest.raises(ValueError, match="outside a user message"):
        convert_messages([AIMessage([image])])
    look = HumanMessage([{"type": "text", "text": "look"}, image])
    # RunThread carries text only, and names the transports that take images.
    with pytest.raises(ValueError, match=r"api='chat_completions'.*api='openai'"):
        make(model="hunyuan-vision").invoke([look])
    # A model without vision is refused before anything is sent.
    with pytest.raises(ValueError, match="does not take images"):
        make(api="chat_completions", model="hunyuan-turbo").invoke([look])


def test_unsupported_messages_refused() -> None:
    with pytest.raises(ValueError, match="'critic'"):
        convert_messages([ChatMessage(role="critic", content="x")])
    with pytest.raises(ValueError, match="FunctionMessage"):
        convert_messages([FunctionMessage(name="f", content="x")])
    with pytest.raises(ValueError, match="'mystery'"):
        convert_messages([HumanMessage([{"type": "mystery"}])])


# -- chunks -------------------------------------------------------------------------------------


def _result(**kwargs: Any) -> RunResult:
    base: dict[str, Any] = {
        "text": "",
        "tool_calls": (),
        "finish_reason": "stop",
        "usage": Usage(10, 5, 15, 4),
        "model": "hunyuan-turbo",
        "thread_id": "thread_1",
        "run_id": "run_1",
        "message_id": "msg_1",
        "request_id": "req_1",
    }
    base.update(kwargs)
    return RunResult(**base)


def test_chunks_merge_into_the_reply() -> None:
    events = [
        ReasoningDelta("先想"),
        ReasoningDelta("一想"),
        TextDelta("Hel"),
        TextDelta("lo"),
        ToolCallDelta(0, "call_a", "get_weather", '{"city": '),
        ToolCallDelta(1, "call_b", "get_time", "{}"),
        ToolCallDelta(0, None, None, '"北京"}'),
        RunFinished(_result(finish_reason="tool_calls")),
    ]
    chunks = [chat_chunk(e, "hunyuan-pro").message for e in events]
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert [c.chunk_position for c in chunks].count("last") == 1
    merged = chunks[0]
    for c in chunks[1:]:
        merged = merged + c
    assert isinstance(merged, AIMessageChunk)
    assert merged.content == "Hello"
    assert merged.additional_kwargs == {"reasoning_content": "先想一想"}
    assert merged.tool_calls == [
        {"name": "get_weather", "args": {"city": "北京"}, "id": "call_a", "type": "tool_call"},
        {"name": "get_time", "args": {}, "id": "call_b", "type": "tool_call"},
    ]
    assert merged.usage_metadata == {
        "input_tokens": 10,
        "output_tokens": 5,
        "total_tokens": 15,
        "input_token_details": {"cache_read": 4},
    }
    assert merged.response_metadata == {
        "model_provider": "hunyuan",
        "model_name": "hunyuan-pro",
        "finish_reason": "tool_calls",
        "thread_id": "thread_1",
        "run_id": "run_1",
        "message_id": "msg_1",
        "request_id": "req_1",
        "continued_thread": False,
        "messages_sent": 0,
        "token_usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def test_usage_without_cache_has_no_details() -> None:
    chunk = chat_chunk(RunFinished(_result(usage=Usage(1, 2, 3, 0))), "m").message
    assert isinstance(chunk, AIMessageChunk)
    assert chunk.usage_metadata == {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}


def test_text_chunks_for_the_llm() -> None:
    assert text_chunk(ReasoningDelta("x"), "m") is None
    assert text_chunk(ToolCallDelta(0, "c", "f", "{}"), "m") is None
    text = text_chunk(TextDelta("hi"), "m")
    assert text is not None
    assert text.text == "hi"
    last = text_chunk(RunFinished(_result(reasoning="why")), "hunyuan-lite")
    assert last is not None
    assert last.generation_info is not None
    assert last.generation_info["finish_reason"] == "stop"
    assert last.generation_info["model_name"] == "hunyuan-lite"
    assert last.generation_info["reasoning_content"] == "why"
    assert last.generation_info["usage_metadata"]["total_tokens"] == 15


# -- tools --------------------------------------------------------------------------------------


class Joke(BaseModel):
    """A joke."""

    setup: str = Field(description="the question")
    punchline: str


@tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return "sunny"


def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


def test_tool_formats() -> None:
    anthropic = {
        "name": "color_picker",
        "description": "Pick",
        "input_schema": {"type": "object", "properties": {"c": {"type": "string"}}},
        "cache_control": {"type": "ephemeral"},
    }
    specs = tool_specs(format_tools([get_weather, multiply, Joke, anthropic]))
    assert [s.name for s in specs] == ["get_weather", "multiply", "Joke", "color_picker"]
    assert specs[0].description == "Weather for a city."
    assert specs[2].parameters["required"] == ["setup", "punchline"]
    strict = tool_specs(format_tools([Joke], strict=True))
    assert strict[0].parameters["additionalProperties"] is False
    with pytest.raises(ValueError, match="not a function tool"):
        format_tools([{"type": "web_search_preview"}])


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("auto", ("auto", None)),
        ("none", ("none", None)),
        ("any", ("custom", None)),
        ("required", ("custom", None)),
        (True, ("custom", None)),
        ("multiply", ("custom", "multiply")),
        ({"type": "function", "function": {"name": "multiply"}}, ("custom", "multiply")),
        (None, (None, None)),
        (False, (None, None)),
    ],
)
def test_tool_choice_mapping(choice: Any, expected: tuple[Any, Any]) -> None:
    model = make().bind_tools([get_weather, multiply], tool_choice=choice)
    kwargs = model.kwargs  # type: ignore[attr-defined]
    _, options = make()._prepare([HumanMessage("hi")], None, kwargs)
    assert (options.tool_choice, options.forced_tool) == expected
    assert [t.name for t in options.tools] == ["get_weather", "multiply"]


def test_parallel_tool_calls_is_a_call_option() -> None:
    model = make()
    bound = model.bind_tools([get_weather], parallel_tool_calls=False)
    assert bound.kwargs["parallel_tool_calls"] is False  # type: ignore[attr-defined]
    assert "parallel_tool_calls" not in model.bind_tools([get_weather]).kwargs  # type: ignore[attr-defined]
    _, options = model._prepare([HumanMessage("hi")], None, {"parallel_tool_calls": False})
    assert options.parallel_tool_calls is False
    with pytest.raises(ValueError, match="parallel_tool_calls must be True, False or None"):
        model.invoke("hi", parallel_tool_calls="no")  # refused before any request
    structured = model.with_structured_output(Joke)
    assert structured.first.kwargs["parallel_tool_calls"] is False  # type: ignore[attr-defined]


def test_tool_choice_errors() -> None:
    with pytest.raises(ValueError, match="not a bound tool"):
        make().bind_tools([multiply], tool_choice="divide")
    with pytest.raises(ValueError, match="tool_choice"):
        make().bind_tools([multiply], tool_choice=3)  # type: ignore[arg-type]


def test_bind_tools_on_a_model_that_ignores_tools() -> None:
    with pytest.raises(ValueError, match="ignores tools"):
        make(model="hunyuan-lite").bind_tools([multiply])
    with pytest.raises(ValueError, match="ignores tools"):
        make().bind_tools([multiply], model="hunyuan-lite")


def test_response_format_instruction() -> None:
    history = [Message("system", "a"), Message("system", "b"), Message("user", "u")]
    out = apply_response_format(
        history, {"type": "json_schema", "json_schema": {"schema": Joke.model_json_schema()}}
    )
    assert [m.role for m in out] == ["system", "system", "system", "user"]
    assert "single JSON object" in out[2].content
    assert '"punchline"' in out[2].content
    plain = apply_response_format([Message("user", "u")], {"type": "json_object"})
    assert plain[0].role == "system"
    assert "JSON Schema" not in plain[0].content
    from_class = apply_response_format([Message("user", "u")], Joke)
    assert '"setup"' in from_class[0].content
    with pytest.raises(ValueError, match="response_format"):
        apply_response_format(history, {"type": "xml"})


def test_with_structured_output_builds_for_every_method() -> None:
    model = make()
    for method in ("function_calling", "json_mode", "json_schema"):
        for strict in (None, False, True):
            assert model.with_structured_output(Joke, method=method, strict=strict)
            assert model.with_structured_output(Joke, method=method, include_raw=True)
    assert model.with_structured_output(None, method="json_mode")
    with pytest.raises(ValueError, match="schema is required"):
        model.with_structured_output(None)
    with pytest.raises(ValueError, match="method"):
        model.with_structured_output(Joke, method="xml")  # type: ignore[arg-type]


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("core", "adapter", "lc_class"),
    [
        (
            hunyuan_api.AuthenticationError,
            lh.HunyuanAuthenticationError,
            lc_exc.ModelAuthenticationError,
        ),
        (hunyuan_api.RateLimitError, lh.HunyuanRateLimitError, lc_exc.ModelRateLimitError),
        (hunyuan_api.APITimeoutError, lh.HunyuanTimeoutError, lc_exc.ModelTimeoutError),
        (hunyuan_api.APIConnectionError, lh.HunyuanConnectionError, lc_exc.ModelConnectionError),
        (hunyuan_api.BadRequestError, lh.HunyuanBadRequestError, lc_exc.ModelInvalidRequestError),
        (hunyuan_api.NotFoundError, lh.HunyuanNotFoundError, lc_exc.ModelNotFoundError),
        (hunyuan_api.ServerError, lh.HunyuanServerError, lc_exc.ModelAPIError),
        (hunyuan_api.StreamError, lh.HunyuanStreamError, lc_exc.ModelAPIError),
        (hunyuan_api.AccountError, lh.HunyuanAccountError, lc_exc.ModelPermissionDeniedError),
        (hunyuan_api.ContentFilterError, lh.HunyuanContentFilterError, lc_exc.ModelRefusalError),
        (hunyuan_api.APIError, lh.HunyuanAPIError, lc_exc.ModelAPIError),
    ],
)
def test_error_translation(core: type[Exception], adapter: type[Exception], lc_class: type) -> None:
    partial = PartialOutput(text="so far", request_id="req")
    original = core("boom", code="X.Y", request_id="req", http_status=200, partial=partial)  # type: ignore[call-arg]
    with pytest.raises(adapter) as info, map_errors():
        raise original
    err = info.value
    assert isinstance(err, core)
    assert isinstance(err, lc_class)
    assert err.__cause__ is original
    assert (err.code, err.request_id, err.http_status, err.partial) == ("X.Y", "req", 200, partial)  # type: ignore[attr-defined]
    assert "boom" in str(err)
    assert "X.Y" in str(err)
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is adapter
    assert clone.code == "X.Y"
    assert clone.partial == partial
    assert translate_error(err) is err  # type: ignore[arg-type]


def test_retryability_follows_the_core() -> None:
    assert lh.HunyuanRateLimitError("x").is_retryable
    assert lh.HunyuanRateLimitError("x").retryable
    assert not lh.HunyuanAPIError("x").is_retryable


def test_configuration_and_validation_errors_pass_through() -> None:
    config = ConfigurationError("no credentials")
    with pytest.raises(ConfigurationError) as info, map_errors():
        raise config
    assert info.value is config
    with pytest.raises(ValueError, match="plain") as value_info, map_errors():
        raise ValueError("plain")
    assert type(value_info.value) is ValueError


# -- import hygiene -----------------------------------------------------------------------------


def test_import_does_not_import_llama_index() -> None:
    result = run_python(
        "import sys, langchain_hunyuan; "
        "assert not [m for m in sys.modules if m.startswith('llama_index')], 'llama_index'; "
        "print(sorted(langchain_hunyuan.__all__))"
    )
    assert result.returncode == 0, result.stderr
    assert "ChatHunyuan" in result.stdout
    assert "HunyuanLLM" in result.stdout


def test_import_without_langchain_core_names_the_extra() -> None:
    message = import_error_without("langchain_core", "import langchain_hunyuan")
    assert install_hint("langchain") in message


# -- token counting -----------------------------------------------------------------------------


def test_token_counting_uses_get_token_count() -> None:
    import httpx
    from langchain_core.messages import trim_messages

    seen: list[tuple[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append((request.headers["x-tc-action"], body))
        if body["Prompt"] == "wrong":
            error = {"Code": "AuthFailure.SignatureFailure", "Message": "bad signature"}
            return httpx.Response(200, json={"Response": {"Error": error, "RequestId": "r1"}})
        count = len(body["Prompt"])
        return httpx.Response(
            200, json={"Response": {"TokenCount": count, "CharacterCount": count, "RequestId": "r"}}
        )

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        model = make(http_client=client, base_url="http://127.0.0.1:9/")
        assert model.get_num_tokens("你好") == 2
        assert model.get_num_tokens("") == 0
        history = [SystemMessage("s"), HumanMessage("h")]
        before = len(seen)
        counted = model.get_num_tokens_from_messages(history, tools=[multiply])
        # Each message and each tool schema counted on its own, and the counts summed.
        prompts = {body["Prompt"] for _, body in seen[before:]}
        assert {"system: s", "user: h"} < prompts
        assert len(prompts) == 3
        assert '"multiply"' in next(iter(prompts - {"system: s", "user: h"}))
        assert counted == sum(len(p) for p in prompts)
        kept = trim_messages(
            [HumanMessage("a" * 50), AIMessage("b" * 50), HumanMessage("c")],
            max_tokens=20,
            token_counter=model,
            strategy="last",
        )
        assert [m.text for m in kept] == ["c"]
        with pytest.raises(lh.HunyuanAuthenticationError):
            model.get_num_tokens("wrong")
        llm = HunyuanLLM(**CREDS, http_client=client, base_url="http://127.0.0.1:9/")
        assert llm.get_num_tokens("abc") == 3
    assert seen[0] == ("GetTokenCount", {"Prompt": "你好"})


def test_env_credentials_never_mix_families(monkeypatch: pytest.MonkeyPatch) -> None:
    # One half from HUNYUAN_* and the other from TENCENTCLOUD_* would sign with a wrong pair.
    monkeypatch.setenv("HUNYUAN_SECRET_ID", "AKIDhunyuan")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKIDtencent")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "tencent-key")
    monkeypatch.setenv("TENCENTCLOUD_SESSION_TOKEN", "session-token")
    model = ChatHunyuan()
    assert model.secret_id is not None
    assert model.secret_id.get_secret_value() == "AKIDhunyuan"
    assert model.secret_key is None
    assert model.session_token is None


def test_env_session_token_only_with_its_own_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SESSION_TOKEN", "session-token")
    assert ChatHunyuan(secret_id="AKIDarg", secret_key="arg-key").session_token is None
    explicit = ChatHunyuan(secret_id="AKIDarg", secret_key="arg-key", session_token="mine")
    assert explicit.session_token is not None
    assert explicit.session_token.get_secret_value() == "mine"


def test_text_chunks_equal_validated_ones() -> None:
    """Text chunks are stamped from one validated chunk; each must be what validation gives
    (every field, the fields counted as set), with containers of its own."""
    from langchain_hunyuan import _chunks

    first, second = (chat_chunk(TextDelta(t), "hunyuan-turbo") for t in ("a", "b"))
    assert _chunks._text_chunks is not None
    assert _chunks._text_chunks.ok
    for chunk, text in ((first, "a"), (second, "b")):
        assert _chunks._same_state(chunk, _chunks._validated_text_chunk(text))
        assert chunk.text == chunk.message.text == text
    first.message.response_metadata["mine"] = 1
    first.message.tool_calls.append({"name": "x", "args": {}, "id": None, "type": "tool_call"})
    first.message.__pydantic_fields_set__.add("name")
    assert _chunks._same_state(chat_chunk(TextDelta("b"), "m"), _chunks._validated_text_chunk("b"))
    # The check itself tells a chunk that differs in any field or set-field apart.
    assert not _chunks._same_state(second, _chunks._validated_text_chunk("a"))
    named = _chunks._validated_text_chunk("b")
    named.message.__pydantic_fields_set__.add("name")
    assert not _chunks._same_state(second, named)


def test_a_setting_changed_in_place_gets_its_own_client() -> None:
    """The cache remembers the last digest while the settings hold the very same objects; a
    field assigned after the first call (pydantic models can be mutated) is seen at once."""
    model = make()
    first = model._async_client
    timeout, secret_key = model.timeout, model.secret_key
    calls = 0
    real = ChatHunyuan.client_key

    def counted(self: ChatHunyuan) -> str:
        nonlocal calls
        calls += 1
        return real(self)

    with mock.patch.object(ChatHunyuan, "client_key", counted):
        assert model._async_client is first
        assert calls == 0
        model.timeout = 7.0
        assert model._async_client is not first
        assert model._async_client.timeout == httpx.Timeout(7.0)
        assert calls == 1
        model.secret_key = SecretStr("another-key")  # type: ignore[assignment]
        other = model._async_client
        assert other.credentials.secret_key.get_secret_value() == "another-key"
        # Equal values again (new objects): the digest is computed again, and names the
        # client those settings built first.
        model.timeout, model.secret_key = timeout, SecretStr(secret_key.get_secret_value())  # type: ignore[union-attr]
        assert model._async_client is first
