"""Every notebook runs top to bottom against the emulator (the kernel starts it in-process,
since no credentials are set here), and the committed copies carry the outputs of such a run."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import pytest
from nbclient import NotebookClient

from hunyuan_api._connection import DEFAULT_BASE_URL
from hunyuan_emulator import EmulatorHandle
from tests.support.common import CREDENTIAL_ENV
from tests.support.docs import ROOT

NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = {
    "01_langchain_quickstart.ipynb",
    "02_langchain_tools_agents.ipynb",
    "03_llamaindex.ipynb",
    "04_threads.ipynb",
}


@functools.cache
def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOK_DIR / "_build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _outputs(notebook: nbformat.NotebookNode, name: str) -> str:
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.output_type == "stream" and output.name == name
    )


def test_the_notebooks_are_all_there() -> None:
    assert {p.name for p in NOTEBOOKS} >= EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_matches_its_source_and_has_emulator_outputs(path: Path) -> None:
    committed = nbformat.read(path, as_version=4)
    builder = _builder()
    built = builder.build(builder.NOTEBOOKS[path.name])
    assert [c.source for c in committed.cells] == [c.source for c in built.cells], (
        f"{path.name} differs from notebooks/_build.py: edit the cells there and run "
        "`.venv/bin/python notebooks/_build.py`"
    )
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), f"{path.name} is committed without outputs"
    assert "using the bundled emulator" in _outputs(committed, "stdout")
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    # Which interpreter the kernel runs: it must be this venv's (jupyter_client resolves the
    # kernelspec's "python" to sys.executable).
    notebook.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.executable)"))
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    stdout = _outputs(notebook, "stdout")
    assert "No credentials set: using the bundled emulator" in stdout
    assert stdout.rstrip().splitlines()[-1] == sys.executable
    # Readers see stderr too: no warnings or server noise in any cell.
    assert _outputs(notebook, "stderr") == ""


def _run_setup(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, *, needs_pair: bool = False
) -> tuple[str, dict[str, object]]:
    """What the notebooks' setup cell prints in this environment, and the names it defines
    (then it is torn down)."""
    for name in CREDENTIAL_ENV:
        # Recorded first, so whatever the cell sets is undone after the test.
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    builder = _builder()
    namespace: dict[str, object] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(builder.SETUP_NEEDS_PAIR if needs_pair else builder.SETUP, namespace)
        exec(builder.TEARDOWN, namespace)
    return out.getvalue().strip(), namespace


def _setup_says(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    return _run_setup(env, monkeypatch)[0]


def test_setup_cell_says_which_endpoint(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair = {"HUNYUAN_SECRET_ID": emulator.secret_id, "HUNYUAN_SECRET_KEY": emulator.secret_key}
    chosen = "your SecretId/SecretKey pair: api='run_thread', model 'hunyuan-turbo'."
    at_emulator = _setup_says({**pair, "HUNYUAN_BASE_URL": emulator.base_url}, monkeypatch)
    assert at_emulator == (
        f"Using the Hunyuan emulator at {emulator.base_url} (HUNYUAN_BASE_URL), with {chosen}"
    )
    elsewhere = "http://127.0.0.1:9/"  # nothing listens there: not an emulator
    assert _setup_says({**pair, "HUNYUAN_BASE_URL": elsewhere}, monkeypatch) == (
        f"Using the endpoint at {elsewhere} (HUNYUAN_BASE_URL), with {chosen}"
    )
    assert (
        _setup_says(pair, monkeypatch)
        == f"Using Tencent's service, {DEFAULT_BASE_URL}, with {chosen}"
    )
    # Tencent's CLI and SDK pair works as well.
    tencentcloud = {"TENCENTCLOUD_SECRET_ID": "AKIDx", "TENCENTCLOUD_SECRET_KEY": "k"}
    assert _setup_says(tencentcloud, monkeypatch).endswith(chosen)
    assert (
        _setup_says({}, monkeypatch)
        == "No credentials set: using the bundled emulator on 127.0.0.1."
    )


def test_setup_cell_takes_the_openai_compatible_endpoint_with_only_an_api_key(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = {"HUNYUAN_API_KEY": emulator.api_key}
    said, names = _run_setup(key, monkeypatch)
    assert said == (
        "Using Hunyuan's OpenAI-compatible endpoint, https://api.hunyuan.cloud.tencent.com/v1, "
        "with your API key (HUNYUAN_API_KEY): api='openai', model 'hunyuan-turbos-latest'."
    )
    assert (names["API"], names["emu"]) == ("openai", None)
    # Pointed at the emulator's OpenAI-compatible endpoint (no request leaves the machine), the
    # notebooks' first cell then talks to it, with the model the setup chose.
    at_emulator = {**key, "HUNYUAN_BASE_URL": emulator.openai_base_url}
    said, names = _run_setup(at_emulator, monkeypatch)
    assert said == (
        f"Using the Hunyuan emulator at {emulator.openai_base_url} (HUNYUAN_BASE_URL), with your "
        "API key (HUNYUAN_API_KEY): api='openai', model 'hunyuan-turbos-latest'."
    )
    from langchain_hunyuan import ChatHunyuan

    chat = ChatHunyuan(model=names["MODEL"])
    assert (chat.api, chat.invoke("你好").response_metadata["model_name"]) == (
        "openai",
        "hunyuan-turbos-latest",
    )
    assert emulator.state.requests[-1].action == "v1/chat/completions"
    # A TokenHub base URL gets TokenHub's model.
    tokenhub = {**key, "HUNYUAN_BASE_URL": "http://127.0.0.1:9/tokenhub/v1"}
    assert _run_setup(tokenhub, monkeypatch)[1]["MODEL"] == "hy3-preview"
    # The threads notebook needs RunThread, which a key does not open: the emulator instead.
    said, names = _run_setup(key, monkeypatch, needs_pair=True)
    assert said == (
        "An API key opens no RunThread threads: using the bundled emulator on 127.0.0.1."
    )
    assert names["API"] == "run_thread"
