"""The distribution as PyPI would get it: the sdist and the wheel built from it (offline), their
contents and metadata, the one place the name and version are written, and a fresh virtual
environment per framework that installs the wheel and uses it as a user would."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the dev group installs tomli there
    import tomli as tomllib

from hunyuan_api import __version__
from hunyuan_api._version import DISTRIBUTION, install_hint
from hunyuan_emulator import EmulatorHandle
from tests.support.docs import ROOT, offline_env
from tests.support.packaging import Built, build, fresh_environment, wheel_metadata

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGES = {"hunyuan_api", "hunyuan_emulator", "langchain_hunyuan", "llama_index_hunyuan"}
#: The modules this distribution adds to LlamaIndex's PEP 420 namespace.
NAMESPACE_MODULES = {"llama_index/llms/hunyuan", "llama_index/embeddings/hunyuan"}
EXTRAS = {"langchain", "llamaindex", "emulator", "all"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build(tmp_path_factory.mktemp("dist"))


def _wheel_files(built: Built) -> list[str]:
    with zipfile.ZipFile(built.wheel) as archive:
        return archive.namelist()


# -- the wheel ----------------------------------------------------------------------------------


def test_wheel_holds_the_packages_and_nothing_else(built: Built) -> None:
    files = _wheel_files(built)
    dist_info = f"{DISTRIBUTION.replace('-', '_')}-{__version__}.dist-info"
    assert {f.split("/")[0] for f in files} == PACKAGES | {"llama_index", dist_info}
    assert not [f for f in files if re.match(r"(tests|bench|examples|notebooks|docs)/", f)]
    # The namespace stays a namespace: no __init__.py of ours above the module.
    assert "llama_index/__init__.py" not in files
    assert "llama_index/llms/__init__.py" not in files
    # Ours are llama_index/<kind>/hunyuan only; another kind (embeddings) is one more directory.
    modules = {str(PurePosixPath(f).parent) for f in files if f.startswith("llama_index/")}
    assert modules >= NAMESPACE_MODULES
    assert all(re.fullmatch(r"llama_index/[a-z_]+/hunyuan", m) for m in modules), modules


def test_every_package_is_typed(built: Built) -> None:
    files = set(_wheel_files(built))
    packages = {f.split("/")[0] for f in files if f.count("/") == 1 and f.endswith("__init__.py")}
    assert packages == PACKAGES
    for package in packages | NAMESPACE_MODULES:
        assert f"{package}/py.typed" in files, package
    # A namespace module added later (llama_index/embeddings/hunyuan, say) needs one too.
    for init in (f for f in files if f.startswith("llama_index/") and f.endswith("/__init__.py")):
        assert f"{PurePosixPath(init).parent}/py.typed" in files, init


def test_wheel_metadata_is_complete(built: Built) -> None:
    meta = wheel_metadata(built.wheel)
    assert meta["Name"] == DISTRIBUTION == PYPROJECT["project"]["name"]
    assert meta["Version"] == __version__
    assert meta["License-Expression"] == "MIT"
    assert meta["License-File"] == "LICENSE"
    assert meta["Requires-Python"] == ">=3.10"
    assert meta["Summary"]
    assert meta["Description-Content-Type"] == "text/markdown"
    classifiers = meta.get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    assert {c for c in classifiers if c.startswith("Programming Language :: Python :: 3.")} >= {
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.13",
    }
    assert not [c for c in classifiers if c.startswith("License ::")], "License-Expression says it"
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert urls["Homepage"].startswith("https://")
    assert {"hunyuan", "langchain", "llama-index", "llamaindex"} <= set(meta["Keywords"].split(","))
    # Users' extras only: test and benchmark tools are dependency groups, not published.
    assert set(meta.get_all("Provides-Extra") or []) == EXTRAS
    requires = meta.get_all("Requires-Dist") or []
    named = {re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0] for r in requires}
    assert named == {
        "httpx",
        "pydantic",
        "langchain-core",
        "llama-index-core",
        "starlette",
        "uvicorn",
    }
    with zipfile.ZipFile(built.wheel) as archive:
        names = archive.namelist()
        (license_file,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert archive.read(license_file).decode().startswith("MIT License")
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        scripts = archive.read(entry_points).decode()
    assert "hunyuan-emulator = hunyuan_emulator.cli:main" in scripts


# -- the sdist ----------------------------------------------------------------------------------


def test_sdist_builds_the_wheel_and_carries_the_sources(built: Built) -> None:
    with tarfile.open(built.sdist) as archive:
        names = {
            PurePosixPath(n).relative_to(PurePosixPath(n).parts[0]) for n in archive.getnames()
        }
        root = PurePosixPath(archive.getnames()[0]).parts[0]
        pkg_info = archive.extractfile(f"{root}/PKG-INFO")
        assert pkg_info is not None
        assert f"Version: {__version__}" in pkg_info.read().decode()
    as_text = {str(n) for n in names}
    for required in ("pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "Makefile"):
        assert required in as_text, required
    for package in PACKAGES | NAMESPACE_MODULES:
        assert f"{package}/__init__.py" in as_text, package
        assert f"{package}/py.typed" in as_text, package
    assert "tests/conftest.py" in as_text
    assert not [n for n in as_text if n.startswith((".venv", ".git/", "dist/", ".ci"))]


# -- one name, one version ----------------------------------------------------------------------


def test_the_version_is_written_once_and_each_release_has_a_changelog_section() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project
    assert project["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "hunyuan_api/_version.py"
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, re.M)
    assert releases[0] == __version__, "the newest section is this version"
    assert releases[-1] == "0.1.0"
    assert releases == sorted(releases, key=lambda v: tuple(map(int, v.split("."))), reverse=True)


def test_dev_and_bench_are_dependency_groups() -> None:
    groups = PYPROJECT["dependency-groups"]
    assert {"dev", "bench"} <= set(groups)
    assert set(PYPROJECT["project"]["optional-dependencies"]) == EXTRAS
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--group dev" in makefile
    assert "--group bench" in makefile


def _tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    binary = (".png", ".jpg", ".whl", ".gz")
    return [ROOT / name for name in listed if not name.endswith(binary)]


#: Where the old name may stay, and why.
OLD_NAME_ALLOWED = {
    "CHANGELOG.md": "tells of the rename",
    "Makefile": "uninstalls the old distribution from a .venv made before the rename",
    "bench/results/benchmarks.json": "records a run made under the old name",
    "docs/benchmarks.md": "the report of that run",
}


def test_every_install_hint_names_this_distribution() -> None:
    """Docs, notebooks, error messages and docstrings: each ``pip install '...[extra]'`` names
    this distribution and one of its extras, and the old name stays only where
    ``OLD_NAME_ALLOWED`` says why."""
    hints: list[tuple[str, str]] = []
    old: list[str] = []
    for path in _tracked_text_files():
        relative = path.relative_to(ROOT).as_posix()
        if relative == "tests/packaging/test_distribution.py":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "hunyuan-plugin" in text and relative not in OLD_NAME_ALLOWED:
            old.append(relative)
        for match in re.finditer(r"pip install (?:-e )?'([^'\[]+)\[([a-z,]+)\]'", text):
            hints.append((relative, match.group(0)))
            assert match.group(1) in (DISTRIBUTION, "."), (relative, match.group(0))
            assert set(match.group(2).split(",")) <= EXTRAS, (relative, match.group(0))
    assert old == []
    found = {hint for _, hint in hints}
    assert {install_hint(extra) for extra in EXTRAS} <= found
    assert {path for path, _ in hints} >= {
        "README.md",
        "langchain_hunyuan/chat_models.py",
        "llama_index_hunyuan/base.py",
        "hunyuan_emulator/extra.py",
    }


# -- a user's fresh environment -----------------------------------------------------------------

LANGCHAIN_USER = '''\
import copy
import pickle
import sys

from langchain_core.messages import AIMessage
from langchain_core.tools import tool

from langchain_hunyuan import ChatHunyuan


@tool
def get_weather(city: str) -> str:
    """Get today's weather for a city."""
    return f"{city}: sunny"


def copies(chat: ChatHunyuan) -> None:
    reply: AIMessage = chat.invoke("hi")
    print("reply:", reply.text[:10])
    for clone in (copy.deepcopy(chat), pickle.loads(pickle.dumps(chat))):
        assert isinstance(clone, ChatHunyuan)
        print("copy:", clone.invoke("again").text[:10])


def tools(chat: ChatHunyuan) -> None:
    single = chat.bind_tools([get_weather], parallel_tool_calls=False)
    calls = single.invoke("weather in Shanghai and Beijing?").tool_calls
    print("calls:", [call["args"] for call in calls])


chat = ChatHunyuan(model="hunyuan-turbo", temperature=0.2)
copies(chat) if sys.argv[1:] == ["copies"] else tools(chat)
'''

LLAMAINDEX_USER = """\
from llama_index.core.llms import ChatMessage, ChatResponse
from llama_index.embeddings.hunyuan import HunyuanEmbedding
from llama_index.llms.hunyuan import Hunyuan

import llama_index_hunyuan


def main() -> None:
    assert Hunyuan is llama_index_hunyuan.Hunyuan
    assert HunyuanEmbedding is llama_index_hunyuan.HunyuanEmbedding
    llm = Hunyuan(model="hunyuan-turbo")
    response: ChatResponse = llm.chat([ChatMessage(role="user", content="hi")])
    window: int = llm.metadata.context_window
    print("reply:", (response.message.content or "")[:10], window)


main()
"""


def _run(python: Path, script: Path, emu: EmulatorHandle, *args: str) -> str:
    env = offline_env(
        HUNYUAN_SECRET_ID=emu.secret_id,
        HUNYUAN_SECRET_KEY=emu.secret_key,
        HUNYUAN_BASE_URL=emu.base_url,
    )
    done = subprocess.run(
        [str(python), str(script), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_a_fresh_environment_per_framework(
    built: Built, emu: EmulatorHandle, tmp_path: Path
) -> None:
    """Only the wheel and one framework: the namespace import, ``mypy --strict`` on a user's
    file (no import-untyped), a used ChatHunyuan deep-copied and pickled, tools bound with
    ``parallel_tool_calls=False``, and the emulator command without its extra."""
    users = {"langchain": LANGCHAIN_USER, "llamaindex": LLAMAINDEX_USER}
    pythons, scripts, checks = {}, {}, {}
    for extra, source in users.items():
        pythons[extra] = fresh_environment(built.wheel, extra, tmp_path / f"venv-{extra}")
        scripts[extra] = tmp_path / extra / "user.py"
        scripts[extra].parent.mkdir()
        scripts[extra].write_text(source)
        # Both type checks at once: each reads its own environment's packages.
        checks[extra] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mypy",
                "--strict",
                "--python-executable",
                str(pythons[extra]),
                "--cache-dir",
                str(tmp_path / f"mypy-{extra}"),
                "user.py",
            ],
            cwd=scripts[extra].parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    # Only one framework each.
    for extra, other in (("langchain", "llama_index.core"), ("llamaindex", "langchain_core")):
        probe = subprocess.run(
            [str(pythons[extra]), "-c", f"import {other}"], capture_output=True, text=True
        )
        assert "No module named" in probe.stderr, (extra, probe.stderr)

    langchain = _run(pythons["langchain"], scripts["langchain"], emu, "copies")
    assert langchain.count("copy: You said: ") == 2
    two_calls = [("get_weather", {"city": "上海"}), ("get_weather", {"city": "北京"})]
    emu.state.queue_reply(tool_calls=two_calls)
    assert _run(pythons["langchain"], scripts["langchain"], emu) == "calls: [{'city': '上海'}]\n"
    llamaindex = _run(pythons["llamaindex"], scripts["llamaindex"], emu)
    assert llamaindex.startswith("reply: You said: ")

    # The console script, installed without the emulator extra: one line naming it.
    command = pythons["langchain"].parent / "hunyuan-emulator"
    done = subprocess.run([str(command)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert install_hint("emulator") in done.stderr

    for extra, check in checks.items():
        out, _ = check.communicate(timeout=300)
        assert check.returncode == 0, (extra, out)
        assert "Success: no issues found in 1 source file" in out, (extra, out)
