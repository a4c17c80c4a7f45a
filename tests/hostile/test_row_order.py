"""Sums are exact regardless of row order: shuffling every input table's rows leaves every output byte-identical."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.base import YEAR, base_tables, snapshot, write_tables
from toolkit import cli

REFERENCE: dict[str, dict[str, str]] = {}


def _outputs(folder, tables, capsys) -> dict[str, str]:
    ds = write_tables(folder / "ds", tables)
    assert cli.main(["settle", str(ds), "--year", str(YEAR), "--out", str(folder / "settle")]) == 0
    assert cli.main(["indicators", str(ds), "--out", str(folder / "ind" / "indicators")]) == 0
    capsys.readouterr()
    return {**snapshot(folder / "settle"), **{f"ind/{k}": v for k, v in snapshot(folder / "ind").items()}}


def _awkward(tables):
    """Amounts whose float sum depends on the order of addition (0.1 + 0.2 + 0.3 ≠ 0.3 + 0.2 + 0.1)."""
    t = {k: v.copy() for k, v in tables.items()}
    uy = t["unit_year"]
    # Σ over a county-year's units: 1234.1 + 0.2 + 5678.3 + 10000/3 is ...332 or ...334 by order
    uy["ph_lump_sum"] = uy["unit_id"].map({"U1": 1234.1, "U2": 0.2, "U3": 5678.3, "U4": 10000 / 3})
    uy["fund_general"] = [500000.1 + 0.7 * i + 1e-3 * (i % 3) for i in range(len(uy))]
    uy["total_medical_spending"] = [1e6 / 3 + 0.1 * i for i in range(len(uy))]
    cy = t["county_year"]
    cy["fund_spending"] = [5.0e8 + 0.3 * i for i in range(len(cy))]
    return t


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_shuffled_rows_give_byte_identical_outputs(tmp_path_factory, capsys, seed):
    tables = _awkward(base_tables())
    if "ref" not in REFERENCE:  # the unshuffled outputs, once
        REFERENCE["ref"] = _outputs(tmp_path_factory.mktemp("ref"), tables, capsys)
    reference = REFERENCE["ref"]
    rng = np.random.default_rng(seed)
    shuffled = {n: f.iloc[rng.permutation(len(f))].reset_index(drop=True) for n, f in tables.items()}
    assert _outputs(tmp_path_factory.mktemp("shuf"), shuffled, capsys) == reference
