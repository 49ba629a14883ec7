"""The field-spec language of request bodies and the checks every action runs first.

Checks run in the service's order: unknown fields (``UnknownParameter``), then missing
fields (``MissingParameter``) and wrong JSON types (``InvalidParameter``); the actions then
check values (``InvalidParameterValue*``, built with ``invalid``). Thread-dependent checks
(``ResourceNotFound``, the active-run lock, message order across stored and new messages)
run later, against the thread.

Specs are built from ``STRING``, ``INTEGER``, ``FLOAT``, ``BOOLEAN``, ``ANY``, ``array(item)``,
``obj(Field=spec, ...)``, ``required(spec)`` and ``nullable(spec)`` (JSON ``null`` stands for an
absent field, as OpenAI's API takes it). Every error names its field in ``RuleError.param``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .errors import RuleError

__all__ = [
    "ANY",
    "BOOLEAN",
    "FLOAT",
    "INTEGER",
    "STRING",
    "Spec",
    "array",
    "check",
    "invalid",
    "missing",
    "non_negative",
    "nullable",
    "number_in",
    "obj",
    "parse_json_body",
    "required",
]

Kind = Literal["str", "bool", "int", "float", "list", "obj", "any"]

_KIND_NAMES = {
    "str": "String",
    "bool": "Boolean",
    "int": "Integer",
    "float": "Float",
    "list": "Array",
    "obj": "Object",
}


@dataclass(frozen=True)
class Spec:
    kind: Kind
    required: bool = False
    nullable: bool = False
    item: Spec | None = None
    fields: Mapping[str, Spec] = field(default_factory=dict)


STRING = Spec("str")
INTEGER = Spec("int")
FLOAT = Spec("float")
BOOLEAN = Spec("bool")
ANY = Spec("any")


def obj(**fields: Spec) -> Spec:
    return Spec("obj", fields=fields)


def array(item: Spec) -> Spec:
    return Spec("list", item=item)


def required(spec: Spec) -> Spec:
    return replace(spec, required=True)


def nullable(spec: Spec) -> Spec:
    return replace(spec, nullable=True)


def check(value: Any, spec: Spec, path: str = "") -> None:
    """Unknown fields first, anywhere in ``value`` (found at ``path``); then missing fields and
    wrong types."""
    _check_unknown(value, spec, path)
    _check_types(value, spec, path)


def _join(path: str, key: str | int) -> str:
    return f"{path}.{key}" if path else str(key)


def _check_unknown(value: Any, spec: Spec, path: str) -> None:
    if spec.kind == "obj" and isinstance(value, dict):
        for key, sub in value.items():
            if key not in spec.fields:
                name = _join(path, key)
                raise RuleError(
                    "UnknownParameter", f"The parameter `{name}` is not recognized.", param=name
                )
            _check_unknown(sub, spec.fields[key], _join(path, key))
    elif spec.kind == "list" and isinstance(value, list) and spec.item is not None:
        for index, item in enumerate(value):
            _check_unknown(item, spec.item, _join(path, index))


def _type_ok(value: Any, kind: Kind) -> bool:
    if kind == "any":
        return True
    if kind == "str":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    return isinstance(value, dict)


def _check_types(value: Any, spec: Spec, path: str) -> None:
    if value is None and spec.nullable:
        return
    if not _type_ok(value, spec.kind):
        raise RuleError(
            "InvalidParameter",
            f"The type of parameter `{path}` must be {_KIND_NAMES.get(spec.kind, spec.kind)}.",
            param=path,
        )
    if spec.kind == "obj":
        for key, sub in spec.fields.items():
            if key not in value:
                if sub.required:
                    raise missing(_join(path, key))
                continue
            _check_types(value[key], sub, _join(path, key))
    elif spec.kind == "list" and spec.item is not None:
        for index, item in enumerate(value):
            _check_types(item, spec.item, _join(path, index))


def missing(path: str, when: str = "") -> RuleError:
    if when:
        return RuleError(
            "MissingParameter", f"The parameter `{path}` is required when {when}.", param=path
        )
    return RuleError("MissingParameter", f"The parameter `{path}` is missing.", param=path)


def invalid(path: str, why: str, code: str = "InvalidParameterValue") -> RuleError:
    return RuleError(code, f"The value of parameter `{path}` is invalid: {why}", param=path)


def number_in(body: dict[str, Any], key: str, lo: float, hi: float) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number) or not lo <= number <= hi:
        raise invalid(key, f"{value!r} is outside [{lo}, {hi}].")
    return number


def non_negative(body: dict[str, Any], key: str) -> int:
    value = body.get(key, 0)
    assert isinstance(value, int)
    if value < 0:
        raise invalid(key, f"{value} is negative; use 0 for no limit.")
    return value


def parse_json_body(raw: bytes) -> dict[str, Any]:
    """The request body as a JSON object; NaN/Infinity and non-objects are refused."""

    def refuse(token: str) -> Any:
        raise ValueError(f"{token} is not JSON")

    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=refuse)
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: absurd nesting
        raise RuleError("InvalidParameter", "The request body is not valid UTF-8 JSON.") from None
    if not isinstance(value, dict):
        raise RuleError("InvalidParameter", "The request body must be a JSON object.")
    return value
