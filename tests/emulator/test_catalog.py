"""The emulator's own model catalog: families, dated releases, and independence from the client."""

from __future__ import annotations

from typing import Any

import pytest

from hunyuan_emulator.catalog import CHAT_COMPLETIONS, RUN_THREAD
from tests.support.common import run_python
from tests.support.emulator import WEATHER_TOOL


@pytest.mark.parametrize(
    ("model", "stem", "tools", "reasoning"),
    [
        ("hunyuan-t1-latest", "hunyuan-t1", True, True),
        ("hunyuan-t1-20250711", "hunyuan-t1", True, True),
        ("hunyuan-turbos-latest", "hunyuan-turbos", True, False),
        ("hunyuan-turbos-20250716", "hunyuan-turbos", True, False),
        ("hunyuan-turbos-longtext-128k-20250325", "hunyuan-turbos-longtext-128k", False, False),
        ("hunyuan-turbos-vision", "hunyuan-turbos-vision", False, False),
        ("hunyuan-t1-vision", "hunyuan-t1-vision", False, True),
        ("hunyuan-functioncall", "hunyuan-functioncall", True, False),
        ("hunyuan-a13b", "hunyuan-a13b", True, True),
        ("hunyuan-lite", "hunyuan-lite", False, False),
    ],
)
def test_chat_completions_families(model: str, stem: str, tools: bool, reasoning: bool) -> None:
    family = CHAT_COMPLETIONS.find(model)
    assert family is not None
    assert (family.stem, family.tools, family.reasoning) == (stem, tools, reasoning)


@pytest.mark.parametrize(
    "model", ["hunyuan-t1", "hunyuan-turbos", "hunyuan-t1-2025071", "hunyuan-turbos-vision-x"]
)
def test_chat_completions_refuses_names_outside_the_families(model: str) -> None:
    assert CHAT_COMPLETIONS.find(model) is None


def test_run_thread_takes_only_its_nine_models() -> None:
    assert RUN_THREAD.find("hunyuan-turbo") is not None
    assert [f.stem for f in RUN_THREAD.families if f.tools] == [
        "hunyuan-pro",
        "hunyuan-functioncall",
        "hunyuan-turbo",
    ]
    assert len(RUN_THREAD.families) == 9
    for model in ("hunyuan-t1-20250711", "hunyuan-turbo-latest", "hunyuan-turbos-latest"):
        assert RUN_THREAD.find(model) is None


def test_dated_releases_on_the_wire(wire: Any) -> None:
    question = [{"Role": "user", "Content": "What is the weather in Paris?"}]
    body = {"Model": "hunyuan-turbos-20250716", "Messages": question, "Tools": [WEATHER_TOOL]}
    message = wire.post("ChatCompletions", body).json()["Response"]["Choices"][0]["Message"]
    assert message["ToolCalls"][0]["Function"]["Name"] == "get_weather"
    body = {"Model": "hunyuan-t1-20250711", "Messages": question}
    message = wire.post("ChatCompletions", body).json()["Response"]["Choices"][0]["Message"]
    assert message["ReasoningContent"]
    run = wire.run_body(wire.create_thread(), Model="hunyuan-t1-20250711")
    assert wire.error_code("RunThread", run) == "InvalidParameterValue.Model"


def test_the_emulator_never_imports_the_client() -> None:
    out = run_python(
        "import sys\n"
        "from hunyuan_emulator import run_emulator\n"
        "from hunyuan_emulator.cli import main\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'hunyuan_api'))\n"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
