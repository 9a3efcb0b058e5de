"""A small, safe expression language for catalog conditions (``when``, ``required``).

Syntax is a subset of Python expressions: literals (numbers, 'strings', true/false/null, lists),
names (dotted names such as ``enterprise.capital`` are one name), comparisons (``== != < <= > >=
in``, ``not in``), ``and``, ``or``, ``not``, parentheses, ``+ - * /`` on numbers and the function
``len(x)``. Parsed once with :mod:`ast`; any other node is rejected at load time, so nothing is
ever ``eval``-ed. An unknown name evaluates to ``None`` (an unanswered question).
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: b is not None and a in b,
    ast.NotIn: lambda a, b: b is None or a not in b,
}
_ARITH: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_CONSTANTS = {"true": True, "false": False, "null": None, "True": True, "False": False, "None": None}


class ExpressionError(ValueError):
    """The expression is not valid in the catalog language."""


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


@dataclass(frozen=True)
class Expression:
    source: str
    tree: ast.expr
    names: frozenset[str]

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        return _eval(self.tree, values)

    def holds(self, values: Mapping[str, Any]) -> bool:
        try:
            return bool(self.evaluate(values))
        except (TypeError, ZeroDivisionError):
            return False  # e.g. comparing an unanswered (None) number


def parse(source: str | bool) -> Expression:
    """Parse and check an expression; raises :class:`ExpressionError` with the reason."""
    if isinstance(source, bool):
        source = "true" if source else "false"
    try:
        tree = ast.parse(str(source).strip(), mode="eval").body
    except SyntaxError as error:
        raise ExpressionError(f"syntax error in expression {source!r}: {error.msg}") from None
    names: set[str] = set()
    _check(tree, names)
    return Expression(str(source), tree, frozenset(names))


def _check(node: ast.expr, names: set[str]) -> None:
    dotted = _dotted(node)
    if dotted is not None:
        if dotted not in _CONSTANTS:
            names.add(dotted)
        return
    match node:
        case ast.Constant(value=value) if isinstance(value, int | float | str) or value is None:
            return
        case ast.List(elts=elts) | ast.Tuple(elts=elts):
            for elt in elts:
                _check(elt, names)
        case ast.BoolOp(values=values):
            for value in values:
                _check(value, names)
        case ast.UnaryOp(op=ast.Not() | ast.USub(), operand=operand):
            _check(operand, names)
        case ast.BinOp(op=op, left=left, right=right) if type(op) in _ARITH:
            _check(left, names)
            _check(right, names)
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            if any(type(op) not in _COMPARE for op in ops):
                raise ExpressionError("only == != < <= > >= in and not in may compare")
            _check(left, names)
            for comparator in comparators:
                _check(comparator, names)
        case ast.Call(func=ast.Name(id="len"), args=[arg], keywords=[]):
            _check(arg, names)
        case _:
            raise ExpressionError(f"not allowed in a catalog expression: {ast.unparse(node)!r}")


def _eval(node: ast.expr, values: Mapping[str, Any]) -> Any:
    dotted = _dotted(node)
    if dotted is not None:
        return _CONSTANTS[dotted] if dotted in _CONSTANTS else values.get(dotted)
    match node:
        case ast.Constant(value=value):
            return value
        case ast.List(elts=elts) | ast.Tuple(elts=elts):
            return [_eval(elt, values) for elt in elts]
        case ast.BoolOp(op=ast.And(), values=items):
            return all(_eval(item, values) for item in items)
        case ast.BoolOp(op=ast.Or(), values=items):
            return any(_eval(item, values) for item in items)
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            return not _eval(operand, values)
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            return -_eval(operand, values)
        case ast.BinOp(op=op, left=left, right=right):
            return _ARITH[type(op)](_eval(left, values), _eval(right, values))
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            current = _eval(left, values)
            for op, comparator in zip(ops, comparators, strict=True):
                right = _eval(comparator, values)
                if not _COMPARE[type(op)](current, right):
                    return False
                current = right
            return True
        case ast.Call(args=[arg]):
            value = _eval(arg, values)
            return 0 if value is None else len(value)
    raise ExpressionError(f"cannot evaluate {ast.unparse(node)!r}")  # unreachable after _check
