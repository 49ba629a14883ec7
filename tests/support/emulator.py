"""Request pieces the emulator tests share ."""

from __future__ import annotations

import json
from typing import Any

#: A tool in Tencent's wire form; the deterministic model calls it for weather questions.
WEATHER_TOOL: dict[str, Any] = {
    "Type": "function",
    "Function": {
        "Name": "get_weather",
        "Description": "Get the weather at a location.",
        "Parameters": json.dumps(
            {
                "type": "object",
                "properties": {"location": {"type": "string"}},
                "required": ["location"],
            }
        ),
    },
}
