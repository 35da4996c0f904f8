"""A small, safe expression language for cross-field rules.

Syntax is a subset of Python expressions, parsed with :mod:`ast` (never evaluated) and
compiled node by node into a sqlglot tree, so no user text ever reaches SQL as text::

    end_date >= start_date
    amount <= credit_limit * 1.1 and status in ("open", "closed")
    length(name) > 1 or remark is not None
    days_between(signed_on, delivered_on) <= 30
    col("注册 资本") >= 0          # col("…") for names that are not identifiers

Allowed: column names, numbers, strings, ``True``/``False``/``None``; ``and or not``;
``+ - * / %`` (division by zero gives null); comparisons (chains too), ``in``/``not in``
a literal tuple or list, ``is None``/``is not None``; and the functions in
:data:`FUNCTIONS`. Everything else (attributes, subscripts, other calls, lambdas,
comprehensions, f-strings, keyword arguments) is refused with
:class:`~datadeed.quality.errors.InvalidExpression`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from sqlglot import exp

from datadeed.quality.errors import InvalidExpression

__all__ = ["FUNCTIONS", "ParsedExpression", "compile_expression", "parse_expression"]

MAX_LENGTH = 2000
MAX_NODES = 400

ColumnResolver = Callable[[str], exp.Expr]
_Builder = Callable[[list[exp.Expr]], exp.Expr]


def _text(e: exp.Expr) -> exp.Expr:
    return exp.Cast(this=e, to=exp.DataType.build("text"))


def _try_cast(e: exp.Expr, to: str) -> exp.Expr:
    return exp.TryCast(this=e, to=exp.DataType.build(to), safe=True)


def _full_match(e: exp.Expr, pattern: exp.Expr) -> exp.Expr:
    if not isinstance(pattern, exp.Literal) or not pattern.is_string:
        raise ValueError("the pattern of matches() must be a string literal")
    return exp.RegexpLike(this=_text(e), expression=exp.Literal.string(f"^(?:{pattern.this})$"))


def _round(e: exp.Expr, digits: exp.Expr) -> exp.Expr:
    if not isinstance(digits, exp.Literal) or not digits.is_int:
        raise ValueError("the digits of round() must be an integer literal")
    return exp.Round(this=e, decimals=digits)


FUNCTIONS: dict[str, tuple[int, int, _Builder]] = {
    # name: (min args, max args, builder)
    "length": (1, 1, lambda a: exp.Length(this=_text(a[0]))),
    "lower": (1, 1, lambda a: exp.Lower(this=_text(a[0]))),
    "upper": (1, 1, lambda a: exp.Upper(this=_text(a[0]))),
    "trim": (1, 1, lambda a: exp.Trim(this=_text(a[0]))),
    "abs": (1, 1, lambda a: exp.Abs(this=a[0])),
    "round": (2, 2, lambda a: _round(a[0], a[1])),
    "coalesce": (2, 8, lambda a: exp.Coalesce(this=a[0], expressions=a[1:])),
    "date": (1, 1, lambda a: _try_cast(a[0], "date")),
    "timestamp": (1, 1, lambda a: _try_cast(a[0], "timestamp")),
    "year": (1, 1, lambda a: exp.Year(this=_try_cast(a[0], "date"))),
    "month": (1, 1, lambda a: exp.Month(this=_try_cast(a[0], "date"))),
    "day": (1, 1, lambda a: exp.Day(this=_try_cast(a[0], "date"))),
    "days_between": (
        2,
        2,
        lambda a: exp.DateDiff(
            this=_try_cast(a[1], "date"), expression=_try_cast(a[0], "date"), unit=exp.var("DAY")
        ),
    ),
    "matches": (2, 2, lambda a: _full_match(a[0], a[1])),
}

_COMPARE: dict[type[ast.cmpop], type[exp.Binary]] = {
    ast.Eq: exp.EQ,
    ast.NotEq: exp.NEQ,
    ast.Lt: exp.LT,
    ast.LtE: exp.LTE,
    ast.Gt: exp.GT,
    ast.GtE: exp.GTE,
}
_ARITHMETIC: dict[type[ast.operator], type[exp.Expr]] = {
    ast.Add: exp.Add,
    ast.Sub: exp.Sub,
    ast.Mult: exp.Mul,
    ast.Div: exp.SafeDivide,
    ast.Mod: exp.Mod,
}


@dataclass(frozen=True)
class ParsedExpression:
    """A syntax-checked expression and the columns it reads, in order of appearance."""

    source: str
    tree: ast.expr
    columns: list[str]


def parse_expression(source: str) -> ParsedExpression:
    """Parse and check ``source``; raises InvalidExpression for anything not allowed."""
    return _parse(source)


@lru_cache(maxsize=256)
def _parse(source: str) -> ParsedExpression:
    if len(source) > MAX_LENGTH:
        raise InvalidExpression(source, f"longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except SyntaxError as e:
        raise InvalidExpression(source, f"syntax error: {e.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise InvalidExpression(source, "too deeply nested") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise InvalidExpression(source, f"more than {MAX_NODES} syntax nodes")
    columns = _columns(tree)
    # Compile once against a permissive resolver so every refusal surfaces at load time.
    _Compiler(source, lambda name: exp.column(name, quoted=True)).visit(tree)
    return ParsedExpression(source, tree, columns)


def _columns(tree: ast.expr) -> list[str]:
    """Column names in order of first appearance in the source."""
    callees = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    found = []
    for node in ast.walk(tree):
        name = _name_of(node)
        if name is not None and id(node) not in callees:
            assert isinstance(node, ast.expr)
            found.append(((node.lineno, node.col_offset), name))
    return list(dict.fromkeys(name for _, name in sorted(found)))


def _name_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if _is_col_call(node):
        assert isinstance(node, ast.Call) and isinstance(node.args[0], ast.Constant)
        return str(node.args[0].value)
    return None


def _is_col_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "col"
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def compile_expression(parsed: ParsedExpression, resolve: ColumnResolver) -> exp.Expr:
    """The sqlglot condition for ``parsed``; ``resolve`` maps a column name to its SQL node."""
    return _Compiler(parsed.source, resolve).visit(parsed.tree)


class _Compiler:
    def __init__(self, source: str, resolve: ColumnResolver) -> None:
        self.source = source
        self.resolve = resolve

    def refuse(self, reason: str) -> InvalidExpression:
        return InvalidExpression(self.source, reason)

    def visit(self, node: ast.expr) -> exp.Expr:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise self.refuse(f"{type(node).__name__} is not allowed")
        result: exp.Expr = method(node)
        return result

    def visit_Name(self, node: ast.Name) -> exp.Expr:
        return self.resolve(node.id)

    def visit_Constant(self, node: ast.Constant) -> exp.Expr:
        value = node.value
        if value is None:
            return exp.Null()
        if isinstance(value, bool):
            return exp.Boolean(this=value)
        if isinstance(value, int | float):
            if (isinstance(value, float) and value != value) or value in (
                float("inf"),
                -float("inf"),
            ):
                raise self.refuse("only finite numbers are allowed")
            return exp.Literal.number(repr(value))
        if isinstance(value, str):
            return exp.Literal.string(value)
        raise self.refuse(f"constants of type {type(value).__name__} are not allowed")

    def visit_BoolOp(self, node: ast.BoolOp) -> exp.Expr:
        parts = [self.visit(v) for v in node.values]
        joined = exp.and_(*parts) if isinstance(node.op, ast.And) else exp.or_(*parts)
        return exp.Paren(this=joined)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> exp.Expr:
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return exp.Paren(this=exp.Not(this=operand))
        if isinstance(node.op, ast.USub):
            return exp.Paren(this=exp.Neg(this=operand))
        if isinstance(node.op, ast.UAdd):
            return operand
        raise self.refuse(f"operator {type(node.op).__name__} is not allowed")

    def visit_BinOp(self, node: ast.BinOp) -> exp.Expr:
        op = _ARITHMETIC.get(type(node.op))
        if op is None:
            raise self.refuse(f"operator {type(node.op).__name__} is not allowed")
        return exp.Paren(this=op(this=self.visit(node.left), expression=self.visit(node.right)))

    def visit_Compare(self, node: ast.Compare) -> exp.Expr:
        parts, left = [], node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            parts.append(self._compare(left, op, right))
            left = right
        return exp.Paren(this=exp.and_(*parts)) if len(parts) > 1 else parts[0]

    def _compare(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> exp.Expr:
        if isinstance(op, ast.Is | ast.IsNot):
            if not (isinstance(right, ast.Constant) and right.value is None):
                raise self.refuse("'is' only compares with None")
            test: exp.Expr = exp.Is(this=self.visit(left), expression=exp.Null())
            return exp.Paren(this=exp.Not(this=test) if isinstance(op, ast.IsNot) else test)
        if isinstance(op, ast.In | ast.NotIn):
            return self._membership(left, op, right)
        if isinstance(right, ast.Constant) and right.value is None:
            raise self.refuse("compare with None using 'is None' or 'is not None'")
        cls = _COMPARE[type(op)]
        return exp.Paren(this=cls(this=self.visit(left), expression=self.visit(right)))

    def _membership(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> exp.Expr:
        if not isinstance(right, ast.Tuple | ast.List) or not right.elts:
            raise self.refuse("'in' needs a non-empty literal tuple or list")
        if not all(isinstance(e, ast.Constant) and e.value is not None for e in right.elts):
            raise self.refuse("'in' lists hold literal values only")
        test = exp.In(this=self.visit(left), expressions=[self.visit(e) for e in right.elts])
        return exp.Paren(this=exp.Not(this=test) if isinstance(op, ast.NotIn) else test)

    def visit_Call(self, node: ast.Call) -> exp.Expr:
        if not isinstance(node.func, ast.Name):
            raise self.refuse("only plain function names may be called")
        name = node.func.id
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.refuse(f"{name}() takes positional arguments only")
        if name == "col":
            if not _is_col_call(node):
                raise self.refuse("col() takes one string literal, the column name")
            arg = node.args[0]
            assert isinstance(arg, ast.Constant)
            return self.resolve(str(arg.value))
        if name not in FUNCTIONS:
            raise self.refuse(f"function {name}() is not allowed")
        low, high, build = FUNCTIONS[name]
        if not low <= len(node.args) <= high:
            raise self.refuse(f"{name}() takes {low}..{high} arguments")
        try:
            return build([self.visit(a) for a in node.args])
        except ValueError as e:
            raise self.refuse(str(e)) from None
