"""The reference docs in the code are executable and complete.

Every ```python block in a docstring of the shipped packages runs, in order and in one
namespace per docstring, with the emulator standing in for Tencent's service through
``HUNYUAN_SECRET_ID``, ``HUNYUAN_SECRET_KEY`` and ``HUNYUAN_BASE_URL`` (as in the README). The
model classes carry the reference sections of LangChain's partner packages, and every setting's
description reaches ``help()`` and the JSON Schema.
"""

from __future__ import annotations

import ast
import pydoc
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hunyuan_api import EmbeddingSettings, HunyuanSettings
from hunyuan_emulator import EmulatorHandle
from hunyuan_emulator import run_emulator as start_emulator
from langchain_hunyuan import ChatHunyuan, HunyuanEmbeddings, HunyuanLLM
from llama_index_hunyuan import Hunyuan, HunyuanEmbedding
from tests.support.docs import ROOT, Block, code_blocks, run_block

PACKAGES = (
    "hunyuan_api",
    "langchain_hunyuan",
    "llama_index_hunyuan",
    "llama_index",
    "hunyuan_emulator",
)
# LlamaIndex's workflows inspect agent instances (pydantic deprecation warnings); not ours.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:inspect")


@dataclass(frozen=True)
class Documented:
    """A docstring with examples: where it is, and its blocks."""

    name: str
    path: Path
    blocks: list[Block]


def _documented() -> list[Documented]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in [tree, *ast.walk(tree)]:
                if not isinstance(
                    node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
                ):
                    continue
                body = node.body[0] if node.body else None
                if not (
                    isinstance(body, ast.Expr)
                    and isinstance(body.value, ast.Constant)
                    and isinstance(body.value.value, str)
                ):
                    continue
                # The raw docstring keeps its lines, so blocks map to lines of the file.
                blocks = code_blocks(body.value.value, first_line=body.lineno)
                python = [b for b in blocks if b.lang == "python"]
                if python:
                    name = getattr(node, "name", "(module)")
                    module = path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
                    found.append(Documented(f"{module}.{name}", path, python))
    return list({d.name: d for d in found}.values())


DOCUMENTED = _documented()


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorHandle]:
    with start_emulator() as handle:
        yield handle


def test_the_model_classes_have_examples() -> None:
    names = {d.name for d in DOCUMENTED}
    assert {
        "langchain_hunyuan.chat_models.ChatHunyuan",
        "langchain_hunyuan.llms.HunyuanLLM",
        "llama_index_hunyuan.base.Hunyuan",
    } <= names


@pytest.mark.parametrize("documented", DOCUMENTED, ids=lambda d: d.name)
def test_docstring_examples_run(
    documented: Documented, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUNYUAN_SECRET_ID", emulator.secret_id)
    monkeypatch.setenv("HUNYUAN_SECRET_KEY", emulator.secret_key)
    monkeypatch.setenv("HUNYUAN_BASE_URL", emulator.base_url)
    namespace: dict[str, Any] = {"__name__": "docstring"}
    for block in documented.blocks:
        run_block(block, namespace, documented.path)


# -- reference sections ---------------------------------------------------------------------------

SECTIONS = (
    "Setup:",
    "Key init args — completion params:",
    "Key init args — client params:",
    "Instantiate:",
    "Invoke:",
    "Stream:",
    "Async:",
    "Tool calling:",
    "Structured output:",
    "Token usage:",
    "Response metadata:",
)
# A completion model takes text and returns text: no tools, no structured output.
COMPLETION_SECTIONS = tuple(s for s in SECTIONS if s not in ("Tool calling:", "Structured output:"))


MODELS = [(ChatHunyuan, SECTIONS), (HunyuanLLM, COMPLETION_SECTIONS), (Hunyuan, SECTIONS)]


@pytest.mark.parametrize(("cls", "sections"), MODELS, ids=lambda v: getattr(v, "__name__", ""))
def test_reference_sections_in_order(cls: type, sections: tuple[str, ...]) -> None:
    doc = cls.__doc__ or ""
    headers = [line.strip() for line in doc.splitlines() if line.strip() in SECTIONS]
    assert headers == list(sections)
    # Each section that shows code shows code that runs (the test above runs it).
    assert doc.count("```python") >= len(sections) - 3
    # The install line names this distribution and the extra the class needs.
    extra = "llamaindex" if cls is Hunyuan else "langchain"
    assert f"pip install 'hunyuan-langchain-llamaindex[{extra}]'" in doc


@pytest.mark.parametrize("cls", [model for model, _ in MODELS], ids=lambda c: c.__name__)
def test_key_init_args_are_settings(cls: Any) -> None:
    doc = cls.__doc__ or ""
    key_args = doc[doc.index("Key init args — completion params:") : doc.index("Instantiate:")]
    named = set(re.findall(r"(?<!`)`([a-z_]+)`(?!`)", key_args))
    assert named <= set(cls.model_fields), named - set(cls.model_fields)
    assert {"model", "temperature", "api", "secret_id", "base_url", "max_retries"} <= named


# -- field descriptions -------------------------------------------------------------------------


def _settings(cls: Any) -> dict[str, str]:
    """Each setting of ``cls`` (the core's and its adapter's own) with its description: the
    fields its framework base class does not have."""
    ours = ("hunyuan_api", "langchain_hunyuan", "llama_index_hunyuan")
    framework = next(b for b in cls.__mro__ if not b.__module__.startswith(ours))
    inherited = getattr(framework, "model_fields", {})
    return {
        n: f.description
        for n, f in cls.model_fields.items()
        if n not in inherited or f.default != inherited[n].default
    }


@pytest.mark.parametrize(
    ("cls", "core"),
    [
        (HunyuanSettings, HunyuanSettings),
        (ChatHunyuan, HunyuanSettings),
        (HunyuanLLM, HunyuanSettings),
        (Hunyuan, HunyuanSettings),
        (EmbeddingSettings, EmbeddingSettings),
        (HunyuanEmbeddings, EmbeddingSettings),
        (HunyuanEmbedding, EmbeddingSettings),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_every_setting_is_described_in_help_and_json_schema(cls: Any, core: Any) -> None:
    settings = _settings(cls)
    assert set(core.model_fields) <= set(settings)
    assert all(settings.values()), [name for name, text in settings.items() if not text]
    # help() and Jupyter's ``?`` show the class docstring; its "Settings" section lists all.
    rendered = pydoc.render_doc(cls, renderer=pydoc.plaintext)
    text = " ".join(re.sub(r"(?m)^\s*\|", " ", rendered).split())
    section = text[text.index("Settings:") :]
    for name, description in settings.items():
        assert f" {name} " in section, name
        assert " ".join(description.split()) in section, name
    # The JSON Schema works (objects with no JSON form are left out) and describes them too.
    properties = cls.model_json_schema()["properties"]
    for name, description in settings.items():
        if name in ("ledger", "http_client", "http_async_client"):
            assert name not in properties, name
        else:
            assert properties[name]["description"] == description, name
