"""The deterministic model, called directly."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from langchain_core.tools import BaseTool, tool
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_tests.integration_tests.chat_models import (
    _get_joke_class,
    magic_function,
    magic_function_no_args,
    unicode_customer,
)

from hunyuan_emulator.model import (
    ConvMessage,
    ToolSpec,
    build_arguments,
    count_tokens,
    find_json_schema,
    generate,
    grounded_answer,
    has_cjk,
    match_tool,
    split_pieces,
)


def spec_of(obj: Any) -> ToolSpec:
    function = convert_to_openai_tool(obj)["function"]
    return ToolSpec(function["name"], function.get("description", ""), function["parameters"])


def call(obj: Any, prompt: str, tool_choice: str | None = None) -> dict[str, Any]:
    reply = generate([ConvMessage("user", prompt)], tools=[spec_of(obj)], tool_choice=tool_choice)
    assert len(reply.tool_calls) == 1, reply
    assert reply.text == ""
    return dict(json.loads(reply.tool_calls[0].arguments))


@tool
def get_weather(location: str) -> str:
    """Get the weather at a location."""
    return "It's sunny."


# --------------------------------------------------------------------------- tokens


def test_pieces_rebuild_the_text_exactly() -> None:
    text = "Hello, world!  你好，世界。 magic_function(3)\n"
    pieces = split_pieces(text)
    assert "".join(pieces) == text
    assert pieces[:4] == ["Hello", ", ", "world", "!  "]
    assert "你" in pieces
    assert "好" in pieces


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", 0),
        ("hello world", 2),
        ("Hello, world!", 4),
        ("你好，世界。", 6),
        ("こんにちは", 5),
        ("get_weather(3)", 4),
        ("   ", 0),
    ],
)
def test_token_counts(text: str, tokens: int) -> None:
    assert count_tokens(text) == tokens


def test_has_cjk() -> None:
    assert has_cjk("Create '你好啊集团'")
    assert has_cjk("こんにちは")
    assert not has_cjk("Hello, world")


# --------------------------------------------------------------------------- text replies


def test_english_reply_quotes_the_user() -> None:
    reply = generate([ConvMessage("user", "What is the capital of France?")])
    assert '"What is the capital of France?"' in reply.text
    assert not has_cjk(reply.text)
    assert reply.tool_calls == ()


def test_chinese_reply_for_cjk_question() -> None:
    reply = generate([ConvMessage("system", "be nice"), ConvMessage("user", "你是谁")])
    assert "「你是谁」" in reply.text
    assert has_cjk(reply.text)


def test_reply_is_deterministic_and_non_empty() -> None:
    messages = [ConvMessage("user", "?")]
    assert generate(messages) == generate(messages)
    assert generate(messages).text


def test_reasoning_only_when_asked() -> None:
    assert generate([ConvMessage("user", "hi")]).reasoning == ""
    assert "hi" in generate([ConvMessage("user", "hi")], reasoning=True).reasoning


def test_reply_after_tool_results_quotes_each() -> None:
    messages = [
        ConvMessage("user", "weather in Paris and Rome?"),
        ConvMessage("assistant", "", ()),
        ConvMessage("tool", "Paris: sunny"),
        ConvMessage("tool", "Rome: rain"),
    ]
    reply = generate(messages, tools=[spec_of(get_weather)])
    assert reply.tool_calls == ()
    assert '"Paris: sunny"' in reply.text
    assert '"Rome: rain"' in reply.text


def test_reply_after_tool_results_in_chinese() -> None:
    messages = [ConvMessage("user", "北京天气"), ConvMessage("tool", "晴")]
    assert "「晴」" in generate(messages).text


# --------------------------------------------------------------------------- JSON mode

JOKE_SCHEMA = {
    "type": "object",
    "properties": {
        "setup": {"type": "string"},
        "punchline": {"type": "string"},
        "rating": {"type": "integer", "minimum": 1, "maximum": 5},
    },
    "required": ["setup", "punchline", "rating"],
}


def test_json_mode_with_fenced_schema() -> None:
    prompt = f"Answer in JSON following this schema:\n```json\n{json.dumps(JOKE_SCHEMA)}\n```"
    messages = [ConvMessage("system", prompt), ConvMessage("user", "Tell me a joke about cats.")]
    reply = generate(messages)
    value = json.loads(reply.text)
    jsonschema.validate(value, JOKE_SCHEMA)


def test_json_mode_with_schema_after_words() -> None:
    text = (
        f"Reply with JSON. The JSON schema is {json.dumps(JOKE_SCHEMA)}. Tell a joke with 4 stars"
    )
    value = json.loads(generate([ConvMessage("user", text)]).text)
    jsonschema.validate(value, JOKE_SCHEMA)
    assert value["rating"] == 4


def test_no_json_mode_without_json_request() -> None:
    assert find_json_schema([ConvMessage("user", "tell me a joke")]) is None
    assert find_json_schema([ConvMessage("user", "reply in json please")]) is None


# --------------------------------------------------------------------------- argument builder


def test_numbers_fill_numeric_fields_in_order() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "number"}},
        "required": ["a", "b"],
    }
    assert build_arguments(schema, "What is 1 + 2.5") == {"a": 1, "b": 2.5}


def test_integer_bounds_and_defaults() -> None:
    schema = {
        "type": "object",
        "properties": {
            "low": {"type": "integer", "minimum": 10},
            "high": {"type": "integer", "exclusiveMaximum": 5},
            "unset": {"type": "integer", "exclusiveMinimum": 3},
            "zero": {"type": "number"},
        },
        "required": ["low", "high", "unset", "zero"],
    }
    value = build_arguments(schema, "numbers 2 and 7")
    jsonschema.validate(value, schema)
    assert value == {"low": 10, "high": 4, "unset": 4, "zero": 0}


def test_float_exclusive_bounds_respected() -> None:
    schema = {
        "type": "object",
        "properties": {"x": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}},
        "required": ["x"],
    }
    value = build_arguments(schema, "set it to 5")
    jsonschema.validate(value, schema)


def test_draft4_boolean_exclusive_minimum() -> None:
    schema = {
        "type": "object",
        "properties": {"n": {"type": "integer", "minimum": 0, "exclusiveMinimum": True}},
        "required": ["n"],
    }
    assert build_arguments(schema, "no number") == {"n": 1}


def test_quoted_strings_fill_string_fields_in_order() -> None:
    schema = {
        "type": "object",
        "properties": {"first": {"type": "string"}, "second": {"type": "string"}},
        "required": ["first", "second"],
    }
    text = "Say \"alpha\" then 'beta' (don't split on apostrophes)"
    assert build_arguments(schema, text) == {"first": "alpha", "second": "beta"}
    assert build_arguments(schema, "use 「甲」 and “乙”") == {"first": "甲", "second": "乙"}


def test_named_field_takes_following_words() -> None:
    schema = {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "count": {"type": "integer"},
            "unit_name": {"type": "string"},
        },
        "required": ["city"],
    }
    text = "first 9 then city: New York, count = 3 and unit name is metric tons."
    assert build_arguments(schema, text) == {
        "city": "New York",
        "count": 3,
        "unit_name": "metric tons",
    }


def test_enums_mentioned_or_first() -> None:
    schema = {
        "type": "object",
        "properties": {
            "unit": {"enum": ["celsius", "fahrenheit"]},
            "mode": {"type": "string", "enum": ["fast", "slow"]},
        },
        "required": ["unit", "mode"],
    }
    assert build_arguments(schema, "in Fahrenheit please") == {"unit": "fahrenheit", "mode": "fast"}


def test_booleans_from_words() -> None:
    schema = {"type": "object", "properties": {"flag": {"type": "boolean"}}, "required": ["flag"]}
    assert build_arguments(schema, "yes do it") == {"flag": True}
    assert build_arguments(schema, "false") == {"flag": False}
    assert build_arguments(schema, "whatever") == {"flag": False}


def test_nested_objects_arrays_refs_and_any_of() -> None:
    schema = {
        "type": "object",
        "$defs": {
            "Point": {
                "type": "object",
                "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}},
                "required": ["x", "y"],
            }
        },
        "properties": {
            "origin": {"$ref": "#/$defs/Point"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "note": {"anyOf": [{"type": "null"}, {"type": "string"}]},
            "points": {"type": "array", "items": {"$ref": "#/$defs/Point"}, "minItems": 2},
            "optional": {"type": "string"},
        },
        "required": ["origin", "tags", "note", "points"],
    }
    value = build_arguments(schema, "Plot 3, 4 labelled 'home'")
    jsonschema.validate(value, schema)
    assert value["origin"] == {"x": 3, "y": 4}
    assert value["tags"] == ["home"]
    assert isinstance(value["note"], str)
    assert len(value["points"]) == 2
    assert "optional" not in value


def test_all_properties_when_required_is_absent() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}
    assert set(build_arguments(schema, "go")) == {"a", "b"}


def test_string_formats_and_lengths() -> None:
    schema = {
        "type": "object",
        "properties": {
            "when": {"type": "string", "format": "date"},
            "code": {"type": "string", "minLength": 12, "maxLength": 12},
        },
        "required": ["when", "code"],
    }
    value = build_arguments(schema, "Schedule it")
    jsonschema.validate(value, schema)
    assert value["when"] == "2024-01-01"


def test_string_phrase_never_empty() -> None:
    schema = {"type": "object", "properties": {"s": {"type": "string"}}, "required": ["s"]}
    for text in ["", "!!!", "the of a", "Hi"]:
        assert build_arguments(schema, text)["s"]


# --------------------------------------------------------------------------- tool choice


def test_match_requires_meaningful_overlap() -> None:
    tools = [spec_of(magic_function), spec_of(get_weather)]
    assert match_tool(tools, "Hello!") is None
    assert match_tool(tools, "Use the tool please") is None
    chosen = match_tool(tools, "What is the weather in San Francisco, CA?")
    assert chosen is not None
    assert chosen.name == "get_weather"


def test_tool_choice_none_never_calls() -> None:
    reply = generate(
        [ConvMessage("user", "magic_function(3)")],
        tools=[spec_of(magic_function)],
        tool_choice="none",
    )
    assert reply.tool_calls == ()
    assert reply.text


def test_custom_without_match_calls_first_tool() -> None:
    tools = [spec_of(magic_function), spec_of(get_weather)]
    reply = generate([ConvMessage("user", "Hello!")], tools=tools, tool_choice="custom")
    assert [c.name for c in reply.tool_calls] == ["magic_function"]
    assert json.loads(reply.tool_calls[0].arguments) == {"input": 0}


def test_custom_prefers_forced_tool() -> None:
    tools = [spec_of(magic_function), spec_of(get_weather)]
    reply = generate(
        [ConvMessage("user", "Hello!")], tools=tools, tool_choice="custom", forced_tool=tools[1]
    )
    assert [c.name for c in reply.tool_calls] == ["get_weather"]


def test_no_call_when_last_message_is_a_tool_result() -> None:
    messages = [ConvMessage("user", "weather?"), ConvMessage("tool", "sunny")]
    reply = generate(messages, tools=[spec_of(get_weather)], tool_choice="custom")
    assert reply.tool_calls == ()


# ------------------------------------------------------------------ LangChain's standard tests


@pytest.mark.parametrize("tool_choice", [None, "custom"])
def test_langchain_tool_calling(tool_choice: str | None) -> None:
    prompt = "What is the value of magic_function(3)? Use the tool."
    assert call(magic_function, prompt, tool_choice) == {"input": 3}


@pytest.mark.parametrize("tool_choice", [None, "custom"])
def test_langchain_tool_calling_with_no_arguments(tool_choice: str | None) -> None:
    prompt = "What is the value of magic_function_no_args()? Use the tool."
    assert call(magic_function_no_args, prompt, tool_choice) == {}


@pytest.mark.filterwarnings("ignore::langchain_core._api.beta_decorator.LangChainBetaWarning")
def test_langchain_bind_runnables_as_tools() -> None:
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    prompt = ChatPromptTemplate.from_messages(
        [("human", "Hello. Please respond in the style of {answer_style}.")]
    )
    chain = prompt | GenericFakeChatModel(messages=iter(["hello matey"])) | StrOutputParser()
    runnable_tool: BaseTool = chain.as_tool(
        name="greeting_generator",
        description="Generate a greeting in a particular style of speaking.",
    )
    args = call(runnable_tool, "Using the tool, generate a Pirate greeting.", "custom")
    assert args["answer_style"] == "Pirate"


@pytest.mark.parametrize("forced", ["custom", "named"])
def test_langchain_tool_choice_hello(forced: str) -> None:
    tools = [spec_of(magic_function), spec_of(get_weather)]
    forced_tool = tools[0] if forced == "named" else None
    reply = generate(
        [ConvMessage("user", "Hello!")], tools=tools, tool_choice="custom", forced_tool=forced_tool
    )
    assert reply.tool_calls
    assert reply.tool_calls[0].name == "magic_function"


def test_langchain_agent_loop_makes_exactly_one_call() -> None:
    args = call(get_weather, "What is the weather in San Francisco, CA?")
    assert args == {"location": "San Francisco, CA"}
    messages = [
        ConvMessage("user", "What is the weather in San Francisco, CA?"),
        ConvMessage("assistant", "", ()),
        ConvMessage("tool", "It's sunny."),
    ]
    final = generate(messages, tools=[spec_of(get_weather)])
    assert final.tool_calls == ()
    assert "It's sunny." in final.text


@pytest.mark.parametrize("schema_type", ["pydantic", "typeddict", "json_schema"])
def test_langchain_structured_output(schema_type: str) -> None:
    schema, _ = _get_joke_class(schema_type)  # type: ignore[arg-type]
    spec = spec_of(schema)
    args = call(schema, "Tell me a joke about cats.", "custom")
    assert set(args) == {"setup", "punchline"}
    assert all(isinstance(v, str) and v for v in args.values())
    jsonschema.validate(args, spec.parameters)


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        (
            "Create a customer named '你好啊集团' (Hello Group) - a Chinese technology company",
            "你好",
        ),
        (
            "Create a customer named 'こんにちは株式会社' (Hello Corporation) - a Japanese company",
            "こんにちは",
        ),
    ],
)
def test_langchain_unicode_tool_call(prompt: str, expected: str) -> None:
    for choice in (None, "custom"):
        args = call(unicode_customer, prompt, choice)
        assert expected in args["customer_name"]
        assert args["description"]


def test_unicode_name_kept_without_quotes() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    assert "你好啊集团" in build_arguments(schema, "Create a customer named 你好啊集团 now")["name"]


# -- retrieval prompts -------------------------------------------------------------------------

_QA_PROMPT = """Context information is below.
---------------------
file_path: tencent.md

# 腾讯

腾讯公司成立于 1998 年，总部位于深圳南山区的腾讯滨海大厦。腾讯的产品包括微信、QQ
和腾讯云。
# 荔枝

荔枝是华南的夏季水果，每年五月到七月上市。
---------------------
Given the context information and not prior knowledge, answer the query.
Query: {question}
Answer: """


def test_grounded_answer_quotes_the_sentence_that_answers() -> None:
    answer = grounded_answer(_QA_PROMPT.format(question="腾讯的总部在哪里？"))
    assert answer is not None
    assert "总部位于深圳南山区" in answer
    assert "荔枝" not in answer
    assert "file_path" not in answer


def test_grounded_answer_follows_the_question() -> None:
    answer = grounded_answer(_QA_PROMPT.format(question="荔枝什么时候上市？"))
    assert answer is not None
    assert "五月到七月" in answer
    assert "腾讯" not in answer


def test_grounded_answer_only_for_context_then_question_prompts() -> None:
    assert grounded_answer("腾讯的总部在哪里？") is None
    assert grounded_answer(_QA_PROMPT.format(question="What is the capital of France?")) is None


def test_generate_answers_retrieval_prompts_from_the_context() -> None:
    reply = generate([ConvMessage("user", _QA_PROMPT.format(question="腾讯的总部在哪里？"))])
    assert reply.text.startswith("根据提供的资料：")
    assert "滨海大厦" in reply.text
