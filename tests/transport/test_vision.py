"""Images reach Hunyuan's vision models intact, from both adapters, on ChatCompletions and the
OpenAI-compatible endpoint: the request log holds exactly the image sent, and the emulator's
answer quotes what it read of the bytes (format, pixel size, length, digest), or the link it was
given. RunThread, models without vision and non-user messages refuse images before sending.
LangChain's standard integration suite runs its image tests here too, on a vision model, with
the image it downloads served locally."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.integration_tests import chat_models as standard_chat_models
from llama_index.core.base.llms.types import ChatMessage, ImageBlock, LLMMetadata, TextBlock

from tests.support.images import data_uri, image_bytes, seen
from tests.support.langchain_standard import EmulatorIntegration
from tests.support.transport import ACTION, bodies, message_parts, user_parts

if TYPE_CHECKING:
    from hunyuan_emulator import EmulatorHandle
    from langchain_hunyuan import ChatHunyuan
    from llama_index_hunyuan import Hunyuan

MakeChat = Callable[..., "ChatHunyuan"]
MakeLLM = Callable[..., "Hunyuan"]

MODEL = "hunyuan-turbos-vision"
QUESTION = "What is in this picture?"
LINK = "https://example.com/photos/cat.png"
PNG = image_bytes("PNG", (64, 48))
JPEG = image_bytes("JPEG", (20, 10), color="blue")
WEBP = image_bytes("WEBP", (7, 9), lossless=True)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture(params=["chat_completions", "openai"])
def api(request: pytest.FixtureRequest) -> str:
    """The transports that carry images."""
    return str(request.param)


def answer_ends_with(text: str, *described: str) -> None:
    images = " ".join(f"Image {i}: {d}." for i, d in enumerate(described, 1))
    assert text.endswith(f"This is a deterministic reply from the Hunyuan emulator. {images}")


# -- LangChain -------------------------------------------------------------------------------------

# Each image block shape LangChain users send: (block, the URL on the wire, what the model saw).
LANGCHAIN_BLOCKS: dict[str, tuple[dict[str, Any], str, str]] = {
    "standard-base64": (
        {"type": "image", "base64": b64(PNG), "mime_type": "image/png"},
        data_uri(PNG),
        seen(PNG, "PNG", (64, 48)),
    ),
    "standard-url": ({"type": "image", "url": LINK}, LINK, f"{LINK} (a link, not fetched)"),
    "openai-data-url": (
        {"type": "image_url", "image_url": {"url": data_uri(JPEG, "image/jpeg")}},
        data_uri(JPEG, "image/jpeg"),
        seen(JPEG, "JPEG", (20, 10)),
    ),
    "anthropic-base64": (
        {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/webp", "data": b64(WEBP)},
        },
        data_uri(WEBP, "image/webp"),
        seen(WEBP, "WEBP", (7, 9)),
    ),
}


@pytest.mark.parametrize("kind", LANGCHAIN_BLOCKS)
async def test_langchain_image_blocks_reach_the_model_intact(
    emu: EmulatorHandle, make_chat: MakeChat, api: str, kind: str, sync: bool
) -> None:
    block, url, described = LANGCHAIN_BLOCKS[kind]
    chat = make_chat(api=api, model=MODEL)
    message = HumanMessage(content=[{"type": "text", "text": QUESTION}, block])
    reply = chat.invoke([message]) if sync else await chat.ainvoke([message])
    answer_ends_with(reply.text, described)
    assert user_parts(emu, api) == ([QUESTION], [url])
    if sync:
        streamed = "".join(chunk.text for chunk in chat.stream([message]))
    else:
        streamed = "".join([chunk.text async for chunk in chat.astream([message])])
    assert streamed == reply.text
    assert user_parts(emu, api) == ([QUESTION], [url])


def test_langchain_several_images_keep_their_order_across_turns(
    emu: EmulatorHandle, make_chat: MakeChat, api: str
) -> None:
    """A stateless API gets the whole history again: earlier images too, in place."""
    chat = make_chat(api=api, model=MODEL)
    first = HumanMessage(
        content=[{"type": "text", "text": "Remember this one."}, {"type": "image", "url": LINK}]
    )
    reply = chat.invoke([first])
    second = HumanMessage(
        content=[
            {"type": "image", "base64": b64(PNG), "mime_type": "image/png"},
            {"type": "text", "text": "Compare these"},
            {"type": "image_url", "image_url": {"url": data_uri(JPEG, "image/jpeg")}},
            {"type": "text", "text": "two."},
        ]
    )
    answer = chat.invoke([first, reply, second])
    answer_ends_with(answer.text, seen(PNG, "PNG", (64, 48)), seen(JPEG, "JPEG", (20, 10)))
    # Text blocks joined by a newline, the images after the text.
    assert user_parts(emu, api) == (
        ["Compare these\ntwo."],
        [data_uri(PNG), data_uri(JPEG, "image/jpeg")],
    )
    body = emu.state.requests[-1].body
    messages = body["messages"] if api == "openai" else body["Messages"]
    assert len(messages) == 3
    assert LINK in str(messages[0])


# -- LlamaIndex ------------------------------------------------------------------------------------


def llama_block(kind: str, tmp_path: Path) -> tuple[ImageBlock, str, str]:
    """An ``ImageBlock`` of each source, the URL on the wire and what the model saw."""
    if kind == "bytes":
        return ImageBlock(image=JPEG), data_uri(JPEG, "image/jpeg"), seen(JPEG, "JPEG", (20, 10))
    if kind == "path":
        path = tmp_path / "photo.webp"
        path.write_bytes(WEBP)
        return ImageBlock(path=path), data_uri(WEBP, "image/webp"), seen(WEBP, "WEBP", (7, 9))
    return ImageBlock(url=LINK), LINK, f"{LINK} (a link, not fetched)"


@pytest.mark.parametrize("kind", ["bytes", "path", "url"])
async def test_llama_index_image_blocks_reach_the_model_intact(
    emu: EmulatorHandle, make_llm: MakeLLM, api: str, kind: str, sync: bool, tmp_path: Path
) -> None:
    block, url, described = llama_block(kind, tmp_path)
    llm = make_llm(api=api, model=MODEL)
    messages = [ChatMessage(role="user", blocks=[TextBlock(text=QUESTION), block])]
    response = llm.chat(messages) if sync else await llm.achat(messages)
    answer_ends_with(response.message.content or "", described)
    assert user_parts(emu, api) == ([QUESTION], [url])
    if sync:
        final = list(llm.stream_chat(messages))[-1]
    else:
        final = [r async for r in await llm.astream_chat(messages)][-1]
    assert final.message.content == response.message.content
    assert user_parts(emu, api) == ([QUESTION], [url])


# -- where images are refused ----------------------------------------------------------------------


def test_run_thread_refuses_images_naming_the_transports_that_take_them(
    emu: EmulatorHandle, make_chat: MakeChat, make_llm: MakeLLM
) -> None:
    block = {"type": "image", "base64": b64(PNG), "mime_type": "image/png"}
    with pytest.raises(ValueError, match="RunThread carries text only") as raised:
        make_chat(model="hunyuan-vision").invoke(
            [HumanMessage(content=[{"type": "text", "text": "hi"}, block])]
        )
    assert "api='chat_completions'" in str(raised.value)
    assert "api='openai'" in str(raised.value)
    message = ChatMessage(role="user", blocks=[TextBlock(text="hi"), ImageBlock(image=PNG)])
    with pytest.raises(ValueError, match=r"api='chat_completions'.*api='openai'"):
        make_llm(model="hunyuan-vision").chat([message])
    assert emu.state.requests == []  # not even a CreateThread


def test_models_without_vision_refuse_images_before_sending(
    emu: EmulatorHandle, make_chat: MakeChat, make_llm: MakeLLM, api: str
) -> None:
    block = {"type": "image", "url": LINK}
    with pytest.raises(ValueError, match="does not take images; use a vision model"):
        make_chat(api=api, model="hunyuan-turbos-latest").invoke(
            [HumanMessage(content=[{"type": "text", "text": "hi"}, block])]
        )
    message = ChatMessage(role="user", blocks=[TextBlock(text="hi"), ImageBlock(url=LINK)])
    with pytest.raises(ValueError, match="hunyuan-turbos-vision"):
        make_llm(api=api, model="hunyuan-lite").chat([message])
    assert emu.state.requests == []


def test_images_only_in_user_messages_and_with_text(
    emu: EmulatorHandle, make_chat: MakeChat, api: str
) -> None:
    chat = make_chat(api=api, model=MODEL)
    image = {"type": "image", "url": LINK}
    history = [
        HumanMessage("hi"),
        AIMessage(content=[{"type": "text", "text": "Look:"}, image]),
        HumanMessage("and?"),
    ]
    with pytest.raises(ValueError, match="user messages only"):
        chat.invoke(history)
    # ChatCompletions needs a text part beside the images (``Contents``).
    with pytest.raises(ValueError, match="a text part besides the images"):
        chat.invoke([HumanMessage(content=[image])])
    assert emu.state.requests == []


def test_vision_capability_comes_from_the_catalog(make_chat: MakeChat, api: str) -> None:
    assert make_chat(api=api, model=MODEL).profile["image_inputs"] is True
    assert make_chat(api=api, model="hunyuan-vision").profile["image_url_inputs"] is True
    assert make_chat(api=api, model="hunyuan-turbos-latest").profile["image_inputs"] is False
    assert make_chat(model="hunyuan-vision").profile["image_inputs"] is False  # RunThread
    # LlamaIndex's LLMMetadata has no field for image input (the README says so).
    assert not [f for f in LLMMetadata.model_fields if "image" in f or "vision" in f]


# -- LangChain's standard image tests, offline -----------------------------------------------------


class _ServedDownloads:
    """``httpx`` as langchain-tests' chat-model tests see it: ``get`` answers with a local PNG for
    any image URL and refuses everything else, so no test reaches the network; the rest is
    httpx itself."""

    def __init__(self, image: bytes) -> None:
        self.image = image
        self.urls: list[str] = []

    def get(self, url: str, **_: Any) -> httpx.Response:
        if not url.endswith((".png", ".jpg", ".jpeg")):
            raise AssertionError(f"langchain-tests downloads {url}; serve it locally too")
        self.urls.append(url)
        return httpx.Response(200, content=self.image, request=httpx.Request("GET", url))

    def __getattr__(self, name: str) -> Any:
        return getattr(httpx, name)


class VisionIntegration(EmulatorIntegration):
    """The integration suite on a vision model. Vision models take no tools (Tencent's Tools
    field lists none of them), so the tool tests skip themselves and the Anthropic-input test,
    which binds a tool, is off; an image in a tool result has no place on Hunyuan's wire (images
    go in user messages only)."""

    cassettes = Path(__file__).parent / "cassettes"
    served: ClassVar[_ServedDownloads | None] = None

    @pytest.fixture(autouse=True)
    def _use_emulator(self, emu: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> None:
        type(self).emulator_handle = emu
        served = _ServedDownloads(image_bytes("PNG", (120, 80), color="green"))
        monkeypatch.setattr(standard_chat_models, "httpx", served)
        type(self).served = served

    @pytest.fixture(autouse=True)
    def _images_arrived_intact(self, request: pytest.FixtureRequest, emu: EmulatorHandle) -> Any:
        """After the standard image test: every image it sent reached the emulator as sent."""
        yield
        if request.node.originalname != "test_image_inputs" or self.served is None:
            return
        api = self.extra_params["api"]
        sent = [message_parts(body, api)[1] for body in bodies(emu, ACTION[api])]
        png = data_uri(self.served.image)
        assert sent == [[png], [png], self.served.urls[:1]]

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {**super().chat_model_params, "model": MODEL}

    # langchain-tests reads these as attributes; plain values override its properties.
    has_tool_calling = False
    supports_anthropic_inputs = False
    supports_image_inputs = True
    supports_image_urls = True
    supports_image_tool_message = False

    @property
    def structured_output_kwargs(self) -> dict[str, Any]:
        # Without tools, structured output is the JSON Schema instruction.
        return {"method": "json_schema"}


class TestChatHunyuanVisionChatCompletions(VisionIntegration, ChatModelIntegrationTests):
    extra_params: ClassVar[dict[str, Any]] = {"api": "chat_completions"}


class TestChatHunyuanVisionOpenAI(VisionIntegration, ChatModelIntegrationTests):
    extra_params: ClassVar[dict[str, Any]] = {"api": "openai"}
