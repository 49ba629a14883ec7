"""docs/threads.md is true: its table of which patterns keep their thread is what the plugin does
now (``bench.thread_patterns`` measures it against the emulator)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bench.thread_patterns import DOC, measure, render, table_in_doc

if TYPE_CHECKING:
    from hunyuan_emulator import EmulatorHandle

pytestmark = [
    # Deprecated APIs the table measures on purpose (users still run them), and LlamaIndex's
    # workflows inspecting agent instances: none of the warnings comes from this project.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::langchain_core._api.LangChainDeprecationWarning"),
]


def test_the_patterns_table_is_measured(emulator: EmulatorHandle) -> None:
    rows = measure(emulator)
    assert table_in_doc(DOC.read_text(encoding="utf-8")) == render(rows), (
        "docs/threads.md is out of date: run python -m bench.thread_patterns --write"
    )
    # Whatever a store keeps, a new process continues exactly as this one does.
    assert all(here == there for _, here, there in rows)
