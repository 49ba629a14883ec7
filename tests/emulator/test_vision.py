"""Images on the emulator: what a vision model reads of them (from the bytes, never from the
network), and ChatCompletions' ``Contents`` rules, through Tencent's SDK and on the raw wire."""

from __future__ import annotations

import base64
import json
import socket
from typing import Any

import pytest
from tencentcloud.hunyuan.v20230901 import models

from hunyuan_api._catalog import _FAMILIES
from hunyuan_emulator.catalog import CHAT_COMPLETIONS, OPENAI_CHAT, RUN_THREAD
from hunyuan_emulator.model import read_image
from tests.support.images import data_uri, image_bytes, seen

# Pillow's format, save options, and the chunk or marker that variant exercises.
VARIANTS = [
    ("PNG", {}),
    ("JPEG", {}),
    ("JPEG", {"progressive": True}),
    ("GIF", {}),
    ("WEBP", {}),  # lossy: a VP8 chunk
    ("WEBP", {"lossless": True}),  # VP8L
    ("WEBP", {"exif": b"Exif\x00\x00"}),  # extended: VP8X
]


@pytest.mark.parametrize(("fmt", "options"), VARIANTS, ids=lambda v: str(v))
def test_inline_images_are_read_from_their_own_bytes(fmt: str, options: dict[str, Any]) -> None:
    data = image_bytes(fmt, (37, 11), **options)
    image = read_image(data_uri(data, "image/jpeg"))  # the declared type does not matter
    assert image.describe(False) == seen(data, fmt, (37, 11))
    assert image.url == ""


def test_links_are_quoted_never_fetched() -> None:
    image = read_image("https://example.com/cat.png?size=large")
    assert image.url == "https://example.com/cat.png?size=large"
    assert image.describe(False) == "https://example.com/cat.png?size=large (a link, not fetched)"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://example.com/cat.png", "http:// or https://"),
        ("https://", "no host"),
        ("data:image/png,not-base64-flagged", "data:image/<type>;base64"),
        ("data:text/plain;base64,aGVsbG8=", "data:image/<type>;base64"),
        ("data:image/png;base64,***", "not valid base64"),
        ("data:image/png;base64,", "no bytes"),
        (data_uri(b"\x89PNG\r\n\x1a\n"), "PNG image is truncated"),
        (data_uri(b"GIF89a"), "GIF image is truncated"),
        (data_uri(b"\xff\xd8\xff\xe0\x00\x10JFIF"), "no frame header"),
        (data_uri(b"RIFF\x00\x00\x00\x00WEBPVP8 "), "WebP image is truncated"),
        (data_uri(b"%PDF-1.7 not an image"), "not a PNG, JPEG, GIF or WebP"),
    ],
)
def test_what_is_not_an_image(url: str, why: str) -> None:
    with pytest.raises(ValueError, match=why.replace("*", r"\*")):
        read_image(url)


def chat_request(**fields: Any) -> Any:
    request = models.ChatCompletionsRequest()
    request.from_json_string(json.dumps(fields))
    return request


def test_the_sdk_sends_an_image_and_the_model_describes_it(sdk: Any) -> None:
    png = image_bytes("PNG", (640, 480))
    contents = [
        {"Type": "text", "Text": "What is in this picture?"},
        {"Type": "image_url", "ImageUrl": {"Url": data_uri(png)}},
        {"Type": "image_url", "ImageUrl": {"Url": "https://example.com/dog.jpg"}},
    ]
    response = sdk.ChatCompletions(
        chat_request(
            Model="hunyuan-turbos-vision", Messages=[{"Role": "user", "Contents": contents}]
        )
    )
    assert response.Choices[0].Message.Content == (
        'You said: "What is in this picture?". This is a deterministic reply from the Hunyuan '
        f"emulator. Image 1: {seen(png, 'PNG', (640, 480))}. "
        "Image 2: https://example.com/dog.jpg (a link, not fetched)."
    )


def test_a_chinese_question_gets_a_chinese_description(wire: Any) -> None:
    gif = image_bytes("GIF", (8, 8))
    contents = [
        {"Type": "text", "Text": "这是什么？"},
        {"Type": "image_url", "ImageUrl": {"Url": data_uri(gif, "image/gif")}},
    ]
    body = {"Model": "hunyuan-vision", "Messages": [{"Role": "user", "Contents": contents}]}
    text = wire.post("ChatCompletions", body).json()["Response"]["Choices"][0]["Message"]["Content"]
    digest = seen(gif, "GIF", (8, 8)).rsplit(" ", 1)[1]
    assert text.endswith(f"图片1：GIF，8×8 像素，{len(gif)} 字节，sha256 {digest}。")


def test_the_emulator_opens_no_connection_for_a_link(wire: Any) -> None:
    """A URL pointing at a listening socket on this machine: nothing ever connects to it."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/cat.png"
        contents = [
            {"Type": "text", "Text": "describe"},
            {"Type": "image_url", "ImageUrl": {"Url": url}},
        ]
        body = {"Model": "hunyuan-vision", "Messages": [{"Role": "user", "Contents": contents}]}
        answer = wire.post("ChatCompletions", body).json()["Response"]
        frames = wire.frames(wire.post("ChatCompletions", {**body, "Stream": True}).content)
        streamed = "".join(f["Choices"][0]["Delta"]["Content"] for f in frames)
        for text in (answer["Choices"][0]["Message"]["Content"], streamed):
            assert text.endswith(f"Image 1: {url} (a link, not fetched).")
        with pytest.raises(BlockingIOError):
            listener.accept()


PNG_PART = {"Type": "image_url", "ImageUrl": {"Url": data_uri(image_bytes())}}
TEXT_PART = {"Type": "text", "Text": "describe it"}


def user(*contents: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"Role": "user", "Contents": list(contents), **fields}


@pytest.mark.parametrize(
    ("model", "messages", "code", "says"),
    [
        ("hunyuan-vision", [user(PNG_PART)], "InvalidParameterValue", "Messages.0.Contents"),
        (
            "hunyuan-vision",
            [user(TEXT_PART, Content="also")],
            "InvalidParameterValue",
            "Content or Contents, not both",
        ),
        (
            "hunyuan-turbos-latest",
            [user(TEXT_PART, PNG_PART)],
            "InvalidParameterValue",
            "Messages.0.Contents.1.ImageUrl.Url",
        ),
        (
            "hunyuan-vision",
            [
                {"Role": "user", "Content": "hi"},
                {"Role": "assistant", "Contents": [TEXT_PART, PNG_PART]},
                {"Role": "user", "Content": "and?"},
            ],
            "InvalidParameterValue",
            "user messages only",
        ),
        (
            "hunyuan-vision",
            [user(TEXT_PART, {"Type": "video_url", "VideoUrl": {"Url": "https://x/v.mp4"}})],
            "InvalidParameterValue",
            "video models",
        ),
        ("hunyuan-vision", [user(TEXT_PART, {"Type": "audio"})], "InvalidParameterValue", "one of"),
        (
            "hunyuan-vision",
            [user({"Type": "image_url"}, TEXT_PART)],
            "MissingParameter",
            "Messages.0.Contents.0.ImageUrl",
        ),
        (
            "hunyuan-vision",
            [user({**TEXT_PART, "ImageUrl": {"Url": "https://x/y.png"}})],
            "InvalidParameterValue",
            "carries Text only",
        ),
        (
            "hunyuan-vision",
            [user(TEXT_PART, {"Type": "image_url", "ImageUrl": {"Url": "file:///etc/passwd"}})],
            "InvalidParameterValue",
            "http:// or https://",
        ),
        (
            "hunyuan-vision",
            [user(TEXT_PART, {"Type": "image_url", "ImageUrl": {"Url": data_uri(b"hello")}})],
            "InvalidParameterValue",
            "not a PNG, JPEG, GIF or WebP",
        ),
    ],
    ids=[
        "no-text-part",
        "content-and-contents",
        "model-without-vision",
        "image-in-assistant-message",
        "video",
        "unknown-type",
        "image-part-without-url",
        "stray-field",
        "file-url",
        "not-an-image",
    ],
)
def test_contents_rules(
    wire: Any, model: str, messages: list[dict[str, Any]], code: str, says: str
) -> None:
    response = wire.post("ChatCompletions", {"Model": model, "Messages": messages})
    error = response.json()["Response"]["Error"]
    assert error["Code"] == code
    assert says in error["Message"]


def test_text_only_contents_work_everywhere(wire: Any) -> None:
    """``Contents`` of text alone is ordinary text, in any role and for any model."""
    messages = [
        user(TEXT_PART, {"Type": "text", "Text": " please"}),
        {"Role": "assistant", "Contents": [{"Type": "text", "Text": "Sure."}]},
        {"Role": "user", "Content": "thanks"},
    ]
    body = {"Model": "hunyuan-turbos-latest", "Messages": messages}
    answer = wire.post("ChatCompletions", body).json()["Response"]
    assert "thanks" in answer["Choices"][0]["Message"]["Content"]


def test_image_bytes_survive_base64_exactly(wire: Any) -> None:
    """One flipped byte in the payload changes the digest the model reports."""
    png = bytearray(image_bytes("PNG", (5, 5)))
    good = data_uri(bytes(png))
    png[-5] ^= 0xFF
    bad = "data:image/png;base64," + base64.b64encode(bytes(png)).decode()
    answers = []
    for url in (good, bad):
        contents = [TEXT_PART, {"Type": "image_url", "ImageUrl": {"Url": url}}]
        body = {"Model": "hunyuan-vision", "Messages": [user(*contents)]}
        answers.append(
            wire.post("ChatCompletions", body).json()["Response"]["Choices"][0]["Message"]
        )
    assert answers[0]["Content"] != answers[1]["Content"]
    assert seen(bytes(png), "PNG", (5, 5)) in answers[1]["Content"]


def test_the_vision_models_are_the_clients() -> None:
    """The emulator's catalog is its own, but it takes images from exactly the models the
    client's catalog sends them to (which the README lists)."""
    client = sorted(f.name for f in _FAMILIES if f.vision)
    for catalog in (CHAT_COMPLETIONS, OPENAI_CHAT):
        assert sorted(f.stem for f in catalog.families if f.vision) == client
    assert [f.stem for f in RUN_THREAD.families if f.vision] == ["hunyuan-vision"]
