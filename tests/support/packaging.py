"""Build this distribution and install it the way a user would, offline: the wheel into a
fresh virtual environment, and next to it exactly the distributions its metadata asks for
(with one extra), taken from the test environment.

Why not ``pip install --find-links``: there are no wheels of the dependencies on disk, and
tests make no network requests. Instead the environment's already-installed files are linked
into a directory that the fresh environment reads through a ``.pth`` file, and only those of
the dependency closure computed from the built wheel's own ``Requires-Dist``: a dependency the
metadata forgot is missing there, as it would be after ``pip install``.
"""

from __future__ import annotations

import email.parser
import subprocess
import sys
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.docs import ROOT


@dataclass(frozen=True)
class Built:
    wheel: Path
    sdist: Path


def build(outdir: Path) -> Built:
    """The sdist, and the wheel built from it (``python -m build``), without an isolated build
    environment: the build backend comes from the test environment, so nothing is downloaded."""
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(outdir), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    (wheel,) = outdir.glob("*.whl")
    (sdist,) = outdir.glob("*.tar.gz")
    return Built(wheel, sdist)


def wheel_metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return email.parser.Parser().parsestr(archive.read(name).decode())


def _closure(requirements: Iterable[str], extras: set[str]) -> list[metadata.Distribution]:
    """The installed distributions ``requirements`` (with ``extras`` in force) need,
    transitively, as pip would install them."""
    found: dict[str, metadata.Distribution] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(Requirement(r), extras) for r in requirements]
    while todo:
        requirement, context = todo.pop()
        if requirement.marker is not None and not any(
            requirement.marker.evaluate({"extra": extra}) for extra in context | {""}
        ):
            continue
        key = (canonicalize_name(requirement.name), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        dist = metadata.distribution(requirement.name)
        found[key[0]] = dist
        todo += [(Requirement(r), set(requirement.extras)) for r in dist.requires or ()]
    return list(found.values())


def _installed_tops(dist: metadata.Distribution) -> dict[str, list[Path]]:
    """``dist``'s files under site-packages, by their top-level name."""
    tops: dict[str, list[Path]] = defaultdict(list)
    for file in dist.files or ():
        parts = Path(file).parts
        if not parts or parts[0] == ".." or "__pycache__" in parts:
            continue
        tops[parts[0]].append(Path(file))
    return tops


def link_dependencies(wheel: Path, extra: str, target: Path) -> list[str]:
    """Link into ``target`` the installed files of every distribution the wheel requires with
    ``extra``; returns their names. A top-level directory that other installed distributions
    share (a namespace package such as ``llama_index``) is linked file by file, so only the
    closure's part of it is there."""
    closure = _closure(wheel_metadata(wheel).get_all("Requires-Dist") or [], {extra})
    members = {canonicalize_name(d.metadata["Name"]) for d in closure}
    owners: dict[str, set[str]] = defaultdict(set)
    for dist in metadata.distributions():
        for top in _installed_tops(dist):
            owners[top].add(canonicalize_name(dist.metadata["Name"]))
    for dist in closure:
        root = Path(str(dist.locate_file("")))
        for top, files in _installed_tops(dist).items():
            if owners[top] <= members:
                link = target / top
                if not link.exists():
                    link.symlink_to(root / top)
                continue
            for file in files:
                link = target / file
                link.parent.mkdir(parents=True, exist_ok=True)
                if not link.exists():
                    link.symlink_to(root / file)
    return sorted(members)


def fresh_environment(wheel: Path, extra: str, where: Path) -> Path:
    """A new virtual environment holding the wheel (installed by pip) and the dependencies of
    ``extra``; returns its interpreter."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        timeout=120,
    )
    deps = where / "dependencies"
    deps.mkdir()
    link_dependencies(wheel, extra, deps)
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "_test_dependencies.pth").write_text(f"{deps}\n")
    return python
