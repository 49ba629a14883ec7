"""The standard integration suite and a tool loop against Tencent's real service.

Runs only when ``HUNYUAN_SECRET_ID`` and ``HUNYUAN_SECRET_KEY`` are set (``make live``);
skipped otherwise, so offline runs never touch the network.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_hunyuan import ChatHunyuan
from tests.support.langchain_standard import ChatHunyuanIntegration

HAVE_CREDENTIALS = bool(
    os.environ.get("HUNYUAN_SECRET_ID") and os.environ.get("HUNYUAN_SECRET_KEY")
)

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not HAVE_CREDENTIALS, reason="set HUNYUAN_SECRET_ID and HUNYUAN_SECRET_KEY to run"
    ),
]


class TestChatHunyuanLive(ChatHunyuanIntegration, ChatModelIntegrationTests):
    @property
    def chat_model_params(self) -> dict[str, Any]:
        # Credentials come from the environment; so does HUNYUAN_BASE_URL if set.
        return {"model": "hunyuan-turbo", "temperature": 0}


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"It is sunny and 25°C in {city}."


def test_live_tool_loop() -> None:
    agent = create_agent(ChatHunyuan(model="hunyuan-turbo", temperature=0), tools=[get_weather])
    state = agent.invoke(
        {"messages": [HumanMessage("北京现在天气怎么样？请调用 get_weather 工具查询。")]}
    )
    messages = state["messages"]
    assert any(isinstance(m, ToolMessage) for m in messages)
    assert isinstance(messages[-1], AIMessage)
    assert messages[-1].text
