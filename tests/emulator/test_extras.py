"""Hunyuan's own request fields on the emulator, as Tencent's SDK documents them: search
enhancement (results only when asked for and a search ran, citation marks), the a13b thinking
switch, stream moderation, and unknown fields. On ChatCompletions (Tencent's SDK and the raw wire)
and the OpenAI-compatible endpoint (OpenAI's SDK)."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.hunyuan.v20230901 import models

from hunyuan_emulator.model import cite, search

QUESTION = "Who won the 2024 Olympic marathon?"
SEARCH = {"EnableEnhancement": True, "SearchInfo": True}


def chat_body(model: str = "hunyuan-turbos-latest", text: str = QUESTION, **fields: Any) -> Any:
    return {"Model": model, "Messages": [{"Role": "user", "Content": text}], **fields}


def chat_request(**fields: Any) -> Any:
    request = models.ChatCompletionsRequest()
    request.from_json_string(json.dumps(chat_body(**fields)))
    return request


def answer(wire: Any, **fields: Any) -> dict[str, Any]:
    response = wire.post("ChatCompletions", chat_body(**fields)).json()["Response"]
    assert "Error" not in response, response
    return dict(response)


# -- the deterministic search ----------------------------------------------------------------------


def test_search_results_are_derived_from_the_query() -> None:
    first, second, third = search(QUESTION)
    assert [r.index for r in (first, second, third)] == [1, 2, 3]
    assert first.title == QUESTION
    assert second.title == f"News about {QUESTION}"
    assert (
        first.url
        == "https://encyclopedia.emulator.invalid/search?q=Who%20won%20the%202024%20Olympic%20marathon%3F"
    )
    assert first.text == "Emulator Encyclopedia"
    assert first.icon == "https://encyclopedia.emulator.invalid/favicon.ico"
    assert search(QUESTION) == (first, second, third)
    chinese = search("上海今天的天气怎么样？")
    assert [r.text for r in chinese] == ["模拟百科", "模拟新闻", "模拟问答"]


def test_citation_marks_follow_sentences_in_turn() -> None:
    results = search("x")
    assert cite("One. Two! Three? Four.", results) == "One.[^1] Two![^2] Three?[^3] Four.[^1]"
    assert cite("第一句。第二句。", results) == "第一句。[^1]第二句。[^2]"
    # Decimal points, domains and quotations hold no sentence ends; text without an end still
    # cites.
    assert cite("Version 3.5 at example.com", results) == "Version 3.5 at example.com[^1]"
    assert cite('He asked "why? how?" twice.', results) == 'He asked "why? how?" twice.[^1]'
    assert cite("问：「为什么？」答：因为。", results) == "问：「为什么？」答：因为。[^1]"
    assert cite("Hello.", ()) == "Hello."


# -- ChatCompletions -------------------------------------------------------------------------------


def test_the_sdk_reads_search_info_with_no_unknown_fields(sdk: Any) -> None:
    """Tencent's SDK warns about fields it does not know ("fileds are useless"); the emulator's
    SearchInfo has none, and every result field is filled."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        response = sdk.ChatCompletions(chat_request(**SEARCH, Citation=True))
    results = response.SearchInfo.SearchResults
    assert [(r.Index, r.Title, r.Text) for r in results] == [
        (r.index, r.title, r.text) for r in search(QUESTION)
    ]
    assert all(r.Url.startswith("https://") and r.Icon for r in results)
    assert response.Choices[0].Message.Content == (
        f'You said: "{QUESTION}".[^1] This is a deterministic reply from the Hunyuan emulator.[^2]'
    )


@pytest.mark.parametrize(
    ("fields", "returned"),
    [
        ({}, False),
        ({"SearchInfo": True}, False),  # no search ran
        ({"EnableEnhancement": True}, False),  # ran, not asked for
        ({"EnableEnhancement": False, "SearchInfo": True}, False),
        (SEARCH, True),
        ({"ForceSearchEnhancement": True, "SearchInfo": True}, True),
        ({**SEARCH, "EnableSpeedSearch": True}, True),
        ({**SEARCH, "Model": "hunyuan-lite"}, False),  # "hunyuan-lite 无功能增强（如搜索）能力"
    ],
)
def test_search_info_only_when_asked_for_and_a_search_ran(
    wire: Any, fields: dict[str, Any], returned: bool
) -> None:
    body = answer(wire, **fields)
    assert ("SearchInfo" in body) is returned
    text = body["Choices"][0]["Message"]["Content"]
    assert "[^" not in text  # no Citation asked for


def test_citation_needs_a_search_not_the_results(wire: Any) -> None:
    cited = answer(wire, EnableEnhancement=True, Citation=True)
    assert "[^1]" in cited["Choices"][0]["Message"]["Content"]
    assert "SearchInfo" not in cited
    off = answer(wire, Citation=True)
    assert "[^" not in off["Choices"][0]["Message"]["Content"]


def test_a_stream_sends_the_results_once_on_its_first_chunk(wire: Any) -> None:
    body = chat_body(**SEARCH, Citation=True, Stream=True, text="上海今天的天气怎么样？")
    frames = wire.frames(wire.post("ChatCompletions", body).content)
    assert [("SearchInfo" in f) for f in frames] == [True] + [False] * (len(frames) - 1)
    titles = [r["Title"] for r in frames[0]["SearchInfo"]["SearchResults"]]
    assert titles[1] == "关于「上海今天的天气怎么样？」的新闻"
    text = "".join(f["Choices"][0]["Delta"]["Content"] for f in frames)
    assert text == (
        "您好！[^1]您说的是：「上海今天的天气怎么样？」。[^2]这是混元模拟器根据对话生成的确定性回复。[^3]"
    )


def test_queued_replies_get_the_search_but_keep_their_text(wire: Any, emu: Any) -> None:
    emu.state.queue_reply(text="Exactly this. No marks added.")
    body = answer(wire, **SEARCH, Citation=True)
    assert body["Choices"][0]["Message"]["Content"] == "Exactly this. No marks added."
    assert len(body["SearchInfo"]["SearchResults"]) == 3


# -- the OpenAI-compatible endpoint ----------------------------------------------------------------


def test_openai_sdk_reads_search_info_in_snake_case(oai: Any) -> None:
    extra = {"enable_enhancement": True, "search_info": True, "citation": True}
    messages = [{"role": "user", "content": QUESTION}]
    completion = oai.chat.completions.create(
        model="hunyuan-turbos-latest", messages=messages, extra_body=extra
    )
    info = completion.model_extra["search_info"]
    assert list(info) == ["search_results"]
    assert [sorted(r) for r in info["search_results"]] == [
        ["icon", "index", "text", "title", "url"]
    ] * 3
    assert info["search_results"][0]["title"] == QUESTION
    assert "[^2]" in completion.choices[0].message.content
    chunks = list(
        oai.chat.completions.create(
            model="hunyuan-turbos-latest", messages=messages, extra_body=extra, stream=True
        )
    )
    assert [("search_info" in (c.model_extra or {})) for c in chunks] == [True] + [False] * (
        len(chunks) - 1
    )
    assert chunks[0].model_extra["search_info"] == info
    plain = oai.chat.completions.create(model="hunyuan-turbos-latest", messages=messages)
    assert "search_info" not in (plain.model_extra or {})


# -- the a13b thinking switch, stream moderation, unknown fields -----------------------------------


def reasoning_of(wire: Any, model: str, **fields: Any) -> str:
    message = answer(wire, model=model, text="hi", **fields)["Choices"][0]["Message"]
    return str(message.get("ReasoningContent", ""))


def test_enable_thinking_switches_off_a13b_only(wire: Any) -> None:
    """ "开关当前仅对hunyuan-a13b模型生效": other reasoning models ignore it."""
    assert reasoning_of(wire, "hunyuan-a13b")
    assert reasoning_of(wire, "hunyuan-a13b", EnableThinking=False) == ""
    assert reasoning_of(wire, "hunyuan-a13b", EnableThinking=True)
    assert reasoning_of(wire, "hunyuan-t1-latest", EnableThinking=False)
    assert reasoning_of(wire, "hunyuan-turbos-latest", EnableThinking=True) == ""


def test_stream_moderation_is_a_boolean(wire: Any, emu: Any) -> None:
    emu.state.queue_reply(text="Withdraw me", finish_reason="sensitive")
    body = chat_body(Stream=True, StreamModeration=True)
    frames = wire.frames(wire.post("ChatCompletions", body).content)
    assert frames[-1]["Choices"][0]["FinishReason"] == "sensitive"
    code = wire.error_code("ChatCompletions", chat_body(StreamModeration="yes"))
    assert code == "InvalidParameter"


def test_unknown_fields_are_named(sdk: Any) -> None:
    with pytest.raises(TencentCloudSDKException) as raised:
        sdk.call_json("ChatCompletions", chat_body(EnableTelepathy=True))
    assert raised.value.code == "UnknownParameter"
    assert "EnableTelepathy" in raised.value.message
