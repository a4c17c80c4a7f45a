"""The public face of toolkit.did: what a health economist imports and sees."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd

import toolkit.did
from toolkit.paths import MPDTA_CSV


def test_package_exports_the_workflow():
    from toolkit.did import DidResult, estimate, honest_bounds, prepare_panel

    res = estimate(
        pd.read_csv(MPDTA_CSV), yname="lemp", idname="countyreal", tname="year", gname="first.treat", estimator="cs"
    )
    assert isinstance(res, DidResult) and callable(honest_bounds) and callable(prepare_panel)
    assert set(toolkit.did.__all__) >= {"estimate", "DidResult", "honest_bounds", "prepare_panel"}


def test_result_shows_compactly():
    res = toolkit.did.estimate(
        pd.read_csv(MPDTA_CSV), yname="lemp", idname="countyreal", tname="year", gname="first.treat", estimator="sa"
    )
    page = res._repr_html_()
    assert "Sun–Abraham" in page and "500 units" in page and "<table>" in page and len(page) < 3000
    assert "event_study" in page  # tables are named, not dumped
    text = repr(res)
    assert (
        text.startswith("DidResult(sa, lemp: estimate -0.0399513, SE 0.0117963")
        and "\n" not in text
        and len(text) < 200
    )


def test_no_private_names_imported_across_did_modules():
    # a module's _private helpers are its own: sharing one means making it public
    for path in Path(toolkit.did.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("toolkit.did"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.name} imports {private} from {node.module}"
