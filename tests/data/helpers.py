"""Assertions shared by the data tests: a problem with exactly these parts was reported."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from toolkit.errors import Problem, ValidationError


def find_problem(
    problems: list[Problem], *, table: str, column: str | None = ..., rows=..., value: str = "", expected: str = ""
) -> Problem:
    """The one problem matching every given part (value/expected are substrings)."""

    def matches(p: Problem) -> bool:
        return (
            p.table == table
            and (column is ... or p.column == column)
            and (rows is ... or p.rows == tuple(rows))
            and value in str(p.value)
            and expected in p.expected
        )

    hits = [p for p in problems if matches(p)]
    assert hits, "no problem matched; got:\n" + "\n".join(str(p) for p in problems)
    return hits[0]


def raises_problems(call: Callable[[], object]) -> list[Problem]:
    with pytest.raises(ValidationError) as info:
        call()
    err = info.value
    rendered = err.render()
    for p in err.problems[:20]:
        assert str(p) in rendered  # every listed problem reaches the message the user reads
    return err.problems
