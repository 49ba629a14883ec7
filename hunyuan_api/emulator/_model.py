"""A deterministic stand-in for the Hunyuan models: pure functions, no state, no randomness.

- ``split_pieces``/``count_tokens``: a tokenizer where each CJK character, each word and each
  punctuation mark is one token; streamed pieces are tokens with their trailing whitespace.
- ``generate``: the reply to a conversation: a tool call when tools are offered and wanted,
  a text that quotes tool results after tool messages, a JSON object when the user asks for
  JSON and gives a JSON Schema, else a text quoting the last user message (in Chinese when
  that message contains CJK characters).
- ``build_arguments``: a value satisfying a JSON Schema, filled from the user's words.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ConvMessage",
    "Reply",
    "ToolCallSpec",
    "ToolSpec",
    "build_arguments",
    "count_tokens",
    "find_json_schema",
    "generate",
    "has_cjk",
    "match_tool",
    "split_pieces",
    "tool_score",
]

# Han, kana, hangul and bopomofo: one token per character.
_CJK = "\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_PIECE_RE = re.compile(rf"[{_CJK}]\s*|[^\W{_CJK}]+\s*|[^\w\s]\s*|\s+")
_CJK_RE = re.compile(f"[{_CJK}]")
_CJK_RUN_RE = re.compile(rf"[{_CJK}][{_CJK}ー・\w]*")


@dataclass(frozen=True)
class ToolCallSpec:
    name: str
    arguments: str  # JSON text, as it travels in Function.Arguments
    id: str = ""


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ConvMessage:
    role: str
    content: str
    tool_calls: tuple[ToolCallSpec, ...] = ()
    tool_call_id: str | None = None


@dataclass(frozen=True)
class Reply:
    text: str = ""
    tool_calls: tuple[ToolCallSpec, ...] = ()
    reasoning: str = ""


# --------------------------------------------------------------------------- tokens


def split_pieces(text: str) -> list[str]:
    """Token-sized pieces whose concatenation is exactly ``text``."""
    return _PIECE_RE.findall(text)


def count_tokens(text: str) -> int:
    return sum(1 for piece in _PIECE_RE.findall(text) if not piece.isspace())


def has_cjk(text: str) -> bool:
    return _CJK_RE.search(text) is not None


def _snippet(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- replies


def generate(
    messages: Sequence[ConvMessage],
    *,
    tools: Sequence[ToolSpec] = (),
    tool_choice: str | None = None,
    forced_tool: ToolSpec | None = None,
    reasoning: bool = False,
) -> Reply:
    """The reply to ``messages``; ``tools`` empty means tools are off (or ignored by the model).

    ``tool_choice`` is ``none``/``auto``/``custom`` (None = auto). With ``custom`` the model
    calls ``forced_tool`` if given, else the best-matching tool, else the first one.
    """
    last_user = next((m.content for m in reversed(messages) if m.role == "user"), "")
    thinking = _reasoning_text(last_user) if reasoning else ""
    last = messages[-1] if messages else None
    if last is not None and last.role == "user" and tool_choice != "none":
        chosen: ToolSpec | None = None
        if tool_choice == "custom":
            chosen = forced_tool or (match_tool(tools, last.content) if tools else None)
            if chosen is None and tools:
                chosen = tools[0]
        elif tools:
            chosen = match_tool(tools, last.content)
        if chosen is not None:
            args = build_arguments(chosen.parameters, last.content)
            call = ToolCallSpec(chosen.name, json.dumps(args, ensure_ascii=False))
            return Reply(tool_calls=(call,), reasoning=thinking)
    if last is not None and last.role == "tool":
        results = []
        for message in reversed(messages):
            if message.role != "tool":
                break
            results.append(message.content)
        results.reverse()
        return Reply(text=_tool_results_text(results, last_user), reasoning=thinking)
    schema = find_json_schema(messages)
    if schema is not None:
        value = build_arguments(schema, _without_schemas(last_user))
        return Reply(text=json.dumps(value, ensure_ascii=False), reasoning=thinking)
    grounded = grounded_answer(last_user)
    if grounded is not None:
        return Reply(text=grounded, reasoning=thinking)
    return Reply(text=_text_reply(last_user), reasoning=thinking)


# Retrieval prompts (LlamaIndex's QA/refine templates, most RAG chains) put the question on a
# line of its own after the context.
_QUESTION_RE = re.compile(r"^\s*(?:query|question|问题|查询)\s*[:：]\s*(.+?)\s*$", re.I | re.M)
_METADATA_RE = re.compile(r"^[A-Za-z_]+:\s")
_SENTENCE_RE = re.compile(r"[^。！？!?\n]+(?:[。！？!?]|(?<=[^.])\.(?=\s|$))?")
# Characters and words too common to show that a sentence answers a question.
_STOP_CHARS = frozenset("的了是在和有吗呢吧么什哪里谁这那个一我你他她它们之与及其也都就")
_ENGLISH_STOP_WORDS = (
    "a an the is are was were be of in on at to for and or what which who where when how why "
    "does do did it its this that with from by as about please tell me"
)
_STOP_WORDS = frozenset(_ENGLISH_STOP_WORDS.split())


def _answer_terms(text: str) -> set[str]:
    terms = {c for c in text if has_cjk(c) and c not in _STOP_CHARS}
    terms |= {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP_WORDS}
    return terms


def grounded_answer(prompt: str) -> str | None:
    """For a context-then-question prompt: the context sentences that share the most terms with
    the question, so retrieval demos answer from their documents. None for other prompts."""
    matches = list(_QUESTION_RE.finditer(prompt))
    if not matches:
        return None
    question_match = matches[-1]
    question = question_match.group(1)
    context = prompt[: question_match.start()]
    wanted = _answer_terms(question)
    if not wanted or len(context.strip()) < 20:
        return None
    scored = []
    for order, match in enumerate(_SENTENCE_RE.finditer(context)):
        sentence = match.group(0).strip()
        if len(sentence) < 6 or sentence.startswith("#") or _METADATA_RE.match(sentence):
            continue  # headings and "file_path: ..." lines name documents, they don't answer
        score = len(wanted & _answer_terms(sentence))
        if score:
            scored.append((-score, order, sentence))
    if not scored:
        return None
    top = -min(scored)[0]
    best = [sentence for score, _, sentence in sorted(scored)[:2] if -score * 2 >= top]
    best.sort(key=lambda sentence: context.find(sentence))
    if has_cjk(question):
        return "根据提供的资料：" + "".join(best)
    return "From the provided context: " + " ".join(best)


def _text_reply(last_user: str) -> str:
    quoted = _snippet(last_user) or "…"
    if has_cjk(last_user):
        return f"您好！您说的是：「{quoted}」。这是混元模拟器根据对话生成的确定性回复。"
    return f'You said: "{quoted}". This is a deterministic reply from the Hunyuan emulator.'


def _tool_results_text(results: Sequence[str], last_user: str) -> str:
    if has_cjk(last_user):
        return "根据工具返回的结果：" + "、".join(f"「{_snippet(r)}」" for r in results) + "。"
    return "Based on the tool results: " + "; ".join(f'"{_snippet(r)}"' for r in results) + "."


def _reasoning_text(last_user: str) -> str:
    if has_cjk(last_user):
        return f"用户问：「{_snippet(last_user, 60)}」。我来直接回答。"
    return f'The user asked: "{_snippet(last_user, 60)}". I will answer it directly.'


# --------------------------------------------------------------------------- JSON mode

_FENCE_RE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.S)
_SCHEMA_WORDS_RE = re.compile(r"json[\s_-]*schema", re.I)


def _looks_like_schema(value: Any) -> bool:
    return isinstance(value, dict) and (
        "properties" in value
        or value.get("type") in ("object", "array")
        or any(k in value for k in ("$defs", "definitions", "anyOf", "oneOf"))
    )


def find_json_schema(messages: Sequence[ConvMessage]) -> dict[str, Any] | None:
    """The JSON Schema a system/user message asks the reply to follow, if one asks for JSON."""
    text = "\n".join(m.content for m in messages if m.role in ("system", "user"))
    if "json" not in text.lower():
        return None
    for match in _FENCE_RE.finditer(text):
        try:
            value = json.loads(match.group(1))
        except ValueError:
            continue
        if _looks_like_schema(value):
            return dict(value)
    decoder = json.JSONDecoder()
    for match in _SCHEMA_WORDS_RE.finditer(text):
        start = text.find("{", match.end())
        if start < 0:
            continue
        try:
            value, _ = decoder.raw_decode(text, start)
        except ValueError:
            continue
        if _looks_like_schema(value):
            return dict(value)
    return None


def _without_schemas(text: str) -> str:
    """``text`` minus fenced blocks and schema objects, so their numbers fill no fields."""
    text = _FENCE_RE.sub(" ", text)
    decoder = json.JSONDecoder()
    kept: list[str] = []
    position = 0
    for match in _SCHEMA_WORDS_RE.finditer(text):
        start = text.find("{", max(match.end(), position))
        if start < 0:
            break
        try:
            _, end = decoder.raw_decode(text, start)
        except ValueError:
            continue
        kept.append(text[position:start])
        position = end
    kept.append(text[position:])
    return " ".join(kept)


# --------------------------------------------------------------------------- tool choice

# fmt: off
_STOPWORDS = frozenset((
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does",
    "did", "done", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "in",
    "on", "at", "to", "for", "of", "from", "by", "with", "about", "as", "into", "onto", "over",
    "under", "and", "or", "not", "no", "yes", "it", "its", "this", "that", "these", "those",
    "i", "me", "my", "mine", "you", "your", "yours", "we", "us", "our", "he", "him", "his",
    "she", "her", "they", "them", "their", "please", "can", "could", "would", "should", "will",
    "shall", "may", "might", "must", "use", "using", "used", "uses", "tool", "tools",
    "function", "functions", "call", "calls", "calling", "value", "values", "get", "gets",
    "give", "tell", "show", "let", "make", "some", "any", "all", "there", "here", "than",
    "then", "so", "if", "but", "just", "also", "very", "much", "many", "more", "most", "such",
    "only", "own", "same", "too", "now", "hello", "hi", "hey", "thanks", "thank", "ok", "okay",
    "one", "two",
))
# fmt: on
_WORD_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def _norm(word: str) -> str:
    word = word.lower()
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


def _content_words(text: str) -> set[str]:
    words = {_norm(w) for w in _WORD_RE.findall(text)}
    words = {w for w in words if len(w) > 1 and w not in _STOPWORDS}
    for run in _CJK_RUN_RE.findall(text):
        han = [c for c in run if _CJK_RE.match(c)]
        words.update(han[i] + han[i + 1] for i in range(len(han) - 1))
    return words


def tool_score(tool: ToolSpec, text: str) -> int:
    """How strongly ``text`` asks for ``tool``: name words count 2, description words 1."""
    words = _content_words(text)
    name_words = _content_words(tool.name.replace("_", " ").replace("-", " "))
    score = 2 * len(words & name_words)
    score += len(words & (_content_words(tool.description) - name_words))
    if re.search(rf"(?<![\w-]){re.escape(tool.name)}(?![\w-])", text, re.I):
        score += 4
    return score


def match_tool(tools: Sequence[ToolSpec], text: str) -> ToolSpec | None:
    """The best-scoring tool when the overlap is meaningful (a name word or two others)."""
    best: ToolSpec | None = None
    best_score = 1
    for tool in tools:
        score = tool_score(tool, text)
        if score > best_score:
            best, best_score = tool, score
    return best


# --------------------------------------------------------------------------- arguments

_NUMBER_RE = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?!\w)")
_QUOTE_RES = (
    re.compile(r'"([^"\n]+)"'),
    re.compile(r"“([^”\n]+)”"),
    re.compile(r"「([^」\n]+)」"),
    re.compile(r"『([^』\n]+)』"),
    re.compile(r"(?<!\w)'([^'\n]+)'(?!\w)"),
)
_PREPOSITION_RE = re.compile(
    r"\b(?:about|of|for|in|on|at|to|from|with|named|called|like)\s+([^.?!,;:()\n]+)", re.I
)
_TRUE_WORDS = frozenset({"yes", "true", "enable", "enabled", "on", "是", "开启"})
_FALSE_WORDS = frozenset({"no", "false", "disable", "disabled", "off", "not", "否", "关闭"})
_FORMAT_DEFAULTS = {
    "date": "2024-01-01",
    "date-time": "2024-01-01T00:00:00Z",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com",
    "url": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
_MAX_DEPTH = 8


@dataclass
class _Context:
    text: str
    root: dict[str, Any]
    numbers: list[float]
    quotes: list[str]
    phrase: str
    next_number: int = 0
    next_quote: int = 0


def build_arguments(schema: dict[str, Any], text: str) -> Any:
    """A value satisfying ``schema`` built from ``text`` (for tool calls it is an object)."""
    quotes = _find_quotes(text)
    unquoted = text
    for quote in quotes:
        unquoted = unquoted.replace(quote, " ")
    numbers = [float(m.group()) for m in _NUMBER_RE.finditer(unquoted)]
    ctx = _Context(text, schema, numbers, quotes, _phrase(text))
    if not schema:
        return {}
    return _value(schema, None, ctx, 0)


def _find_quotes(text: str) -> list[str]:
    found: list[tuple[int, str]] = []
    for pattern in _QUOTE_RES:
        found.extend((m.start(), m.group(1).strip()) for m in pattern.finditer(text))
    found.sort()
    return [q for _, q in found if q]


def _phrase(text: str) -> str:
    """A short, non-empty phrase from ``text`` for string fields nothing else fills."""
    run = _CJK_RUN_RE.search(text)
    if run:
        return run.group()[:30]
    proper = _capitalized_run(text)
    if proper:
        return proper
    tails = _PREPOSITION_RE.findall(text)
    if tails:
        words = tails[-1].split()[:6]
        if words:
            return " ".join(words)
    content = [w for w in re.findall(r"[^\W_]+", text) if w.lower() not in _STOPWORDS]
    if content:
        return " ".join(content[:6])
    return _snippet(text, 40) or "emulator"


def _capitalized_run(text: str) -> str:
    """The longest run of capitalized words ("San Francisco, CA"), skipping stopwords."""
    best: list[str] = []
    current: list[str] = []
    for token in text.split():
        word = token.strip("()[]{}\"'.,;:!?")
        closes = token.rstrip(")]}\"'") != token or token[-1:] in ".;:!?"
        if (
            word[:1].isupper()
            and word.lower() not in _STOPWORDS
            and word.replace("-", "").isalpha()
        ):
            current.append(word + ("," if token.endswith(",") else ""))
            if not closes:
                continue
        if len(current) > len(best):
            best = current
        current = []
    if len(current) > len(best):
        best = current
    return " ".join(best).rstrip(",")


def _resolve(schema: dict[str, Any], ctx: _Context) -> dict[str, Any]:
    seen = 0
    while "$ref" in schema and seen < _MAX_DEPTH:
        ref = schema["$ref"]
        target: Any = ctx.root
        if not isinstance(ref, str) or not ref.startswith("#"):
            return {k: v for k, v in schema.items() if k != "$ref"}
        for part in ref.lstrip("#").split("/"):
            if part:
                part = part.replace("~1", "/").replace("~0", "~")
                target = target.get(part, {}) if isinstance(target, dict) else {}
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**(target if isinstance(target, dict) else {}), **rest}
        seen += 1
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            chosen = next(
                (
                    o
                    for o in options
                    if isinstance(o, dict) and _resolve(o, ctx).get("type") != "null"
                ),
                options[0],
            )
            rest = {k: v for k, v in schema.items() if k != key}
            schema = {**rest, **_resolve(chosen, ctx)}
    all_of = schema.get("allOf")
    if isinstance(all_of, list):
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in all_of:
            if isinstance(part, dict):
                resolved = _resolve(part, ctx)
                props = {**merged.get("properties", {}), **resolved.get("properties", {})}
                required = [*merged.get("required", []), *resolved.get("required", [])]
                merged = {**merged, **resolved}
                if props:
                    merged["properties"] = props
                if required:
                    merged["required"] = list(dict.fromkeys(required))
        schema = merged
    return schema


def _schema_type(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if isinstance(kind, str):
        return kind
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _value(schema: Any, name: str | None, ctx: _Context, depth: int) -> Any:
    if not isinstance(schema, dict):
        return _string({}, name, ctx)
    schema = _resolve(schema, ctx)
    if "const" in schema:
        return schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return _enum(enum, ctx)
    kind = _schema_type(schema)
    if kind == "object":
        return _object(schema, ctx, depth)
    if kind == "array":
        return _array(schema, name, ctx, depth)
    if kind in ("integer", "number"):
        return _number(schema, name, ctx, integer=kind == "integer")
    if kind == "boolean":
        return _boolean(name, ctx)
    if kind == "null":
        return None
    return _string(schema, name, ctx)


def _object(schema: dict[str, Any], ctx: _Context, depth: int) -> dict[str, Any]:
    props = schema.get("properties")
    if not isinstance(props, dict) or depth >= _MAX_DEPTH:
        return {}
    required = schema.get("required")
    wanted = set(props) if not isinstance(required, list) else set(required)
    result: dict[str, Any] = {}
    for prop, sub in props.items():
        if prop in wanted or _evidence(prop, ctx.text) is not None:
            result[prop] = _value(sub, prop, ctx, depth + 1)
    return result


def _array(schema: dict[str, Any], name: str | None, ctx: _Context, depth: int) -> list[Any]:
    max_items = schema.get("maxItems")
    if isinstance(max_items, int) and max_items <= 0:
        return []
    min_items = schema.get("minItems")
    count = max(1, min_items if isinstance(min_items, int) else 1)
    items = schema.get("prefixItems", schema.get("items"))
    if isinstance(items, list):
        return [_value(item, name, ctx, depth + 1) for item in items]
    return [
        _value(items if isinstance(items, dict) else {}, name, ctx, depth + 1) for _ in range(count)
    ]


def _enum(options: list[Any], ctx: _Context) -> Any:
    lowered = ctx.text.lower()
    for option in options:
        if isinstance(option, str) and option:
            pattern, haystack = rf"(?<!\w){re.escape(option.lower())}(?!\w)", lowered
        elif isinstance(option, (int, float)) and not isinstance(option, bool):
            pattern, haystack = rf"(?<![\w.]){re.escape(str(option))}(?!\w)", ctx.text
        else:
            continue
        if re.search(pattern, haystack):
            return option
    return options[0]


def _name_variants(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ")
    return list(dict.fromkeys([name, spaced.strip()]))


def _evidence(name: str, text: str) -> str | None:
    """What follows ``name:``, ``name =`` or ``name is`` in the text."""
    for variant in _name_variants(name):
        pattern = rf"(?<![\w]){re.escape(variant)}\s*(?::|=|\s+is\s)\s*"
        match = re.search(pattern, text, re.I)
        if not match:
            continue
        rest = text[match.end() :]
        quoted = _find_quotes(rest)
        if quoted and rest.lstrip()[:1] in "\"'“「『":
            return quoted[0]
        value = re.split(r"[,.;!?\n]", rest, maxsplit=1)[0].strip()
        words = value.split()[:8]
        if words:
            return " ".join(words)
    return None


def _string(schema: dict[str, Any], name: str | None, ctx: _Context) -> str:
    value = _evidence(name, ctx.text) if name else None
    if value is None and ctx.next_quote < len(ctx.quotes):
        value = ctx.quotes[ctx.next_quote]
        ctx.next_quote += 1
    if value is None:
        fmt = schema.get("format")
        value = _FORMAT_DEFAULTS.get(fmt, ctx.phrase) if isinstance(fmt, str) else ctx.phrase
    min_len = schema.get("minLength")
    max_len = schema.get("maxLength")
    if isinstance(min_len, int) and len(value) < min_len:
        value = value + "x" * (min_len - len(value))
    if isinstance(max_len, int) and max_len >= 0 and len(value) > max_len:
        value = value[:max_len]
    return value


def _boolean(name: str | None, ctx: _Context) -> bool:
    evidence = _evidence(name, ctx.text) if name else None
    source = evidence if evidence is not None else ctx.text
    for word in re.findall(r"[^\W_]+", source.lower()):
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return False


def _bound(schema: dict[str, Any], key: str, exclusive_key: str) -> tuple[float | None, bool]:
    value = schema.get(key)
    exclusive = schema.get(exclusive_key)
    if isinstance(exclusive, (int, float)) and not isinstance(exclusive, bool):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return float(exclusive), True
        # Both given: the tighter one wins.
        tighter = exclusive >= value if key == "minimum" else exclusive <= value
        return (float(exclusive), True) if tighter else (float(value), False)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), exclusive is True  # draft-4 boolean exclusiveMinimum/Maximum
    return None, False


def _number(
    schema: dict[str, Any], name: str | None, ctx: _Context, *, integer: bool
) -> float | int:
    lo, lo_x = _bound(schema, "minimum", "exclusiveMinimum")
    hi, hi_x = _bound(schema, "maximum", "exclusiveMaximum")
    if integer:
        if lo is not None:
            lo = math.floor(lo) + 1 if lo_x else math.ceil(lo)
            lo_x = False
        if hi is not None:
            hi = math.ceil(hi) - 1 if hi_x else math.floor(hi)
            hi_x = False
    value: float | None = None
    evidence = _evidence(name, ctx.text) if name else None
    if evidence is not None:
        found = _NUMBER_RE.search(evidence)
        if found:
            value = float(found.group())
    if value is None and ctx.next_number < len(ctx.numbers):
        value = ctx.numbers[ctx.next_number]
        ctx.next_number += 1
    if value is None:
        value = 0.0
    if integer:
        value = float(round(value))
    step = 1.0
    if lo is not None and hi is not None:
        step = min(1.0, (hi - lo) / 2) or 0.0
    if lo is not None and (value < lo or (lo_x and value <= lo)):
        value = lo + step if lo_x else lo
    if hi is not None and (value > hi or (hi_x and value >= hi)):
        value = hi - step if hi_x else hi
    multiple = schema.get("multipleOf")
    if isinstance(multiple, (int, float)) and not isinstance(multiple, bool) and multiple > 0:
        snapped = round(value / multiple) * multiple
        if lo is not None and snapped < lo:
            snapped += multiple
        if hi is not None and snapped > hi:
            snapped -= multiple
        value = float(snapped)
    if integer:
        return int(value)
    return int(value) if value.is_integer() and not isinstance(multiple, float) else value
