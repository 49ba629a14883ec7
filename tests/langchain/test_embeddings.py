"""``HunyuanEmbeddings``: langchain-tests' standard embeddings suites (unit, and integration on the
emulator over both ways in), then what the standard suites do not cover: retrieval with a
LangChain vector store, progress bars, errors, copies and pickles."""

from __future__ import annotations

import asyncio
import copy
import pickle
from typing import Any, ClassVar

import pytest
from langchain_core.exceptions import ModelInvalidRequestError
from langchain_core.vectorstores import InMemoryVectorStore
from langchain_tests.integration_tests import EmbeddingsIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

import hunyuan_api
from hunyuan_emulator import EmulatorHandle
from langchain_hunyuan import HunyuanBadRequestError, HunyuanEmbeddings
from tests.support.common import emulator_settings, import_error_without

#: (environment, arguments, attributes expected) for the unit suite's test_init_from_env.
FROM_ENVIRONMENT = (
    {"HUNYUAN_SECRET_ID": "AKIDfromEnvironment", "HUNYUAN_SECRET_KEY": "key-from-env"},
    {"max_concurrency": 2},
    {"secret_id": "AKIDfromEnvironment", "secret_key": "key-from-env", "api": "run_thread"},
)


class TestHunyuanEmbeddingsStandardUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[HunyuanEmbeddings]:
        return HunyuanEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"secret_id": "AKIDunitTest", "secret_key": "unit-test-key"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return FROM_ENVIRONMENT


class _OnTheEmulator(EmbeddingsIntegrationTests):
    api: ClassVar[str]
    emulator_handle: ClassVar[EmulatorHandle]

    @pytest.fixture(autouse=True)
    def _use_emulator(self, emu: EmulatorHandle) -> None:
        type(self).emulator_handle = emu

    @property
    def embeddings_class(self) -> type[HunyuanEmbeddings]:
        return HunyuanEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return emulator_settings(type(self).emulator_handle, self.api)


class TestHunyuanEmbeddingsGetEmbedding(_OnTheEmulator):
    api = "run_thread"


class TestHunyuanEmbeddingsOpenAI(_OnTheEmulator):
    api = "openai"


# -- beyond the standard suites -------------------------------------------------------------------


@pytest.fixture
def embeddings(emu: EmulatorHandle) -> HunyuanEmbeddings:
    return HunyuanEmbeddings(**emulator_settings(emu))


def test_a_vector_store_finds_the_document_that_answers(embeddings: HunyuanEmbeddings) -> None:
    store = InMemoryVectorStore(embeddings)
    store.add_texts(
        [
            "腾讯公司总部位于深圳南山区的腾讯滨海大厦。",
            "荔枝是华南的夏季水果，每年五月到七月上市。",
            "The Eiffel Tower is in Paris.",
        ]
    )
    [found] = store.similarity_search("腾讯的总部在哪里？", k=1)
    assert "腾讯滨海大厦" in found.page_content
    [found] = asyncio.run(store.asimilarity_search("Where is the Eiffel Tower?", k=1))
    assert "Paris" in found.page_content


def test_chunk_size_sets_the_texts_per_request(emu: EmulatorHandle) -> None:
    embeddings = HunyuanEmbeddings(**emulator_settings(emu), chunk_size=7, max_concurrency=1)
    vectors = embeddings.embed_documents([f"text {i}" for i in range(20)])
    assert len(vectors) == 20
    assert [len(r.body["InputList"]) for r in emu.state.requests] == [7, 7, 6]
    with pytest.raises(ValueError, match="chunk_size must be 1 to 50"):
        HunyuanEmbeddings(**emulator_settings(emu), chunk_size=60)


def test_progress_bar_counts_texts(emu: EmulatorHandle, capsys: pytest.CaptureFixture[str]) -> None:
    embeddings = HunyuanEmbeddings(**emulator_settings(emu), show_progress_bar=True)
    embeddings.embed_documents([f"text {i}" for i in range(120)])
    err = capsys.readouterr().err
    assert "Hunyuan embeddings" in err
    assert "120/120" in err
    asyncio.run(embeddings.aembed_documents(["a", "b", "c"]))
    assert "3/3" in capsys.readouterr().err


def test_progress_bar_without_tqdm_is_refused_at_construction() -> None:
    message = import_error_without(
        "tqdm",
        "from langchain_hunyuan import HunyuanEmbeddings\n"
        "    HunyuanEmbeddings(secret_id='a', secret_key='b', show_progress_bar=True)",
    )
    assert "show_progress_bar=True needs tqdm" in message
    # Without the bar, tqdm is never needed.
    assert (
        import_error_without(
            "tqdm",
            "from langchain_hunyuan import HunyuanEmbeddings\n"
            "    HunyuanEmbeddings(secret_id='a', secret_key='b')",
        )
        == ""
    )


def test_errors_are_langchain_errors_with_what_was_embedded(
    emu: EmulatorHandle, embeddings: HunyuanEmbeddings
) -> None:
    emu.state.add_fault("slow_first_byte:0", action="GetEmbedding")
    emu.state.add_fault("error:InvalidParameter", action="GetEmbedding")
    embeddings.max_concurrency = 1
    texts = [f"text {i}" for i in range(75)]
    with pytest.raises(HunyuanBadRequestError) as raised:
        embeddings.embed_documents(texts)
    error = raised.value
    assert isinstance(error, ModelInvalidRequestError)
    assert isinstance(error, hunyuan_api.BadRequestError)
    assert "50 of 75 texts were embedded" in str(error)
    assert error.partial is not None
    assert len(error.partial.embeddings) == 50
    with pytest.raises(ValueError, match=r"texts\[1\] is an empty string"):
        embeddings.embed_documents(["a", ""])


def test_copies_and_pickles_embed_on_their_own(
    emu: EmulatorHandle, embeddings: HunyuanEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = embeddings.embed_query("荔枝")
    assert copy.deepcopy(embeddings).embed_query("荔枝") == first
    # Secrets never enter a pickle: the copy reads them from the environment.
    monkeypatch.setenv("HUNYUAN_SECRET_ID", emu.secret_id)
    monkeypatch.setenv("HUNYUAN_SECRET_KEY", emu.secret_key)
    blob = pickle.dumps(embeddings)
    assert emu.secret_key.encode() not in blob
    assert pickle.loads(blob).embed_query("荔枝") == first
    assert emu.secret_key not in repr(embeddings)
