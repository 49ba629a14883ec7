"""README.md is executable and true.

Every ```python block runs, in order and in one namespace, as a user would run it: with the
emulator standing in for Tencent's service through ``HUNYUAN_SECRET_ID``, ``HUNYUAN_SECRET_KEY``
and ``HUNYUAN_BASE_URL`` (so the samples carry no emulator boilerplate). An HTML comment on the
line before a block changes that: ``<!-- no-test: reason -->`` skips it, ``<!-- test:
no-credentials -->`` runs it with no credentials in the environment. The blocks depend on each
other, so run this file as a whole.

The rest checks the README against the code: the quoted error message, the configuration table
(every argument, environment variable and default), the error table, the tool models, the
emulator's options and faults, and the links.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import hunyuan_api
import langchain_hunyuan
from hunyuan_emulator import EMULATOR_SECRET_ID, EMULATOR_SECRET_KEY, EmulatorHandle
from hunyuan_emulator import run_emulator as start_emulator
from tests.support.docs import ROOT, Block, code_blocks, run_block

README = ROOT / "README.md"
TEXT = README.read_text(encoding="utf-8")
# LlamaIndex's workflows inspect agent instances (pydantic deprecation warnings), and its
# LangChain bridge imports langchain-community, which warns; neither comes from this project.
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning:inspect"),
    pytest.mark.filterwarnings("ignore:`langchain-community` is being sunset"),
    # The "Copies, pickles and `load`" sample calls langchain-core's load, which says it is beta.
    pytest.mark.filterwarnings("ignore:The function `load` is in beta"),
]

#: Documents other people are writing; until they exist, links to them are reported as skips.
PENDING_DOCS = {"docs/transports.md", "docs/reliability.md", "docs/benchmarks.md"}


BLOCKS = code_blocks(TEXT)
PYTHON = [b for b in BLOCKS if b.lang == "python"]
TESTED = [b for b in PYTHON if not b.marker.startswith("no-test")]


def _section(title: str) -> str:
    """The text of the ``## title`` section."""
    match = re.search(rf"^## {re.escape(title)}.*?$(.*?)(?=^## |\Z)", TEXT, re.M | re.S)
    assert match is not None, f"README has no section {title!r}"
    return match.group(1)


def _table_rows(section: str) -> list[list[str]]:
    rows = []
    for line in section.splitlines():
        if line.startswith("|") and not re.fullmatch(r"\|[-| :]+\|", line):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def _names(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def _run(block: Block, namespace: dict[str, Any]) -> str:
    return run_block(block, namespace, README)


# -- the samples --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorHandle]:
    with start_emulator() as handle:
        yield handle


@pytest.fixture(scope="module")
def namespace() -> dict[str, Any]:
    return {"__name__": "readme"}


@pytest.mark.parametrize("block", TESTED, ids=lambda b: f"line-{b.line}")
def test_readme_sample_runs(
    block: Block,
    emulator: EmulatorHandle,
    namespace: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if block.marker == "test: api-key":
        monkeypatch.setenv("HUNYUAN_API_KEY", emulator.api_key)
        monkeypatch.setenv("HUNYUAN_BASE_URL", emulator.openai_base_url)
    elif block.marker != "test: no-credentials":
        monkeypatch.setenv("HUNYUAN_SECRET_ID", emulator.secret_id)
        monkeypatch.setenv("HUNYUAN_SECRET_KEY", emulator.secret_key)
        monkeypatch.setenv("HUNYUAN_BASE_URL", emulator.base_url)
    out = _run(block, namespace)
    if block.marker == "test: api-key":
        assert out.count("openai |") == 2, out


def test_samples_are_tested_unless_marked_with_a_reason() -> None:
    assert len(TESTED) >= 12
    for block in PYTHON:
        assert block.marker in ("", "test: no-credentials", "test: api-key") or re.fullmatch(
            r"no-test: .+", block.marker
        ), f"README.md:{block.line}: unknown marker {block.marker!r}"
    assert len(PYTHON) - len(TESTED) <= 2, "keep untested samples to a minimum"


def test_readme_opens_with_the_two_commands() -> None:
    first = BLOCKS[0]
    assert TEXT.index("```") < TEXT.index("\n## ")
    commands = [line.split("#")[0].strip() for line in first.code.splitlines()]
    assert commands == ["make demo", "make test"]


def test_the_api_key_error_is_quoted_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    from langchain_hunyuan import ChatHunyuan
    from llama_index_hunyuan import Hunyuan

    quoted = next(b for b in BLOCKS if b.marker == "api-key-error").code.strip()
    with pytest.raises(ValueError, match="API KEY") as raised:
        ChatHunyuan(api="run_thread", api_key="sk-from-the-hunyuan-console").invoke("你好")
    assert str(raised.value) == quoted
    # The same key in the environment, and the LlamaIndex adapter, explain it the same way.
    monkeypatch.setenv("HUNYUAN_SECRET_ID", "sk-from-the-hunyuan-console")
    monkeypatch.setenv("HUNYUAN_SECRET_KEY", "anything")
    with pytest.raises(ValueError, match="API KEY") as raised:
        ChatHunyuan().invoke("你好")
    assert str(raised.value) == quoted
    with pytest.raises(ValueError, match="API KEY") as raised:
        Hunyuan(api="chat_completions", api_key="sk-from-the-hunyuan-console").complete("你好")
    assert str(raised.value) == quoted
    # And the README's own sample prints exactly the quoted text.
    monkeypatch.delenv("HUNYUAN_SECRET_ID")
    monkeypatch.delenv("HUNYUAN_SECRET_KEY")
    sample = next(b for b in PYTHON if b.marker == "test: no-credentials")
    assert _run(sample, {"__name__": "readme"}).strip() == quoted


# -- tables against the code --------------------------------------------------------------------


#: The rows marked for one framework (or for both embedding classes) after their name.
MARKS = ("LangChain", "LlamaIndex", "embeddings", "LangChain embeddings", "LlamaIndex embeddings")


def _marked_rows(mark: str | None) -> list[list[str]]:
    """The rows marked ``mark`` (None: the rows with none of ``MARKS``), in order."""
    return [
        row
        for row in _table_rows(_section("Configuration"))[1:]
        if next((m for m in MARKS if f"({m})" in row[0]), None) == mark
    ]


def _config_rows(mark: str | None = None) -> dict[str, list[str]]:
    """Each name and alias of the rows marked ``mark``, with its row."""
    return {name.rstrip("="): row for row in _marked_rows(mark) for name in _names(row[0])}


def _setting_names(mark: str | None) -> list[str]:
    """The setting each row marked ``mark`` documents, in order."""
    return [_names(row[0])[0] for row in _marked_rows(mark)]


def _own_fields(cls: type, framework: type) -> set[str]:
    """The fields ``cls`` declares beyond ``framework``'s, and those of the framework's it
    gives another default."""
    base = getattr(framework, "model_fields", {})
    fields = cls.model_fields  # type: ignore[attr-defined]
    return {n for n, f in fields.items() if n not in base or f.default != base[n].default}


def _aliases_and_env_match(rows: dict[str, list[str]], settings: Any) -> None:
    for name, field in settings.model_fields.items():
        if name not in rows:
            continue
        aliases = getattr(field.validation_alias, "choices", ())
        assert {n.rstrip("=") for n in _names(rows[name][0])} == {name, *map(str, aliases)}, name
    for name, variables in settings.env_vars().items():
        assert _names(rows[name][1]) == list(variables), name


def test_configuration_table_lists_the_same_settings_as_both_adapters() -> None:
    """One row per setting of ``HunyuanSettings``, with every alias and environment variable;
    the adapters declare exactly those settings plus the rows marked with their framework."""
    from langchain_core.language_models import BaseChatModel
    from llama_index.core.llms.function_calling import FunctionCallingLLM

    from langchain_hunyuan import ChatHunyuan
    from llama_index_hunyuan import Hunyuan

    core = _setting_names(None)
    settings = hunyuan_api.HunyuanSettings
    assert core == list(settings.model_fields), "the table follows HunyuanSettings"
    assert _own_fields(ChatHunyuan, BaseChatModel) == {*core, *_setting_names("LangChain")}
    assert _own_fields(Hunyuan, FunctionCallingLLM) == {*core, *_setting_names("LlamaIndex")}
    _aliases_and_env_match(_config_rows(), settings)


def test_configuration_table_lists_the_embedding_settings_of_both_classes() -> None:
    """The embedding classes: the connection rows of the table (the same fields as
    ``HunyuanSettings``'), the rows marked "embeddings", and their framework's marked rows;
    no chat setting."""
    from langchain_core.embeddings import Embeddings
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from hunyuan_api._settings import CONNECTION_FIELDS, REQUEST_FIELDS
    from langchain_hunyuan import HunyuanEmbeddings
    from llama_index_hunyuan import HunyuanEmbedding

    settings = hunyuan_api.EmbeddingSettings
    shared = _setting_names("embeddings")
    assert list(settings.model_fields) == [*CONNECTION_FIELDS, *shared]
    for name in CONNECTION_FIELDS:
        same = hunyuan_api.HunyuanSettings.model_fields[name]
        assert repr(settings.model_fields[name]) == repr(same), name
    _aliases_and_env_match({**_config_rows(), **_config_rows("embeddings")}, settings)
    langchain = set(_setting_names("LangChain embeddings"))
    llama_index = set(_setting_names("LlamaIndex embeddings"))
    assert _own_fields(HunyuanEmbeddings, Embeddings) == set(settings.model_fields) | langchain
    assert _own_fields(HunyuanEmbedding, BaseEmbedding) == (
        set(settings.model_fields) | llama_index
    )
    chat_only = set(REQUEST_FIELDS) - set(shared)
    assert not chat_only & set(HunyuanEmbeddings.model_fields)
    assert not chat_only & set(HunyuanEmbedding.model_fields)


def test_configuration_defaults_match_the_code() -> None:
    from hunyuan_api._connection import DEFAULT_BASE_URL, DEFAULT_TIMEOUT

    rows = _config_rows()
    fields = hunyuan_api.HunyuanSettings.model_fields
    assert f"`{fields['model'].default}`" in rows["model"][2]
    assert f"`{fields['max_retries'].default}`" in rows["max_retries"][2]
    assert f"`{fields['pool_size'].default}`" in rows["pool_size"][2]
    assert f"{DEFAULT_TIMEOUT:g} s" in rows["timeout"][2]
    assert f"`{DEFAULT_BASE_URL}`" in rows["base_url"][2]
    assert f"`{fields['api'].default}`" in rows["api"][2]
    assert fields["allow_insecure_http"].default is False
    assert "`False`" in rows["allow_insecure_http"][2]
    assert "`False`" in _config_rows("LangChain")["streaming"][2]
    policy = hunyuan_api.RetryPolicy()
    assert (policy.initial_delay, policy.max_delay, policy.multiplier, policy.jitter) == (
        0.5,
        8.0,
        2.0,
        0.5,
    )
    assert "0.5 s doubling to 8 s" in rows["retry_policy"][2]
    from langchain_hunyuan import HunyuanEmbeddings

    embedding = {**_config_rows("embeddings"), **_config_rows("LangChain embeddings")}
    fields = {**hunyuan_api.EmbeddingSettings.model_fields, **HunyuanEmbeddings.model_fields}
    for name in ("model", "max_concurrency", "chunk_size", "show_progress_bar"):
        assert f"`{fields[name].default}`" in embedding[name][2], name
    assert "50 × `max_concurrency`" in _config_rows("LlamaIndex embeddings")["embed_batch_size"][2]


def test_every_environment_variable_the_code_reads_is_documented() -> None:
    sources = [
        *ROOT.joinpath("hunyuan_api").glob("**/*.py"),
        *ROOT.joinpath("langchain_hunyuan").glob("*.py"),
        *ROOT.joinpath("llama_index_hunyuan").glob("*.py"),
    ]
    names: set[str] = set()
    for path in sources:
        names.update(re.findall(r"\"((?:HUNYUAN|TENCENTCLOUD)_[A-Z_]+)\"", path.read_text()))
    assert names >= {"HUNYUAN_SECRET_ID", "HUNYUAN_SECRET_KEY", "HUNYUAN_BASE_URL"}
    section = _section("Configuration")
    missing = sorted(n for n in names if f"`{n}`" not in section)
    assert missing == []


def test_error_table_matches_the_classes() -> None:
    from langchain_core import exceptions as lc

    rows = _table_rows(_section("Errors and retries"))[1:]
    documented = set()
    for row in rows:
        core_name = _names(row[0])[0]
        core = getattr(hunyuan_api, core_name)
        documented.add(core)
        instance = core("x")
        assert row[3].startswith("yes") == instance.retryable, core_name
        adapter_names = _names(row[1])
        if not adapter_names:
            continue  # "(the same class)"
        adapter = getattr(langchain_hunyuan, adapter_names[0])
        assert issubclass(adapter, core), adapter_names[0]
        assert issubclass(adapter, getattr(lc, adapter_names[1])), adapter_names
    every = {
        cls
        for cls in vars(hunyuan_api).values()
        if isinstance(cls, type) and issubclass(cls, hunyuan_api.HunyuanError)
    }
    assert every - {hunyuan_api.HunyuanError} == documented


def test_tool_models_match_the_code() -> None:
    from hunyuan_api._wire.validation import CHAT_COMPLETIONS_MAX_MESSAGES

    rows = {row[0]: row for row in _table_rows(_section("Features"))}
    row = rows["Tool calling"]
    for name in _names(row[1]):
        assert hunyuan_api.model_info(name, "run_thread").tools, name
    for name in _names(row[1]) + _names(row[2]):
        assert hunyuan_api.model_info(name, "chat_completions").tools, name
    assert f"at most {CHAT_COMPLETIONS_MAX_MESSAGES} messages" in rows["Conversation history"][2]


def test_tool_choice_mapping_matches_the_code() -> None:
    from hunyuan_api.adapter import resolve_tool_choice as resolve

    tools = ["get_area", "get_population"]
    assert resolve("auto", tools) == ("auto", None)
    assert resolve("none", tools) == ("none", None)
    for choice in ("any", "required", True):
        assert resolve(choice, tools) == ("custom", None)
    assert resolve("get_population", tools) == ("custom", "get_population")
    named = {"type": "function", "function": {"name": "get_area"}}
    assert resolve(named, tools) == ("custom", "get_area")
    assert resolve(None, tools) == resolve(False, tools) == (None, None)
    rows = _table_rows(_section("tool_choice"))
    assert [_names(r[1])[0] for r in rows[1:]] == [
        "ToolChoice: auto",
        "ToolChoice: none",
        "ToolChoice: custom",
        "ToolChoice: custom",
        "auto",
    ]


def test_emulator_options_and_faults_are_documented() -> None:
    from hunyuan_emulator import Fault
    from hunyuan_emulator.cli import build_parser
    from hunyuan_emulator.faults import FaultKind

    section = _section("The emulator")
    parser = build_parser()
    options = {
        option
        for action in parser._actions
        if not isinstance(action, argparse._HelpAction)
        for option in action.option_strings
    }
    assert sorted(o for o in options if f"`{o}" not in section) == []
    defaults = {
        "--port": parser.get_default("port"),
        "--host": parser.get_default("host"),
        "--concurrency-limit": parser.get_default("concurrency_limit"),
        "--max-threads": parser.get_default("max_threads"),
    }
    rows = {_names(r[0])[0]: r for r in _table_rows(section) if r and _names(r[0])}
    for option, default in defaults.items():
        assert f"`{default}`" in rows[option][1], option
    for kind in FaultKind.__args__:  # type: ignore[attr-defined]
        assert f"`{kind}" in section, kind
    for row in _table_rows(section):
        spec = _names(row[0])[0] if _names(row[0]) else ""
        if spec.split(":")[0].split("[")[0] in FaultKind.__args__:  # type: ignore[attr-defined]
            example = re.search(r"e\.g\. `([^`]+)`", row[1])
            if example:
                Fault.parse(example.group(1))
    assert EMULATOR_SECRET_ID in section
    assert EMULATOR_SECRET_KEY in section


# -- links --------------------------------------------------------------------------------------


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = heading.strip().lower().replace("`", "")
    text = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in ("L", "N"))
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {
        _slug(m.group(1)) for m in re.finditer(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.M)
    }


LINKS = sorted(
    {
        m.group(1)
        for m in re.finditer(r"\]\(([^)\s]+)\)", TEXT)
        if not m.group(1).startswith(("http://", "https://"))
    }
)


@pytest.mark.parametrize("link", LINKS)
def test_link_resolves(link: str) -> None:
    target, _, anchor = link.partition("#")
    path = ROOT / target if target else README
    if target in PENDING_DOCS and not path.exists():
        pytest.skip(f"{target} is not written yet")
    assert path.exists(), f"README links to {target}, which does not exist"
    if anchor:
        assert anchor in _anchors(path), f"{target or 'README.md'} has no heading #{anchor}"
