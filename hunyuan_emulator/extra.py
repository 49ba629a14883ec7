"""The ``emulator`` extra: the HTTP server packages, and the one message naming the fix."""

from __future__ import annotations

__all__ = ["INSTALL_HINT", "MISSING_EXTRA", "missing_extra"]

INSTALL_HINT = "pip install 'hunyuan-langchain-llamaindex[emulator]'"
MISSING_EXTRA = f"the Hunyuan emulator needs Starlette and uvicorn: {INSTALL_HINT}"


def missing_extra() -> str | None:
    """``MISSING_EXTRA`` when the server packages cannot be imported, else None."""
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        return MISSING_EXTRA
    return None
