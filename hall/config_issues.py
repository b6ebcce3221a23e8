"""Problems in a configuration file, said so that an administrator can fix the file.

Each problem is a ``ConfigIssue``: the file, the TOML key path (``windows[3].queues[1]``, indexes
counted from 0), what was expected and what was found. Pydantic's errors are turned into these
here; secrets (password hashes, tokens) are never echoed back.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ValidationError

# ---------------------------------------------------------------------------------------------
# Errors


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a configuration file."""

    file: str
    key_path: str  # TOML-style: "windows[3].queues[1]", "policy.aging_minutes"; "" for the file
    expected: str
    found: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.key_path}" if self.key_path else self.file
        return f"{where}: expected {self.expected}, found {self.found}"


class ConfigError(Exception):
    """The configuration cannot be used. ``errors`` lists every problem found."""

    def __init__(self, errors: list[ConfigIssue]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(issue) for issue in self.errors))


class CrossReferenceError(ValueError):
    """Raised inside validation when sections disagree; carries issues with their own key paths."""

    def __init__(self, issues: list[tuple[tuple[str | int, ...], str, str]]) -> None:
        self.issues = issues
        lines = [f"{_key_path(loc)}: expected {exp}, found {found}" for loc, exp, found in issues]
        super().__init__("\n".join(lines))


def one_of(values: Iterable[str]) -> str:
    return ", ".join(values) or "none defined"


# ---------------------------------------------------------------------------------------------
# Turning pydantic errors into ConfigIssues

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key_path(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = part if _BARE_KEY.fullmatch(part) else '"' + part.replace('"', '\\"') + '"'
            out += f".{key}" if out else key
    return out


def _unwrap(annotation: Any) -> Any:
    """list[X] -> X, X | None -> X, Annotated[X, ...] -> X (repeatedly)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated or origin in (list, tuple):
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _field_annotation(root: type[BaseModel], loc: tuple[str | int, ...]) -> Any:
    """The annotation of the field at ``loc`` in the root model, or None if the path leaves it."""
    model: Any = root
    annotation: Any = None
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(part)
        if field is None:
            return None
        annotation = field.annotation
        model = _unwrap(annotation)
    return annotation if loc else root


def _is_model(annotation: Any) -> bool:
    inner = _unwrap(annotation)
    return isinstance(inner, type) and issubclass(inner, BaseModel)


def _expected(root: type[BaseModel], error: Any) -> str:
    kind: str = error["type"]
    loc: tuple[str | int, ...] = tuple(error["loc"])
    ctx: dict[str, Any] = error.get("ctx") or {}
    msg: str = error["msg"]

    if kind == "missing":
        return "a value (this key is required)"
    if kind == "extra_forbidden":
        parent = _unwrap(_field_annotation(root, loc[:-1]))
        if isinstance(parent, type) and issubclass(parent, BaseModel):
            return f"a known key (one of: {one_of(parent.model_fields)})"
        return "a known key"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind == "literal_error":
        return f"one of {ctx.get('expected', '')}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "a whole number"
    if kind in ("float_type", "float_parsing"):
        return "a number"
    if kind in ("bool_type", "bool_parsing"):
        return "true or false"
    if kind == "string_type":
        return "a text in quotes"
    if kind in ("date_type", "date_parsing", "date_from_datetime_inexact", "date_from_datetime_parsing"):
        return "a TOML date without quotes, like 2026-01-01"
    if kind in ("list_type", "tuple_type"):
        annotation = _field_annotation(root, loc)
        if loc and isinstance(loc[-1], str) and _is_model(annotation):
            return f"an array of tables ([[{_key_path(loc)}]] blocks)"
        return "an array [...]"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        if loc and isinstance(loc[-1], int):
            return f"a table (a [[{_key_path(loc[:-1])}]] block)"
        return f"a table ([{_key_path(loc)}])" if loc else "a table"
    if kind == "string_too_short":
        n = ctx.get("min_length", 1)
        return "a non-empty text" if n == 1 else f"a text of at least {n} characters"
    if kind == "string_too_long":
        return f"a text of at most {ctx.get('max_length')} characters"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"at least {n} entr{'y' if n == 1 else 'ies'}"
    if kind == "too_long":
        return f"at most {ctx.get('max_length')} entries"
    bounds = {
        "greater_than": ("gt", ">"),
        "greater_than_equal": ("ge", ">="),
        "less_than": ("lt", "<"),
        "less_than_equal": ("le", "<="),
    }
    if kind in bounds:
        key, sign = bounds[kind]
        whole = _unwrap(_field_annotation(root, loc)) is int
        bound = ctx.get(key)
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        return f"a {'whole ' if whole else ''}number {sign} {bound}"
    if msg.startswith("Input should be "):
        return msg.removeprefix("Input should be ")
    return msg[:1].lower() + msg[1:]


_SECRET_KEYS = frozenset({"password_hash", "token"})


def found_text(value: Any, loc: tuple[str | int, ...] = ()) -> str:
    if loc and loc[-1] in _SECRET_KEYS:
        # A password pasted where its hash belongs must not end up on screen or in a log.
        if isinstance(value, str):
            return f"a text of {len(value)} characters (not shown)"
        return f"a {type(value).__name__} value (not shown)"
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def issues_from_validation(root: type[BaseModel], file: str, exc: ValidationError) -> list[ConfigIssue]:
    """Every pydantic error of a validation, as ConfigIssues with TOML key paths."""
    issues: list[ConfigIssue] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, CrossReferenceError):
            for sub_loc, expected, found in cause.issues:
                issues.append(ConfigIssue(file, _key_path(loc + sub_loc), expected, found))
            continue
        found = "nothing" if error["type"] == "missing" else found_text(error.get("input"), loc)
        issues.append(ConfigIssue(file, _key_path(loc), _expected(root, error), found))
    return issues


