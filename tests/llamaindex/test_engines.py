"""Query engines and chat engines: the paths most LlamaIndex applications take."""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core import Document, SummaryIndex, VectorStoreIndex
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.memory import ChatMemoryBuffer

from hunyuan_emulator import EmulatorHandle
from llama_index_hunyuan import Hunyuan

# With LangChain installed, LlamaIndex's own bridge imports langchain_community, which warns.
pytestmark = pytest.mark.filterwarnings("ignore:`langchain-community` is being sunset")

DOCS = [
    Document(text="Pandas are bears native to south central China. They eat bamboo."),
    Document(text="Hunyuan is a family of large language models built by Tencent."),
    Document(text="The Li River flows through Guilin and Yangshuo in Guangxi."),
]


def _runs(emu: EmulatorHandle) -> list[dict[str, Any]]:
    return [r.body for r in emu.state.requests if r.action == "RunThread"]


def _sent_text(emu: EmulatorHandle) -> str:
    return "\n".join(m["Content"] for r in _runs(emu) for m in r["AdditionalMessages"])


def test_vector_query_engine(emu: EmulatorHandle, llm: Hunyuan) -> None:
    index = VectorStoreIndex.from_documents(DOCS, embed_model=MockEmbedding(embed_dim=8))
    engine = index.as_query_engine(llm=llm, similarity_top_k=3)
    response = engine.query("What do pandas eat?")
    # The emulator answers retrieval prompts from the context it was given.
    assert str(response) == (
        "From the provided context: Pandas are bears native to south central China. "
        "They eat bamboo."
    )
    assert len(response.source_nodes) == 3
    assert "bamboo" in _sent_text(emu)
    assert "What do pandas eat?" in _sent_text(emu)


def test_summary_query_engine_streaming(emu: EmulatorHandle, llm: Hunyuan) -> None:
    engine = SummaryIndex.from_documents(DOCS).as_query_engine(llm=llm, streaming=True)
    response = engine.query("Where does the Li River flow?")
    tokens = list(response.response_gen)  # type: ignore[union-attr]
    assert len(tokens) > 3
    assert "".join(tokens) == (
        "From the provided context: The Li River flows through Guilin and Yangshuo in Guangxi."
    )
    assert "Guilin" in _sent_text(emu)


async def test_summary_query_engine_async(emu: EmulatorHandle, llm: Hunyuan) -> None:
    engine = SummaryIndex.from_documents(DOCS).as_query_engine(llm=llm)
    response = await engine.aquery("Who built Hunyuan?")
    assert "built by Tencent" in str(response)
    assert "Tencent" in _sent_text(emu)


async def test_vector_query_engine_async_streaming(emu: EmulatorHandle, llm: Hunyuan) -> None:
    index = VectorStoreIndex.from_documents(DOCS, embed_model=MockEmbedding(embed_dim=8))
    # MockEmbedding ranks every document alike: retrieve them all so the answer is in context.
    engine = index.as_query_engine(llm=llm, streaming=True, similarity_top_k=3)
    response = await engine.aquery("What do pandas eat?")
    tokens = [t async for t in response.async_response_gen()]  # type: ignore[union-attr]
    assert "They eat bamboo." in "".join(tokens)


def test_context_window_drives_packing(emu: EmulatorHandle, make_llm: Any) -> None:
    """A small window makes the synthesizer refine over several calls instead of one."""
    big = [Document(text=f"Fact {i}: " + "bamboo " * 300) for i in range(6)]
    small = make_llm(context_window=1200, max_tokens=200)
    SummaryIndex.from_documents(big).as_query_engine(llm=small).query("Summarize the facts")
    assert len(_runs(emu)) > 1
    emu.state.reset()
    large = make_llm()
    SummaryIndex.from_documents(big).as_query_engine(llm=large).query("Summarize the facts")
    assert len(_runs(emu)) == 1


@pytest.mark.parametrize("mode", ["sync", "async", "stream"])
async def test_chat_engine_system_prompt_and_memory(
    emu: EmulatorHandle, llm: Hunyuan, mode: str
) -> None:
    engine = SimpleChatEngine.from_defaults(
        llm=llm,
        system_prompt="You are a concise travel guide.",
        memory=ChatMemoryBuffer.from_defaults(token_limit=4000),
    )
    for question in ("Where is Guilin?", "And Yangshuo?"):
        if mode == "sync":
            answer = str(engine.chat(question))
        elif mode == "async":
            answer = str(await engine.achat(question))
        else:
            streamed = await engine.astream_chat(question)
            answer = "".join([t async for t in streamed.async_response_gen()])
        assert answer.startswith("You said:")
    runs = _runs(emu)
    assert len(runs) == 2
    assert runs[0]["AdditionalMessages"][0] == {
        "Role": "system",
        "Content": "You are a concise travel guide.",
    }
    # The second turn extends the first turn's thread: only the new question is sent.
    assert runs[1]["ThreadID"] == runs[0]["ThreadID"]
    assert runs[1]["AdditionalMessages"] == [{"Role": "user", "Content": "And Yangshuo?"}]


def test_llm_system_prompt_reaches_chat(emu: EmulatorHandle, make_llm: Any) -> None:
    llm = make_llm(system_prompt="Always answer in haiku.")
    llm.chat([ChatMessage(role="user", content="hello")])
    assert _runs(emu)[-1]["AdditionalMessages"][0] == {
        "Role": "system",
        "Content": "Always answer in haiku.",
    }
    llm.complete("hello")
    assert _runs(emu)[-1]["AdditionalMessages"][0]["Role"] == "system"
