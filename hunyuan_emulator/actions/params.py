"""What the model actions share: the Model lookup, the sampling ranges, and the Tools/ToolChoice
fields (ChatCompletions' CustomTool has the shape of one tool); ``function_tool`` and
``distinct`` check tools in any wire shape (``/v1/chat/completions`` sends OpenAI's)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from ..catalog import Catalog, Family
from ..errors import RuleError
from ..model import ToolSpec
from ..schema import STRING, array, invalid, number_in, obj, required

__all__ = [
    "TOOL",
    "TOOLS",
    "distinct",
    "function_tool",
    "model_family",
    "sampling",
    "tool",
    "tool_choice",
    "tools",
]

TOOL = obj(
    Type=required(STRING),
    Function=required(obj(Name=required(STRING), Description=STRING, Parameters=required(STRING))),
)
TOOLS = array(TOOL)

_TOOL_NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_TOOL_CHOICES = ("none", "auto", "custom")


def model_family(catalog: Catalog, model: str, path: str = "Model") -> Family:
    family = catalog.find(model)
    if family is None:
        raise RuleError(
            "InvalidParameterValue.Model",
            f"模型不存在。The model {model!r} is not one of: {catalog.describe()}.",
            param=path,
        )
    return family


def sampling(
    body: dict[str, Any], temperature: str = "Temperature", top_p: str = "TopP"
) -> tuple[float | None, float | None]:
    """Temperature and TopP (named so in ``body``), each within its documented range."""
    return number_in(body, temperature, 0.0, 2.0), number_in(body, top_p, 0.0, 1.0)


def tools(raw: list[dict[str, Any]], path: str = "Tools") -> list[ToolSpec]:
    specs = [tool(item, f"{path}.{index}") for index, item in enumerate(raw)]
    return distinct(specs, lambda index: f"{path}.{index}.Function.Name")


def distinct(specs: list[ToolSpec], name_path: Callable[[int], str]) -> list[ToolSpec]:
    """``specs``, refused when two tools share a name."""
    seen: set[str] = set()
    for index, spec in enumerate(specs):
        if spec.name in seen:
            raise invalid(name_path(index), f"duplicate tool name {spec.name!r}.")
        seen.add(spec.name)
    return specs


def tool(item: dict[str, Any], path: str) -> ToolSpec:
    if item["Type"] != "function":
        raise invalid(f"{path}.Type", f"{item['Type']!r}; only 'function' is supported.")
    function = item["Function"]
    try:
        parameters = json.loads(function["Parameters"])
    except ValueError:
        parameters = None
    if not isinstance(parameters, dict):
        raise invalid(
            f"{path}.Function.Parameters",
            "it must be a string holding a JSON object (a JSON Schema).",
        )
    return function_tool(
        function["Name"],
        function.get("Description", ""),
        parameters,
        name_path=f"{path}.Function.Name",
        parameters_path=f"{path}.Function.Parameters",
    )


def function_tool(
    name: str,
    description: str,
    parameters: dict[str, Any],
    *,
    name_path: str,
    parameters_path: str,
    name_re: re.Pattern[str] = _TOOL_NAME_RE,
) -> ToolSpec:
    """One tool whose name matches ``name_re`` and whose parameters are an object schema."""
    if not name_re.match(name):
        raise invalid(name_path, f"{name!r} must match {name_re.pattern}.")
    if parameters.get("type", "object") != "object":
        raise invalid(parameters_path, "the schema's type must be 'object'.")
    return ToolSpec(name, description, parameters)


def tool_choice(body: dict[str, Any]) -> str | None:
    choice = body.get("ToolChoice")
    if choice is not None and choice not in _TOOL_CHOICES:
        raise invalid("ToolChoice", f"{choice!r} must be one of {', '.join(_TOOL_CHOICES)}.")
    return choice if choice is None else str(choice)
