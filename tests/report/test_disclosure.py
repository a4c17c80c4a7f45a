"""Small-cell suppression: no suppressed count can be recovered from the published totals.

Two independent attacks are run against every suppressed table:
* peeling — repeatedly solve any row/column (or the 1-D line) that has exactly one unknown left,
  by subtracting the published cells from its published total;
* linear algebra — a cell is recoverable iff every solution of "row sums and column sums of the
  unknowns equal the published remainders" gives it the same value, i.e. the null space of the
  constraint matrix has a zero in its column (scipy.linalg.null_space, a different computation from
  the rank test the implementation uses).
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.linalg import null_space

from toolkit.report.disclosure import (
    assert_no_identifiers,
    find_identifiers,
    suppress_series,
    suppress_table,
    suppression_footnote,
)


def peel_2d(values: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Cells an attacker recovers by subtraction from row and column totals (boolean mask)."""
    unknown = hidden.copy()
    recovered = np.zeros_like(hidden)
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            for k in range(values.shape[1 - axis] if axis == 0 else values.shape[0]):
                line = unknown[:, k] if axis == 0 else unknown[k, :]
                if line.sum() == 1:
                    idx = (int(np.argmax(line)), k) if axis == 0 else (k, int(np.argmax(line)))
                    unknown[idx] = False
                    recovered[idx] = True
                    changed = True
    return recovered


def linear_recoverable(hidden: np.ndarray) -> np.ndarray:
    cells = np.argwhere(hidden)
    out = np.zeros_like(hidden)
    if len(cells) == 0:
        return out
    rows = sorted({r for r, _ in cells})
    cols = sorted({c for _, c in cells})
    a = np.zeros((len(rows) + len(cols), len(cells)))
    for j, (r, c) in enumerate(cells):
        a[rows.index(r), j] = 1
        a[len(rows) + cols.index(c), j] = 1
    ns = null_space(a)
    for j, (r, c) in enumerate(cells):
        if ns.size == 0 or np.allclose(ns[j], 0, atol=1e-9):
            out[r, c] = True
    return out


tables = arrays(np.int64, st.tuples(st.integers(2, 6), st.integers(2, 6)), elements=st.integers(0, 30))


@settings(max_examples=150, deadline=None)
@given(tables, st.integers(1, 10))
def test_2d_no_suppressed_cell_recoverable(values, threshold):
    df = pd.DataFrame(
        values, index=[f"r{i}" for i in range(values.shape[0])], columns=[f"c{j}" for j in range(values.shape[1])]
    )
    res = suppress_table(df, threshold)
    inner = res.status.iloc[:-1, :-1].to_numpy()
    hidden = inner != ""
    # every small positive cell is hidden
    assert (hidden | ~((values > 0) & (values < threshold))).all()
    # margins are correct and published
    assert (res.values.iloc[:-1, -1].to_numpy() == values.sum(axis=1)).all()
    assert res.values.iloc[-1, -1] == values.sum()
    assert (res.status.iloc[-1, :] == "").all() and (res.status.iloc[:, -1] == "").all()
    if hidden.all():
        return  # nothing published: nothing to subtract
    assert not peel_2d(values, hidden).any()
    assert not linear_recoverable(hidden).any()
    # the published strings never show a hidden count
    pub = res.published().iloc[:-1, :-1].to_numpy()
    assert all(pub[i, j] in (f"<{threshold}", "—") for i, j in np.argwhere(hidden))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=12), st.integers(1, 10))
def test_1d_no_suppressed_cell_recoverable(counts, threshold):
    s = pd.Series(counts, index=[f"k{i}" for i in range(len(counts))], name="deaths")
    res = suppress_series(s, threshold)
    status = res.status["deaths"]
    hidden = (status.iloc[:-1] != "").to_numpy()
    total_hidden = status.iloc[-1] != ""
    assert (hidden | ~((np.array(counts) > 0) & (np.array(counts) < threshold))).all()
    if not total_hidden:
        # subtraction from the total recovers a cell only when it is the one unknown
        assert hidden.sum() != 1
    assert res.values["deaths"].iloc[-1] == sum(counts)


def test_hand_worked_2d_example():
    # deaths by cause (columns) in three counties (rows); threshold 5
    #          cvd cancer other | total
    # A         40     3     20 |   63   3 < 5 → primary
    # B         30    25     12 |   67
    # C         50    18     16 |   84
    # Row A would give 3 = 63 − 40 − 20 and column cancer 3 = 46 − 25 − 18.
    # 1. row A first: its smallest positive free cell is other (20) → hidden.
    # 2. column cancer still has one hidden cell; candidates B 25, C 18, neither row holds a hidden
    #    cell yet, so the smallest, C 18, goes.
    # 3. column other has one hidden cell (A 20): candidates B 12, C 16; row C already holds exactly
    #    one hidden cell, so C 16 closes the cycle and is preferred over the smaller B 12.
    # Rows A, C and columns cancer, other now hold two hidden cells each: a closed 2×2 cycle.
    df = pd.DataFrame({"cvd": [40, 30, 50], "cancer": [3, 25, 18], "other": [20, 12, 16]}, index=["A", "B", "C"])
    res = suppress_table(df, 5)
    assert res.status.loc["A", "cancer"] == "primary"
    assert {(r, c) for r in "ABC" for c in df.columns if res.status.loc[r, c] == "complementary"} == {
        ("A", "other"),
        ("C", "cancer"),
        ("C", "other"),
    }
    pub = res.published()
    assert pub.loc["A", "cancer"] == "<5" and pub.loc["C", "other"] == "—" and pub.loc["B", "other"] == "12"
    assert pub.loc["total", "total"] == "214"


def test_primary_only_suppression_is_caught_by_the_attacks():
    """The attacks above are real: hiding only the small cell is recoverable."""
    values = np.array([[40, 3, 20], [30, 25, 12]])
    hidden = np.array([[False, True, False], [False, False, False]])
    assert peel_2d(values, hidden)[0, 1]
    assert linear_recoverable(hidden)[0, 1]
    # a bridge between two closed cycles is found by linear algebra even though every line
    # holds at least two hidden cells
    bridge = np.zeros((4, 4), dtype=bool)
    bridge[np.ix_([0, 1], [0, 1])] = True
    bridge[np.ix_([2, 3], [2, 3])] = True
    bridge[0, 2] = True
    assert not peel_2d(np.ones((4, 4)), bridge).any()
    assert linear_recoverable(bridge)[0, 2]


def test_1d_single_small_cell_takes_a_complement():
    s = pd.Series([2, 40, 9, 0], index=list("abcd"), name="n")
    res = suppress_series(s, 5)
    assert res.status["n"].tolist() == ["primary", "", "complementary", "", ""]  # 9 is the smallest positive
    assert res.published()["n"].tolist() == ["<5", "40", "—", "0", "51"]
    one = suppress_series(pd.Series([3], index=["a"], name="n"), 5)
    assert one.status["n"].tolist() == ["primary", "complementary"]  # the total would equal the cell


def test_bad_counts_rejected():
    with pytest.raises(ValueError, match="non-negative whole counts"):
        suppress_series(pd.Series([1.5, 3]), 5)


def test_footnote_bilingual():
    assert "<5" in suppression_footnote(5, "zh") and "隐去" in suppression_footnote(5, "zh")
    assert "suppressed" in suppression_footnote(10, "en") and "<10" in suppression_footnote(10, "en")


def test_identifier_scanner(tmp_path):
    from openpyxl import Workbook

    (tmp_path / "ok.html").write_text("<p>县 C01 住院率 12.3%</p>", encoding="utf-8")
    (tmp_path / "bad.csv").write_text("unit_id,person_id\nU1,P00012345\n", encoding="utf-8")
    wb = Workbook()
    wb.active.append(["unit", "who"])
    wb.active.append(["U1", "P00099999"])
    wb.save(tmp_path / "bad.xlsx")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.ipynb").write_text('{"cells": [{"source": "claim_id"}]}', encoding="utf-8")
    findings = find_identifiers([tmp_path], patterns=[r"P\d{8}"])
    text = "\n".join(findings)
    assert "ok.html" not in text
    assert "bad.csv: column name 'person_id'" in text
    assert "bad.xlsx: value matching identifier pattern #0" in text
    assert "x.ipynb: column name 'claim_id'" in text
    assert "P00012345" not in text  # never echo the identifier itself
    with pytest.raises(AssertionError, match="identifiers found"):
        assert_no_identifiers([tmp_path], patterns=[r"P\d{8}"])
    assert_no_identifiers([tmp_path / "ok.html"], patterns=[r"P\d{8}"])
    # a word that merely contains the name is not a hit
    (tmp_path / "fine.txt").write_text("my_person_idx", encoding="utf-8")
    assert find_identifiers([tmp_path / "fine.txt"]) == []
