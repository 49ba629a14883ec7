"""What the LlamaIndex agent tests in tests/llamaindex and tests/transport share: the warnings
they ignore, the tools, the scripted ReAct turns, and checks of an agent run."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest
from llama_index.core.agent.workflow import AgentOutput, AgentStream, ToolCallResult
from llama_index.core.tools import FunctionTool

if TYPE_CHECKING:
    from llama_index.core.agent.workflow.base_agent import BaseWorkflowAgent
    from llama_index.core.workflow.handler import WorkflowHandler

#: Workflows inspect agent instances with inspect.getmembers, which trips pydantic's deprecation
#: warnings; ReActAgent checks ctx.is_running. Neither comes from this package.
AGENT_WARNINGS = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning:inspect"),
    pytest.mark.filterwarnings("ignore:is_running called from within a step:DeprecationWarning"),
]


def multiply(a: int, b: int) -> int:
    """Multiply two integers and return the product."""
    return a * b


def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"It is sunny in {city}."


TOOLS = [FunctionTool.from_defaults(multiply), FunctionTool.from_defaults(get_weather)]

#: The emulator's answer once ``multiply(6, 7)`` has run.
ANSWER = 'Based on the tool results: "42".'

REACT_ACTION = 'Thought: I need to multiply.\nAction: multiply\nAction Input: {"a": 6, "b": 7}'
REACT_ANSWER = "Thought: I can answer without using any more tools.\nAnswer: The product is 42."


def run_sync(agent: BaseWorkflowAgent, prompt: str) -> str:
    """The agent's answer, from synchronous code (``agent.run`` needs a running loop)."""

    async def run() -> str:
        return str(await agent.run(prompt))

    return asyncio.run(run())


async def check_multiply_stream(handler: WorkflowHandler) -> None:
    """Reads a FunctionAgent run of "multiply 6 and 7" event by event: the text deltas make up
    the answer, the call's arguments arrive, the tool returns 42, and the first turn ends in a
    tool call."""
    deltas: list[str] = []
    partial_args: list[dict[str, Any]] = []
    results: list[ToolCallResult] = []
    outputs: list[AgentOutput] = []
    async for event in handler.stream_events():
        if isinstance(event, AgentStream):
            deltas.append(event.delta)
            partial_args.extend(c.tool_kwargs for c in event.tool_calls)
        elif isinstance(event, ToolCallResult):
            results.append(event)
        elif isinstance(event, AgentOutput):
            outputs.append(event)
    answer = str(await handler)
    assert answer == ANSWER
    assert "".join(deltas) == answer
    assert partial_args[-1] == {"a": 6, "b": 7}
    assert [(r.tool_name, r.tool_kwargs, r.tool_output.content) for r in results] == [
        ("multiply", {"a": 6, "b": 7}, "42")
    ]
    assert isinstance(outputs[0].raw, dict)
    assert outputs[0].raw["finish_reason"] == "tool_calls"
