"""Not importing what a user did not ask for. Names a package exports but imports on first use
(PEP 562): ``import langchain_hunyuan`` for ``ChatHunyuan`` does not build ``HunyuanLLM`` (and
LangChain's completion-model base with yaml and tenacity) or the embedding classes; what
``dir()``, ``__all__`` and ``from package import Name`` show does not change. And httpx without
its command-line client (``import_httpx``, run when this module is imported: ``hunyuan_api``
imports it first)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, names: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose attribute ``name`` is
    ``package.<names[name]>.<name>``; each submodule in ``names`` is an attribute too, as it was
    when the package imported it. (The package deletes the names it used to set this up, so
    that ``dir()`` lists what it always listed.)"""
    submodules = {module.split(".")[0] for module in names.values()}

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is not None:
            value = getattr(import_module(f"{package}.{module}"), name)
        elif name in submodules:
            value = import_module(f"{package}.{name}")
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        # Bound in the package: the next access is an ordinary attribute lookup.
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        own = {"__getattr__", "__dir__"}
        return sorted({*vars(sys.modules[package]), *names, *submodules} - own)

    return __getattr__, __dir__


def import_httpx() -> None:
    """Import httpx without its command-line client. httpx imports ``httpx._main`` (click, rich,
    pygments: about 45 ms) whenever those happen to be installed, for ``httpx.main``, the entry
    point of the ``httpx`` command, which a library never calls. Here the CLI module is made
    unavailable for that one import, and ``httpx.main`` becomes a function that imports the real
    one when called, so ``httpx.main()`` (and ``python -m httpx``, a process of its own) still
    work. Nothing changes when httpx was imported already."""
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    sys.modules["httpx._main"] = None  # type: ignore[assignment]  # its import raises ImportError
    try:
        import httpx
    finally:
        del sys.modules["httpx._main"]

    def main(*args: Any, **kwargs: Any) -> Any:
        from httpx._main import main as cli

        return cli(*args, **kwargs)

    httpx.main = main  # type: ignore[assignment]


import_httpx()
