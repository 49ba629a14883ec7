"""The distribution's name and version, written once: ``pyproject.toml`` reads the version from
here, and every "pip install" hint is built from the name (a test checks both against the
built wheel's metadata)."""

__version__ = "0.2.0"

#: The name on PyPI (``pip install``), not an import name.
DISTRIBUTION = "hunyuan-langchain-llamaindex"


def install_hint(extra: str) -> str:
    """The command that installs this distribution with ``extra``."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"
