"""Importing a package loads what its users need and defers the rest (each check runs in a fresh
interpreter, since this one has imported everything already): the deferred names still resolve,
and ``dir()`` and ``__all__`` show what they always showed."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

#: Per package: the modules it must not import (a user of its main class does not need them).
DEFERRED = {
    "langchain_hunyuan": [
        "langchain_hunyuan.llms",
        "langchain_hunyuan.embeddings",
        # LangChain's completion-model base, and what it imports: HunyuanLLM's, not ChatHunyuan's.
        "langchain_core.language_models.llms",
        "yaml",
        "tenacity",
        "httpx._main",
    ],
    "llama_index_hunyuan": ["llama_index_hunyuan.embeddings", "langchain_core", "httpx._main"],
    "hunyuan_api": ["langchain_core", "llama_index", "httpx._main"],
}

PROBE = """
import json, sys
import {package} as package
first_dir = dir(package)
loaded = sorted(m for m in {deferred!r} if m in sys.modules)
modules = {{name: getattr(package, name).__module__ for name in package.__all__
           if hasattr(getattr(package, name), "__module__")}}
namespace = {{}}
exec("from {package} import *", namespace)
print(json.dumps({{
    "loaded": loaded,
    "first_dir": first_dir,
    "dir": dir(package),
    "modules": modules,
    "star": sorted(n for n in namespace if n != "__builtins__"),
    "all": package.__all__,
}}))
"""


_PROBED: dict[str, dict[str, Any]] = {}


def probe(package: str) -> dict[str, Any]:
    """What a fresh interpreter sees of ``package`` (once per test session)."""
    if package not in _PROBED:
        code = PROBE.format(package=package, deferred=DEFERRED[package])
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        _PROBED[package] = json.loads(done.stdout.splitlines()[-1])
    return _PROBED[package]


@pytest.mark.parametrize("package", sorted(DEFERRED))
def test_import_defers_what_the_main_class_does_not_need(package: str) -> None:
    seen = probe(package)
    assert seen["loaded"] == []
    # Every exported name resolves (the deferred ones by importing their module)...
    assert seen["star"] == sorted(seen["all"])
    # ...and dir() listed them, with the submodules they live in, before they were loaded.
    assert seen["first_dir"] == seen["dir"]
    assert not {"__getattr__", "__dir__", "lazy_exports", "TYPE_CHECKING"} & set(seen["dir"])


def test_deferred_langchain_names_are_the_classes_of_their_modules() -> None:
    seen = probe("langchain_hunyuan")
    assert seen["modules"]["HunyuanLLM"] == "langchain_hunyuan.llms"
    assert seen["modules"]["HunyuanEmbeddings"] == "langchain_hunyuan.embeddings"
    assert {"llms", "embeddings", "chat_models"} <= set(seen["first_dir"])


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    import langchain_hunyuan

    with pytest.raises(AttributeError, match="no attribute 'ChatHunyan'"):
        langchain_hunyuan.ChatHunyan  # noqa: B018


def test_httpx_cli_still_runs_after_hunyuan_api_deferred_it() -> None:
    pytest.importorskip("rich")
    pytest.importorskip("click")
    code = (
        "import sys, hunyuan_api, httpx\n"
        "assert 'httpx._main' not in sys.modules\n"
        "httpx.main(['--help'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Usage: httpx" in done.stdout


def test_adapters_do_not_build_the_core_settings_validators() -> None:
    """The core's settings classes are bases of the adapters' models, which validate themselves:
    building the bases' validators at import would be work no adapter call uses."""
    code = (
        "import hunyuan_api, langchain_hunyuan, llama_index_hunyuan\n"
        "from langchain_hunyuan._config import HunyuanParams\n"
        "chat = langchain_hunyuan.ChatHunyuan(secret_id='AKIDx', secret_key='k')\n"
        "llm = llama_index_hunyuan.Hunyuan(secret_id='AKIDx', secret_key='k')\n"
        "chat.core_settings(), llm.core_settings(), chat._client, llm._get_client()\n"
        "bases = (hunyuan_api.HunyuanSettings, hunyuan_api.ConnectionSettings, HunyuanParams)\n"
        "print([c.__pydantic_complete__ for c in bases])\n"
        "print(hunyuan_api.HunyuanSettings(temperature=0.5).temperature)\n"
        # A deferred class reached through its submodule is the one the package exports.
        "import pickle\n"
        "hl = langchain_hunyuan.llms.HunyuanLLM(secret_id='AKIDx', secret_key='k')\n"
        "print(type(pickle.loads(pickle.dumps(hl))) is langchain_hunyuan.HunyuanLLM)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:3] == ["[False, False, False]", "0.5", "True"]
