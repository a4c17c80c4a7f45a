"""The small expression language of the indicator registry (registry.yaml numerator/denominator).

An expression is evaluated on every row of one table: numbers, column names, ``+ - * /``,
parentheses, comparisons ``==``/``!=`` with a text, and ``column in ['a', 'b']``. A comparison is
1 where true and 0 where false, so ``Σ (quality_service_level == 'recommended')`` counts rows; a
yes/no column is 1/0. An empty cell stays empty (NaN): the evaluator never turns missing data
into a zero. Parsed with :mod:`ast` and walked here — nothing is passed to ``eval``.
"""

from __future__ import annotations

import ast
import operator
from functools import lru_cache

import numpy as np
import pandas as pd

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


@lru_cache(maxsize=256)
def _parse(text: str) -> ast.expr:
    tree = ast.parse(text, mode="eval").body
    for node in ast.walk(tree):
        allowed = (
            ast.BinOp,
            ast.UnaryOp,
            ast.USub,
            ast.Name,
            ast.Load,
            ast.Constant,
            ast.Compare,
            ast.Eq,
            ast.NotEq,
            ast.In,
            ast.NotIn,
            ast.List,
            ast.Tuple,
            *_BINARY,
        )
        if not isinstance(node, allowed):
            raise ValueError(f"registry expression {text!r}: {type(node).__name__} is not allowed")
    return tree


def names(text: str) -> tuple[str, ...]:
    """The column names an expression reads."""
    return tuple(dict.fromkeys(n.id for n in ast.walk(_parse(text)) if isinstance(n, ast.Name)))


def _numeric(s: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(s.dtype) or str(s.dtype) == "boolean":
        return s.astype("float64").to_numpy(dtype="float64", na_value=np.nan)
    return s.to_numpy(dtype="float64", na_value=np.nan)


def _text(s: pd.Series) -> np.ndarray:
    return s.astype(object).where(s.notna(), None).to_numpy(dtype=object)


def _literals(node: ast.expr) -> list:
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant)]
    if isinstance(node, ast.Constant):
        return [node.value]
    raise ValueError("a comparison compares a column with a text or a list of texts")


def _compare(node: ast.Compare, frame: pd.DataFrame) -> np.ndarray:
    if len(node.ops) != 1 or not isinstance(node.left, ast.Name):
        raise ValueError("a comparison is `column == 'text'` or `column in ['a', 'b']`")
    cells = _text(frame[node.left.id])
    values = _literals(node.comparators[0])
    hit = pd.Series(cells, dtype=object).isin(values).to_numpy(dtype=bool)
    if isinstance(node.ops[0], (ast.NotEq, ast.NotIn)):
        hit = ~hit
    out = hit.astype("float64")
    out[pd.isna(cells)] = np.nan  # an empty cell is unknown, not "no"
    return out


def _walk(node: ast.expr, frame: pd.DataFrame) -> np.ndarray | float:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ValueError(f"a number, got {node.value!r}")
        return float(node.value)
    if isinstance(node, ast.Name):
        return _numeric(frame[node.id])
    if isinstance(node, ast.UnaryOp):
        return -_walk(node.operand, frame)
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_walk(node.left, frame), _walk(node.right, frame))
    if isinstance(node, ast.Compare):
        return _compare(node, frame)
    raise ValueError(f"{type(node).__name__} is not allowed")


def evaluate(text: str, frame: pd.DataFrame) -> np.ndarray:
    """The expression's value on every row of ``frame`` (float64; NaN where a cell it reads is empty)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        value = _walk(_parse(text), frame)
    return np.broadcast_to(np.asarray(value, dtype="float64"), (len(frame),)).copy()
