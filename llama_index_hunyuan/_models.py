"""What LlamaIndex needs to know about each Hunyuan model: window, output budget, tool support."""

from __future__ import annotations

from hunyuan_api import Api, supports_tools

__all__ = [
    "CONTEXT_WINDOWS",
    "DEFAULT_CONTEXT_WINDOW",
    "DEFAULT_MAX_OUTPUT",
    "MAX_OUTPUT_TOKENS",
    "context_window_for",
    "max_output_for",
    "supports_function_calling",
]

#: Input + output tokens, from Tencent's Hunyuan product overview. Query engines pack retrieved
#: text up to this size, so an overstatement makes the service reject the prompt.
CONTEXT_WINDOWS: dict[str, int] = {
    "hunyuan-lite": 256_000,
    "hunyuan-standard": 32_000,
    "hunyuan-standard-256K": 256_000,
    "hunyuan-pro": 32_000,
    "hunyuan-turbo": 32_000,
    "hunyuan-code": 8_000,
    "hunyuan-role": 32_000,
    "hunyuan-functioncall": 32_000,
    "hunyuan-vision": 8_000,
}

#: The documented maximum output per model (used as ``num_output`` when ``max_tokens`` is unset).
MAX_OUTPUT_TOKENS: dict[str, int] = {
    "hunyuan-lite": 6_000,
    "hunyuan-standard": 2_000,
    "hunyuan-standard-256K": 6_000,
    "hunyuan-pro": 4_000,
    "hunyuan-turbo": 4_000,
    "hunyuan-code": 4_000,
    "hunyuan-role": 4_000,
    "hunyuan-functioncall": 4_000,
    "hunyuan-vision": 2_000,
}

# Unknown (newer or private) models get the smallest window and output any listed model has:
# too small only costs extra refine steps, too large costs a rejected request.
DEFAULT_CONTEXT_WINDOW = 8_000
DEFAULT_MAX_OUTPUT = 2_000


def context_window_for(model: str) -> int:
    return CONTEXT_WINDOWS.get(model, DEFAULT_CONTEXT_WINDOW)


def max_output_for(model: str) -> int:
    return MAX_OUTPUT_TOKENS.get(model, DEFAULT_MAX_OUTPUT)


def supports_function_calling(model: str, api: Api = "run_thread") -> bool:
    """Exactly the models the service honours Tools on, for that API (ChatCompletions also
    serves the newer turbos/t1 models). Unknown models say False: agents then pick the ReAct
    path, which works everywhere; ``is_function_calling_model=True`` opts in."""
    return supports_tools(model, api)
