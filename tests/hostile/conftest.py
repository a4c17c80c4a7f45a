"""Fixtures of the hostile-input corpus: a fresh copy of the base dataset and a CLI runner."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile.base import base_tables, snapshot, write_tables
from toolkit import cli


@dataclass
class Outcome:
    code: int
    out: str
    err: str


@pytest.fixture
def tables():
    return base_tables()


@pytest.fixture
def dataset(tmp_path) -> Path:
    return write_tables(tmp_path / "ds", base_tables())


@pytest.fixture
def run(capsys):
    """Run the CLI in this process; the outcome's err never holds a traceback."""

    def call(*argv) -> Outcome:
        code = cli.main([str(a) for a in argv])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        return Outcome(code, captured.out, captured.err)

    return call


@pytest.fixture
def unchanged():
    """``with unchanged(folder, ...)``: the folders hold the same bytes afterwards."""
    import contextlib

    @contextlib.contextmanager
    def check(*folders: Path):
        before = [snapshot(f) for f in folders]
        yield
        assert [snapshot(f) for f in folders] == before

    return check
