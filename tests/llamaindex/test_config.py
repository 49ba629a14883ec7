"""Class shape, metadata, configuration and serialization (no network)."""

from __future__ import annotations

import json
import logging
import pickle
import subprocess
import sys

import pytest
from llama_index.core.base.llms.base import BaseLLM
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.llms.function_calling import FunctionCallingLLM

from hunyuan_api._version import install_hint
from llama_index_hunyuan import Hunyuan

SECRET_ID = "AKIDsecretidvalue0001"
SECRET_KEY = "secretkeyvalue-do-not-leak"


def test_class() -> None:
    names = [b.__name__ for b in Hunyuan.__mro__]
    assert BaseLLM.__name__ in names
    assert FunctionCallingLLM.__name__ in names


def test_public_api() -> None:
    import llama_index_hunyuan

    assert "Hunyuan" in llama_index_hunyuan.__all__
    for name in llama_index_hunyuan.__all__:
        assert hasattr(llama_index_hunyuan, name)


@pytest.mark.parametrize(
    ("model", "window", "output", "tools"),
    [
        ("hunyuan-lite", 256000, 6000, False),
        ("hunyuan-standard", 32000, 2000, False),
        ("hunyuan-standard-256K", 256000, 6000, False),
        ("hunyuan-pro", 32000, 4000, True),
        ("hunyuan-turbo", 32000, 4000, True),
        ("hunyuan-code", 8000, 4000, False),
        ("hunyuan-role", 32000, 4000, False),
        ("hunyuan-functioncall", 32000, 4000, True),
        ("hunyuan-vision", 32000, 16000, False),
        # The catalog's facts by family, dated names included (issue: these were wrong).
        ("hunyuan-turbos-20250716", 32000, 8000, False),
        # A model the catalog does not know: the smallest window, and tools sent (the service
        # decides).
        ("hunyuan-something-new", 8000, 2000, True),
    ],
)
def test_metadata(model: str, window: int, output: int, tools: bool) -> None:
    meta = Hunyuan(model=model).metadata
    assert (meta.context_window, meta.num_output) == (window, output)
    assert meta.is_function_calling_model is tools
    assert meta.is_chat_model is True
    assert meta.model_name == model


def test_metadata_overrides() -> None:
    meta = Hunyuan(
        model="hunyuan-new", max_tokens=512, context_window=128000, is_function_calling_model=True
    ).metadata
    assert (meta.context_window, meta.num_output, meta.is_function_calling_model) == (
        128000,
        512,
        True,
    )


def test_defaults_and_alias() -> None:
    llm = Hunyuan(api_base="http://127.0.0.1:8000")
    assert llm.model == "hunyuan-turbo"
    assert llm.max_retries == 2
    assert llm.api == "run_thread"
    assert llm.base_url == llm.api_base == "http://127.0.0.1:8000"
    with pytest.raises(ValueError, match="alias"):
        Hunyuan(base_url="http://127.0.0.1:1", api_base="http://127.0.0.1:2")


def test_unknown_arguments_refused_and_api_key_explained() -> None:
    from hunyuan_api import ConfigurationError

    with pytest.raises(TypeError, match=r"temprature \(did you mean temperature\?\)"):
        Hunyuan(temprature=0.1)
    with pytest.raises(ConfigurationError, match="SecretId/SecretKey"):
        Hunyuan(api="run_thread", api_key="sk-abcdef").complete("hi")


def test_chat_completions_catalog_facts() -> None:
    # Tencent's SDK: ChatCompletions Tools work on the turbos, t1 and functioncall families,
    # dated names included.
    for model in ("hunyuan-t1-20250711", "hunyuan-turbos-20250716", "hunyuan-turbos-latest"):
        meta = Hunyuan(model=model, api="chat_completions").metadata
        assert meta.is_function_calling_model is True
        assert meta.context_window > 8000


def test_settings_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="ChatCompletions field"):
        Hunyuan(seed=7)
    Hunyuan(seed=7, api="chat_completions")
    with pytest.raises(ValueError):
        Hunyuan(temperature=2.5)
    with pytest.raises(ValueError):
        Hunyuan(max_retries=-1)
    # An explicit capability is the user's call, even against the catalog.
    assert Hunyuan(
        model="hunyuan-lite", is_function_calling_model=True
    ).metadata.is_function_calling_model


def _secretful() -> Hunyuan:
    return Hunyuan(secret_id=SECRET_ID, secret_key=SECRET_KEY, session_token="tok-secret-3")


@pytest.mark.parametrize(
    "render",
    [
        lambda llm: json.dumps(llm.to_dict()),
        lambda llm: llm.to_json(),
        repr,
        str,
        lambda llm: json.dumps(llm.to_payload(), default=str),
        lambda llm: llm.model_dump_json(),
    ],
    ids=["to_dict", "to_json", "repr", "str", "to_payload", "model_dump_json"],
)
def test_secrets_never_serialized(render: object) -> None:
    text = render(_secretful())  # type: ignore[operator]
    for secret in (SECRET_ID, SECRET_KEY, "tok-secret-3"):
        assert secret not in text
    assert "secret_id" not in text
    assert "secret_key" not in text


def test_round_trip_without_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    llm = Hunyuan(model="hunyuan-pro", temperature=0.3, stop=["END"], secret_id="a", secret_key="b")
    clone = Hunyuan.from_dict(llm.to_dict())
    assert (clone.model, clone.temperature, clone.stop) == ("hunyuan-pro", 0.3, ["END"])
    assert clone.secret_id is None
    revived = pickle.loads(pickle.dumps(llm))
    assert revived.model == "hunyuan-pro"


def test_credentials_from_env_and_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from hunyuan_api import ConfigurationError

    with pytest.raises(ConfigurationError, match="HUNYUAN_SECRET_ID"):
        Hunyuan().chat([ChatMessage(role="user", content="hi")])
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKIDfromenv")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "key-from-env")
    client = Hunyuan()._get_client()
    assert client.credentials.secret_id.get_secret_value() == "AKIDfromenv"


def test_clients_created_once() -> None:
    llm = _secretful()
    assert llm._get_client() is llm._get_client()
    assert llm._get_aclient() is llm._get_aclient()


def test_request_refusals_happen_before_sending(caplog: pytest.LogCaptureFixture) -> None:
    llm = Hunyuan(secret_id=SECRET_ID, secret_key=SECRET_KEY, base_url="http://127.0.0.1:9")
    user = ChatMessage(role="user", content="hi")
    with pytest.raises(TypeError, match="unexpected keyword"):
        llm.chat([user], bogus=1)
    with pytest.raises(ValueError, match="temperature"):
        llm.chat([user], temperature=9)
    with pytest.raises(ValueError, match="last message is from the assistant"):
        llm.stream_chat([user, ChatMessage(role="assistant", content="x")])
    with pytest.raises(TypeError, match="unexpected keyword"):
        llm.complete("hi", api="chat_completions")  # the API is a setting, not a call option
    on_cc = Hunyuan(
        secret_id=SECRET_ID, secret_key=SECRET_KEY, base_url="http://127.0.0.1:9",
        api="chat_completions",
    )  # fmt: skip
    with caplog.at_level(logging.DEBUG), pytest.raises(ValueError, match="thread_id pins"):
        on_cc.complete("hi", thread_id="t")
    assert SECRET_KEY not in caplog.text
    assert SECRET_ID not in caplog.text


def test_import_never_pulls_langchain() -> None:
    code = (
        "import sys, llama_index_hunyuan; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('langchain', 'langchain_core')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_llama_index_names_the_extra() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'llama_index' or name.startswith('llama_index.'):\n"
        "            raise ImportError('blocked ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "try:\n"
        "    import llama_index_hunyuan\n"
        "except ImportError as exc:\n"
        f"    assert {install_hint('llamaindex')!r} in str(exc), exc\n"
        "else:\n"
        "    raise SystemExit('imported without llama_index')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
