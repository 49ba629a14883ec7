"""``HunyuanEmbedding``: a ``VectorStoreIndex`` over examples/data answered by ``Hunyuan`` with no
other provider installed, ``Settings.embed_model``, LlamaIndex's batching (sync and async)
within the concurrency limit, its instrumentation, errors."""

from __future__ import annotations

import asyncio
import copy
import importlib.util
import json
import pickle
import pkgutil
from pathlib import Path
from typing import Any

import pytest
from llama_index.core import Settings, SimpleDirectoryReader, VectorStoreIndex
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from llama_index.core.instrumentation.events.embedding import (
    EmbeddingEndEvent,
    EmbeddingStartEvent,
)

import hunyuan_api
import llama_index.embeddings
from hunyuan_emulator import EmulatorHandle
from llama_index.embeddings.hunyuan import HunyuanEmbedding as NamespacedEmbedding
from llama_index_hunyuan import Hunyuan, HunyuanEmbedding
from tests.support.common import emulator_settings

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"
# With LangChain installed, LlamaIndex's own bridge imports langchain_community, which warns.
pytestmark = pytest.mark.filterwarnings("ignore:`langchain-community` is being sunset")


@pytest.fixture
def environment(emu: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> EmulatorHandle:
    """Credentials and endpoint in the environment, as a user's shell would have them."""
    monkeypatch.setenv("HUNYUAN_SECRET_ID", emu.secret_id)
    monkeypatch.setenv("HUNYUAN_SECRET_KEY", emu.secret_key)
    monkeypatch.setenv("HUNYUAN_BASE_URL", emu.base_url)
    return emu


def documents() -> list[Any]:
    return SimpleDirectoryReader(
        str(DATA), file_metadata=lambda path: {"file_name": Path(path).name}
    ).load_data()


@pytest.mark.parametrize(
    ("question", "source", "quoted"),
    [
        ("腾讯的总部在哪里？", "tencent.md", "腾讯滨海大厦"),
        ("荔枝什么时候上市？", "lychee.md", "五月到七月"),
        ("深圳有多少人口？", "shenzhen.md", "一千七百万"),
    ],
)
def test_vector_index_answers_from_the_right_document(
    environment: EmulatorHandle, question: str, source: str, quoted: str
) -> None:
    # Nothing but this package: no OpenAI embeddings to fall back on.
    assert importlib.util.find_spec("llama_index.embeddings.openai") is None
    assert {m.name for m in pkgutil.iter_modules(llama_index.embeddings.__path__)} == {"hunyuan"}
    index = VectorStoreIndex.from_documents(documents(), embed_model=HunyuanEmbedding())
    engine = index.as_query_engine(llm=Hunyuan(), similarity_top_k=1)
    response = engine.query(question)
    assert [n.node.metadata["file_name"] for n in response.source_nodes] == [source]
    assert quoted in str(response)
    actions = {r.action for r in environment.state.requests}
    assert actions == {"GetEmbedding", "RunThread", "CreateThread"}


def test_settings_embed_model(environment: EmulatorHandle) -> None:
    assert NamespacedEmbedding is HunyuanEmbedding
    saved = Settings._embed_model
    try:
        Settings.embed_model = HunyuanEmbedding()
        Settings.llm = Hunyuan()
        index = VectorStoreIndex.from_documents(documents())
        nodes = index.as_retriever(similarity_top_k=1).retrieve("荔枝的品种有哪些？")
        assert nodes[0].node.metadata["file_name"] == "lychee.md"
    finally:
        Settings._embed_model = saved
        Settings._llm = None


def test_the_openai_endpoint_with_an_api_key(emu: EmulatorHandle) -> None:
    model = HunyuanEmbedding(**emulator_settings(emu, "openai"))
    query = model.get_query_embedding("腾讯总部")
    texts = model.get_text_embedding_batch(["腾讯总部在深圳", "荔枝"])
    assert len(query) == 1024
    assert query != texts[1]
    assert [r.action for r in emu.state.requests] == ["v1/embeddings", "v1/embeddings"]
    assert emu.state.requests[1].body == {
        "model": "hunyuan-embedding",
        "input": texts
        and [
            "腾讯总部在深圳",
            "荔枝",
        ],
    }


def test_batch_size_default_follows_the_concurrency(emu: EmulatorHandle) -> None:
    settings = emulator_settings(emu)
    model = HunyuanEmbedding(**settings)
    assert (model.embed_batch_size, model.max_concurrency, model.model_name) == (
        200,
        4,
        "hunyuan-embedding",
    )
    assert HunyuanEmbedding(**settings, max_concurrency=2).embed_batch_size == 100
    small = HunyuanEmbedding(**settings, embed_batch_size=8)
    small.get_text_embedding_batch([f"text {i}" for i in range(20)])
    assert [len(r.body["InputList"]) for r in emu.state.requests] == [8, 8, 4]
    with pytest.raises(TypeError, match="temperature"):
        HunyuanEmbedding(**settings, temperature=0.2)


def test_sync_batches_run_requests_concurrently(emu: EmulatorHandle) -> None:
    emu.state.add_fault("slow_first_byte:0.3", action="GetEmbedding", count=8)
    model = HunyuanEmbedding(**emulator_settings(emu), max_concurrency=2)
    texts = [f"text {i}" for i in range(400)]
    vectors = model.get_text_embedding_batch(texts, show_progress=True)
    assert len(vectors) == 400
    assert vectors[123] == model.get_text_embedding("text 123")
    assert emu.state.max_concurrent_seen == 2


def test_async_batching_stays_within_the_limit(emu: EmulatorHandle) -> None:
    # LlamaIndex starts every batch at once; the model's gate keeps two requests in flight.
    emu.state.add_fault("slow_first_byte:0.2", action="GetEmbedding", count=10)
    model = HunyuanEmbedding(**emulator_settings(emu), max_concurrency=2, embed_batch_size=10)
    texts = [f"text {i}" for i in range(100)]
    vectors = asyncio.run(model.aget_text_embedding_batch(texts))
    assert len(emu.state.requests) == 10
    assert emu.state.max_concurrent_seen == 2
    assert vectors[57] == model.get_text_embedding("text 57")
    assert asyncio.run(model.aget_query_embedding("text 57")) == vectors[57]


def test_usage_goes_through_llama_index_instrumentation(emu: EmulatorHandle) -> None:
    seen: list[BaseEvent] = []

    class Collect(BaseEventHandler):
        def handle(self, event: BaseEvent, **kwargs: Any) -> None:
            if isinstance(event, (EmbeddingStartEvent, EmbeddingEndEvent)):
                seen.append(event)

    dispatcher = get_dispatcher()
    handler = Collect()
    dispatcher.add_event_handler(handler)
    counter = TokenCountingHandler(tokenizer=lambda text: text.split())
    try:
        model = HunyuanEmbedding(
            **emulator_settings(emu), callback_manager=CallbackManager([counter])
        )
        model.get_text_embedding_batch(["one two three", "four five"])
        model.get_query_embedding("six")
    finally:
        dispatcher.event_handlers.remove(handler)
    starts = [e for e in seen if isinstance(e, EmbeddingStartEvent)]
    ends = [e for e in seen if isinstance(e, EmbeddingEndEvent)]
    assert [e.model_dict["model_name"] for e in starts] == ["hunyuan-embedding"] * 2
    assert [e.chunks for e in ends] == [["one two three", "four five"], ["six"]]
    assert all(len(v) == 1024 for e in ends for v in e.embeddings)
    assert counter.total_embedding_token_count == 6


def test_failures_raise_core_errors_with_what_was_embedded(emu: EmulatorHandle) -> None:
    emu.state.add_fault("slow_first_byte:0", action="GetEmbedding")
    emu.state.add_fault("error:FailedOperation.ServiceNotActivated", action="GetEmbedding")
    # One LlamaIndex batch of 120 texts: three requests, the second refused.
    settings = emulator_settings(emu)
    model = HunyuanEmbedding(**settings, max_concurrency=1, embed_batch_size=120)
    with pytest.raises(hunyuan_api.AccountError) as raised:
        model.get_text_embedding_batch([f"text {i}" for i in range(120)])
    assert "50 of 120 texts were embedded" in str(raised.value)
    assert raised.value.partial is not None
    assert len(raised.value.partial.embeddings) == 50


def test_copies_pickles_and_serialized_settings(
    emu: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = HunyuanEmbedding(**emulator_settings(emu))
    first = model.get_query_embedding("荔枝")
    assert copy.deepcopy(model).get_query_embedding("荔枝") == first
    serialized = json.dumps(model.to_dict(), default=str)
    assert emu.secret_key not in serialized
    assert '"model": "hunyuan-embedding"' in serialized
    monkeypatch.setenv("HUNYUAN_SECRET_ID", emu.secret_id)
    monkeypatch.setenv("HUNYUAN_SECRET_KEY", emu.secret_key)
    blob = pickle.dumps(model)
    assert emu.secret_key.encode() not in blob
    assert pickle.loads(blob).get_query_embedding("荔枝") == first
