"""The emulator's own model catalog: which models each action accepts, which honour tools, which
reason, and how many messages a ChatCompletions request may carry.

This is deliberately an independent copy of what the service does, not an import of the
client's catalog (``hunyuan_api``): the emulator is there to catch the client's mistakes, and
a shared table would agree with them.

A ``Family`` is a name stem: the stem itself is a model when ``bare``, and with ``releases``
so are its ``-latest`` alias and its dated releases (``hunyuan-t1-20250711``,
``hunyuan-turbos-20250716``). Suffixes other than those never match, so
``hunyuan-turbos-vision`` is not a ``hunyuan-turbos`` release but a family of its own.

Sources:

- [sdk-run] Tencent's SDK, ``tencentcloud-sdk-python-hunyuan`` ``models.py``,
  ``RunThreadRequest``: ``Model`` "可选值包括 hunyuan-lite、hunyuan-standard、
  hunyuan-standard-256K、hunyuan-pro、hunyuan-code、hunyuan-role、hunyuan-functioncall、
  hunyuan-vision、hunyuan-turbo"; ``Tools`` "仅对 hunyuan-pro、hunyuan-turbo、
  hunyuan-functioncall 模型生效". The project's protocol file ``shared/protocol/RUNTHREAD.md``
  says the same (the service ignores Tools elsewhere).
- [sdk-chat] the same ``models.py``, ``ChatCompletionsRequest``: ``Tools`` "仅对
  hunyuan-turbos、hunyuan-t1、hunyuan-functioncall 模型生效"; ``Messages`` "长度最多为 40";
  ``EnableThinking`` "仅对hunyuan-a13b模型生效" (a13b reasons unless switched off);
  ``EnableEnhancement`` "hunyuan-lite 无功能增强（如搜索）能力" (lite never searches);
  ``Contents`` images "支持混元图生文系列模型" (the ``-vision`` families).
- [product] Tencent's product overview (产品概述, which the SDK's ``Model`` field points to)
  lists the other ChatCompletions models; RunThread's older models are served there too.
- [kept] the emulator's behaviour before this catalog was organised by family, which the
  tests pin: hunyuan-turbo(-latest) and hunyuan-a13b take tools on ChatCompletions, the
  vision and long-text variants do not, and the t1 models always reason.
- [openai] Tencent's OpenAI-compatible endpoint (document 1729/111007) serves the
  ChatCompletions models by the same names (its examples: hunyuan-turbos-latest,
  hunyuan-t1-latest, hunyuan-lite); TokenHub (1823/132252) serves ``hy3-preview``, with function
  calling, and thinking that is off until the request asks for it (``reasoning_effort``).
- [sdk-emb] the same ``models.py``, ``GetEmbeddingRequest``: ``Input`` "总长度不超过 1024 个
  Token，超过则会截断最后面的内容", ``InputList`` "输入数组总长度不超过 50"; ``EmbeddingData``:
  ``Embedding`` "目前为 1024 维浮点数". GetEmbedding has no Model field; the OpenAI-compatible
  endpoint names the model ``hunyuan-embedding`` [openai].
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "CHAT_COMPLETIONS",
    "DEFAULT_RUN_MODEL",
    "EMBEDDING",
    "EMBEDDING_DIMENSIONS",
    "EMBEDDING_MAX_INPUTS",
    "EMBEDDING_MAX_TOKENS",
    "MAX_CHAT_MESSAGES",
    "OPENAI_CHAT",
    "RUN_THREAD",
    "Catalog",
    "Family",
]

_RELEASE = re.compile(r"-(?:latest|\d{8})")


@dataclass(frozen=True)
class Family:
    stem: str
    tools: bool = False
    reasoning: bool = False
    bare: bool = True
    releases: bool = False
    #: Takes images (ChatCompletions' Contents, the OpenAI-compatible endpoint's image parts).
    vision: bool = False
    #: Searches when search enhancement is on (hunyuan-lite has no enhancement).
    enhancement: bool = True
    #: Its reasoning can be switched off with ``EnableThinking: false``.
    thinking_switch: bool = False
    #: Reasons only when the request asks for it (``reasoning_effort``), not by default.
    reasoning_opt_in: bool = False
    #: Dated releases ``GET /v1/models`` lists (any YYYYMMDD matches).
    dated: tuple[str, ...] = ()

    def names(self) -> list[str]:
        """The names a model list shows for this family."""
        bare = [self.stem] if self.bare else []
        releases = ["latest", *self.dated] if self.releases else []
        return bare + [f"{self.stem}-{release}" for release in releases]

    def matches(self, model: str) -> bool:
        if model == self.stem:
            return self.bare
        rest = model.removeprefix(self.stem)
        return self.releases and rest != model and _RELEASE.fullmatch(rest) is not None

    @property
    def pattern(self) -> str:
        """How the family's names look, for error messages."""
        if not self.releases:
            return self.stem
        releases = f"{self.stem}-{{latest,YYYYMMDD}}"
        return f"{self.stem}[-{{latest,YYYYMMDD}}]" if self.bare else releases


@dataclass(frozen=True)
class Catalog:
    """The models one action accepts."""

    families: tuple[Family, ...]

    def find(self, model: str) -> Family | None:
        return next((family for family in self.families if family.matches(model)), None)

    def describe(self) -> str:
        return ", ".join(family.pattern for family in self.families)

    def names(self) -> list[str]:
        return [name for family in self.families for name in family.names()]


# [sdk-run] RunThread's models; [product] ChatCompletions serves them too.
_SERVED_BY_BOTH = (
    Family("hunyuan-lite", enhancement=False),
    Family("hunyuan-standard"),
    Family("hunyuan-standard-256K"),
    Family("hunyuan-pro", tools=True),
    Family("hunyuan-code"),
    Family("hunyuan-functioncall", tools=True),
    Family("hunyuan-vision", vision=True),
)

# [sdk-run] hunyuan-role and hunyuan-turbo complete the list; nothing reasons on RunThread.
RUN_THREAD = Catalog(
    (*_SERVED_BY_BOTH, Family("hunyuan-role"), Family("hunyuan-turbo", tools=True))
)
#: RunThread's model when the request names none.
DEFAULT_RUN_MODEL = "hunyuan-turbo"

CHAT_COMPLETIONS = Catalog(
    (
        *_SERVED_BY_BOTH,
        Family("hunyuan-role", releases=True),
        # [sdk-run] hunyuan-turbo takes tools; [kept] so does its -latest alias.
        Family("hunyuan-turbo", tools=True, releases=True),
        # [sdk-chat] the hunyuan-turbos family takes tools.
        Family("hunyuan-turbos", tools=True, bare=False, releases=True, dated=("20250716",)),
        # [kept] the long-text and vision variants of turbo/turbos do not.
        Family("hunyuan-turbos-longtext-128k", bare=False, releases=True),
        Family("hunyuan-turbo-vision", vision=True),
        Family("hunyuan-turbos-vision", vision=True),
        # [sdk-chat] the hunyuan-t1 family takes tools; [kept] t1 models reason.
        Family(
            "hunyuan-t1", tools=True, reasoning=True, bare=False, releases=True, dated=("20250711",)
        ),
        Family("hunyuan-t1-vision", reasoning=True, releases=True, vision=True),
        # [sdk-chat] EnableThinking is a13b's switch; [kept] a13b takes tools.
        Family("hunyuan-a13b", tools=True, reasoning=True, thinking_switch=True),
        # [product] the rest: no tools, no reasoning.
        Family("hunyuan-large"),
        Family("hunyuan-large-longcontext"),
        Family("hunyuan-large-role", bare=False, releases=True),
        Family("hunyuan-standard-vision", vision=True),
        Family("hunyuan-lite-vision", vision=True),
        Family("hunyuan-large-vision", vision=True),
    )
)

# [openai] the ChatCompletions models, and TokenHub's Hy3.
OPENAI_CHAT = Catalog(
    (
        *CHAT_COMPLETIONS.families,
        Family("hy3-preview", tools=True, reasoning=True, reasoning_opt_in=True),
    )
)
# [sdk-chat] "长度最多为 40".
MAX_CHAT_MESSAGES = 40

# [sdk-emb] the embedding model, its vector size, its input limits.
EMBEDDING = Catalog((Family("hunyuan-embedding"),))
EMBEDDING_DIMENSIONS = 1024
EMBEDDING_MAX_INPUTS = 50
EMBEDDING_MAX_TOKENS = 1024
