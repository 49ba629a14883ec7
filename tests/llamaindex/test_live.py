"""The same chat and agent paths against Tencent's service (``make live``; needs credentials)."""

from __future__ import annotations

import os

import pytest
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.tools import FunctionTool

from llama_index_hunyuan import Hunyuan

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not (os.environ.get("HUNYUAN_SECRET_ID") and os.environ.get("HUNYUAN_SECRET_KEY")),
        reason="set HUNYUAN_SECRET_ID and HUNYUAN_SECRET_KEY to run live tests",
    ),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:inspect"),
]


def multiply(a: int, b: int) -> int:
    """Multiply two integers and return the product."""
    return a * b


def test_live_chat_and_stream() -> None:
    llm = Hunyuan(model="hunyuan-turbo", temperature=0.1, max_tokens=64)
    messages = [ChatMessage(role="user", content="Reply with the single word: pong")]
    response = llm.chat(messages)
    assert "pong" in (response.message.content or "").lower()
    assert response.additional_kwargs["total_tokens"] > 0
    chunks = list(llm.stream_chat(messages))
    assert "".join(c.delta or "" for c in chunks) == chunks[-1].message.content


async def test_live_function_agent() -> None:
    llm = Hunyuan(model="hunyuan-turbo", temperature=0.1)
    agent = FunctionAgent(
        tools=[FunctionTool.from_defaults(multiply)],
        llm=llm,
        system_prompt="Use the multiply tool for arithmetic, then state the result.",
    )
    answer = str(await agent.run("What is 123 multiplied by 45?"))
    assert "5535" in answer.replace(",", "")
