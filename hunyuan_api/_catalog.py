"""What the client knows about each Hunyuan model family, per API: tools, reasoning, image input,
context window and maximum output.

Models are matched by family: the longest listed name that equals the model or prefixes it
followed by ``-`` (``hunyuan-t1`` covers ``hunyuan-t1-latest`` and ``hunyuan-t1-20250711``;
``hunyuan-t1-vision`` is its own family). A model no family covers is still sent as given, with
its tools: the service decides. Every capability can be overridden by the user (LlamaIndex
``is_function_calling_model`` / ``context_window``, LangChain ``profile``).

Sources, cited per family below (checked 2026-11; "2nd" marks a third-party table that quotes
Tencent's product overview cloud.tencent.com/document/product/1729/104753, which is the
primary source for windows and outputs but is not itself archived where we could read it):
  [sdk]      tencentcloud-sdk-python-hunyuan 3.1.180, hunyuan/v20230901/models.py:
             ChatCompletionsRequest.Tools (l. 288) "仅对 hunyuan-turbos、hunyuan-t1、
             hunyuan-functioncall 模型生效"; RunThreadRequest.Model (l. 6697) its nine models and
             .Tools (l. 6711) on pro, turbo, functioncall only; ReasoningContent (l. 2022) for t1;
             EnableThinking (l. 342) for a13b; ImageQuestion (l. 4618) names the vision models.
  [sdk-old]  the same Tools docstring before 2025, "hunyuan-pro、hunyuan-turbo、
             hunyuan-functioncall" (still echoed by ToolChoice, l. 290).
  [lobe]     2nd: lobehub/lobe-chat packages/model-bank/src/aiModels/hunyuan.ts (2025-2026),
             whose window is input + output.
  [tokenhub] cloud.tencent.com/document/product/1823/132252 (TokenHub's Hunyuan guide, 2026-05):
             hy3-preview 256k window, 128k output, function calling, reasoning; hunyuan-role-latest
             32k/4k. cloud.tencent.cn/document/product/1823/131208: hunyuan-2.0-thinking.
  [sdk-emb]  the same models.py: GetEmbeddingRequest.Input "总长度不超过 1024 个 Token，
             超过则会截断最后面的内容", .InputList "输入数组总长度不超过 50";
             EmbeddingData.Embedding "目前为 1024 维浮点数".
  [oai-emb]  cloud.tencent.com/document/product/1729/111007: the OpenAI-compatible endpoint's
             ``/embeddings`` with model ``hunyuan-embedding``.

Embedding models are a catalog of their own (``embedding_model_info``): a chat call never finds
them, and an embedding call never finds a chat model.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ._lookup import by_longest_prefix
from ._types import Api

__all__ = [
    "DEFAULT_CONTEXT_WINDOW",
    "DEFAULT_MAX_OUTPUT",
    "EMBEDDING_MAX_BATCH",
    "EMBEDDING_MODEL",
    "EmbeddingModelInfo",
    "ModelInfo",
    "embedding_model_info",
    "model_info",
]

# A model the catalog does not know gets the smallest window and output of any listed model: a
# window too small costs a query engine extra refine steps, one too large a rejected request.
DEFAULT_CONTEXT_WINDOW = 8_000
DEFAULT_MAX_OUTPUT = 2_000

# The OpenAI-compatible endpoint serves ChatCompletions' models (Tencent's doc 1729/111007 lists
# the same names), so a family's tools there follow ChatCompletions'.
_ALL: frozenset[Api] = frozenset({"run_thread", "chat_completions", "openai"})
_CC: frozenset[Api] = frozenset({"chat_completions", "openai"})
_OPENAI: frozenset[Api] = frozenset({"openai"})
_NONE: frozenset[Api] = frozenset()


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What one model can do on one API."""

    model: str
    #: The catalog family that matched; None for a model the catalog does not know.
    family: str | None
    #: Whether the service honours ``Tools`` for it (unknown models: sent, the service decides).
    tools: bool
    #: Whether it returns reasoning text (``ReasoningContent`` / ``reasoning_content``).
    reasoning: bool
    #: Whether it accepts image input.
    vision: bool
    #: Input plus output tokens.
    context_window: int
    max_output: int

    @property
    def known(self) -> bool:
        return self.family is not None


@dataclass(frozen=True, slots=True)
class _Family:
    name: str
    #: The APIs on which the service honours Tools for this family.
    tools_on: frozenset[Api]
    context_window: int
    max_output: int
    reasoning: bool = False
    vision: bool = False


# fmt: off
_FAMILIES: tuple[_Family, ...] = (
    # RunThread's nine models and their tools [sdk]; windows and outputs [lobe].
    _Family("hunyuan-lite", _NONE, 256_000, 6_000),
    _Family("hunyuan-standard", _NONE, 32_000, 2_000),
    _Family("hunyuan-standard-256K", _NONE, 256_000, 6_000),
    _Family("hunyuan-pro", _ALL, 32_000, 4_000),             # ChatCompletions tools: [sdk-old]
    _Family("hunyuan-turbo", _ALL, 32_000, 4_000),           # ChatCompletions tools: [sdk-old]
    _Family("hunyuan-code", _NONE, 8_000, 4_000),
    _Family("hunyuan-role", _NONE, 32_000, 4_000),           # -latest: [tokenhub]
    _Family("hunyuan-functioncall", _ALL, 32_000, 4_000),
    _Family("hunyuan-vision", _NONE, 32_000, 16_000, vision=True),
    # ChatCompletions' newer families: tools, reasoning [sdk]; windows and outputs [lobe]
    # (for dated turbos the smallest published: 32k window, 8k output for -20250313).
    _Family("hunyuan-turbos", _CC, 32_000, 8_000),
    _Family("hunyuan-turbos-latest", _CC, 44_000, 16_000),
    _Family("hunyuan-turbos-longtext-128k", _CC, 134_000, 6_000),
    _Family("hunyuan-t1", _CC, 92_000, 64_000, reasoning=True),
    _Family("hunyuan-t1-latest", _CC, 96_000, 64_000, reasoning=True),
    # Not in the Tools list [sdk]; thinks unless EnableThinking is false [sdk].
    _Family("hunyuan-a13b", _NONE, 256_000, 32_000, reasoning=True),
    _Family("hunyuan-large", _NONE, 32_000, 4_000),
    _Family("hunyuan-large-longcontext", _NONE, 134_000, 6_000),
    # Tools unpublished for the 2.0 models; both take them on TokenHub per [lobe].
    _Family("hunyuan-2.0-thinking", _CC, 192_000, 64_000, reasoning=True),  # [tokenhub] 2nd
    _Family("hunyuan-2.0-instruct", _CC, 128_000, 16_000),
    # TokenHub only (its OpenAI-compatible endpoint): 256k window, 128k output, function
    # calling, reasoning with reasoning_effort [tokenhub].
    _Family("hy3", _OPENAI, 256_000, 128_000, reasoning=True),
    # Image input [sdk]; windows and outputs [lobe].
    _Family("hunyuan-turbos-vision", _NONE, 32_000, 16_000, vision=True),
    _Family("hunyuan-turbo-vision", _NONE, 8_000, 2_000, vision=True),
    _Family("hunyuan-t1-vision", _NONE, 40_000, 16_000, reasoning=True, vision=True),
    _Family("hunyuan-standard-vision", _NONE, 8_000, 2_000, vision=True),
    _Family("hunyuan-lite-vision", _NONE, 36_000, 4_000, vision=True),
    _Family("hunyuan-large-vision", _NONE, 16_000, 8_000, vision=True),
)
# fmt: on

_BY_NAME = {family.name: family for family in _FAMILIES}


@lru_cache(maxsize=512)
def model_info(model: str, api: Api = "run_thread") -> ModelInfo:
    """What the catalog knows about ``model`` on ``api``."""
    family = by_longest_prefix(model, _BY_NAME, "-")
    if family is None:
        return ModelInfo(
            model, None, True, False, False, DEFAULT_CONTEXT_WINDOW, DEFAULT_MAX_OUTPUT
        )
    return ModelInfo(
        model,
        family.name,
        api in family.tools_on,
        family.reasoning,
        family.vision,
        family.context_window,
        family.max_output,
    )


# -- embeddings ---------------------------------------------------------------------------------

#: The embedding model, on both ways in (GetEmbedding has no Model field: it is this one).
EMBEDDING_MODEL = "hunyuan-embedding"
#: Texts in one request: GetEmbedding's ``InputList`` holds at most 50 [sdk-emb]; the
#: OpenAI-compatible endpoint serves the same model, so the same batches go there.
EMBEDDING_MAX_BATCH = 50


@dataclass(frozen=True, slots=True)
class EmbeddingModelInfo:
    """What one embedding model produces."""

    model: str
    #: The catalog family that matched; None for a model the catalog does not know.
    family: str | None
    #: Floats per vector (None: unknown, the answer decides).
    dimensions: int | None
    #: Tokens of a text the model reads; the service cuts the rest [sdk-emb].
    max_input_tokens: int | None

    @property
    def known(self) -> bool:
        return self.family is not None


# fmt: off
_EMBEDDING_FAMILIES: dict[str, EmbeddingModelInfo] = {
    EMBEDDING_MODEL: EmbeddingModelInfo(EMBEDDING_MODEL, EMBEDDING_MODEL, 1024, 1024),  # [sdk-emb]
}
# fmt: on


def embedding_model_info(model: str) -> EmbeddingModelInfo:
    """What the catalog knows about the embedding model ``model``."""
    family = by_longest_prefix(model, _EMBEDDING_FAMILIES, "-")
    if family is None:
        return EmbeddingModelInfo(model, None, None, None)
    return EmbeddingModelInfo(model, family.family, family.dimensions, family.max_input_tokens)
