"""Tool-call arguments: a value satisfying a JSON Schema, filled from the user's words."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from .tokens import CJK_RUN_RE, STOPWORDS, snippet

__all__ = ["build_arguments"]

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
    run = CJK_RUN_RE.search(text)
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
    content = [w for w in re.findall(r"[^\W_]+", text) if w.lower() not in STOPWORDS]
    if content:
        return " ".join(content[:6])
    return snippet(text, 40) or "emulator"


def _capitalized_run(text: str) -> str:
    """The longest run of capitalized words ("San Francisco, CA"), skipping stopwords."""
    best: list[str] = []
    current: list[str] = []
    for token in text.split():
        word = token.strip("()[]{}\"'.,;:!?")
        closes = token.rstrip(")]}\"'") != token or token[-1:] in ".;:!?"
        if word[:1].isupper() and word.lower() not in STOPWORDS and word.replace("-", "").isalpha():
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
