"""What RunThread and ChatCompletions share: the Model lookup, the sampling ranges, and the
Tools/ToolChoice fields (ChatCompletions' CustomTool has the shape of one tool)."""

from __future__ import annotations

import json
import re
from typing import Any

from ..catalog import Catalog, Family
from ..errors import RuleError
from ..model import ToolSpec
from ..schema import STRING, array, invalid, number_in, obj, required

__all__ = [
    "TOOL",
    "TOOLS",
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


def model_family(catalog: Catalog, model: str) -> Family:
    family = catalog.find(model)
    if family is None:
        raise RuleError(
            "InvalidParameterValue.Model",
            f"模型不存在。The model {model!r} is not one of: {catalog.describe()}.",
        )
    return family


def sampling(body: dict[str, Any]) -> tuple[float | None, float | None]:
    """Temperature and TopP, each within its documented range."""
    return number_in(body, "Temperature", 0.0, 2.0), number_in(body, "TopP", 0.0, 1.0)


def tools(raw: list[dict[str, Any]], path: str = "Tools") -> list[ToolSpec]:
    specs: list[ToolSpec] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        specs.append(tool(item, f"{path}.{index}"))
        if specs[-1].name in seen:
            raise invalid(
                f"{path}.{index}.Function.Name", f"duplicate tool name {specs[-1].name!r}."
            )
        seen.add(specs[-1].name)
    return specs


def tool(item: dict[str, Any], path: str) -> ToolSpec:
    if item["Type"] != "function":
        raise invalid(f"{path}.Type", f"{item['Type']!r}; only 'function' is supported.")
    function = item["Function"]
    name = function["Name"]
    if not _TOOL_NAME_RE.match(name):
        raise invalid(f"{path}.Function.Name", f"{name!r} must match ^[A-Za-z0-9_-]+$.")
    try:
        parameters = json.loads(function["Parameters"])
    except ValueError:
        parameters = None
    if not isinstance(parameters, dict):
        raise invalid(
            f"{path}.Function.Parameters",
            "it must be a string holding a JSON object (a JSON Schema).",
        )
    if parameters.get("type", "object") != "object":
        raise invalid(f"{path}.Function.Parameters", "the schema's type must be 'object'.")
    return ToolSpec(name, function.get("Description", ""), parameters)


def tool_choice(body: dict[str, Any]) -> str | None:
    choice = body.get("ToolChoice")
    if choice is not None and choice not in _TOOL_CHOICES:
        raise invalid("ToolChoice", f"{choice!r} must be one of {', '.join(_TOOL_CHOICES)}.")
    return choice if choice is None else str(choice)
