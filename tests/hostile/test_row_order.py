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


def _awkward_claims(seed: int, n: int):
    """Claims whose amounts have fractions of a fen and sums that a float adds differently by order."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    setting = rng.choice(["inpatient", "outpatient"], n)
    chronic = pd.array(np.where(rng.random(n) < 0.3, rng.integers(1, 42, n), 0), dtype="Int64")
    chronic[(chronic == 0) | (setting == "inpatient")] = pd.NA
    total = np.round(rng.choice([0.1, 0.2, 0.3, 1 / 3, 1e7 / 3, 12345.675], n) * rng.integers(1, 50, n), 3)
    return pd.DataFrame(
        {
            "claim_id": [f"K{i}" for i in range(n)],
            "person_id": [f"P{i % 53}" for i in range(n)],
            "unit_id": rng.choice(["U1", "U2", "U3", "U4"], n),
            "county_id": "C01",
            "year": rng.integers(2020, 2024, n),
            "month": rng.integers(1, 13, n),
            "setting": setting,
            "provider_level": rng.choice(["county", "township", "village", "outside"], n),
            "chronic_group": chronic,
            "total_cost": total,
            "fund_paid": np.round(total * rng.choice([0.1, 0.7, 0.9, 2 / 3], n), 3),
            "critical_illness_paid": 0.0,
        }
    )


def _aggregate_bytes(source, threads: int) -> dict[str, bytes]:
    from toolkit.data.claims import aggregate_claims

    return {
        name: frame.to_csv(index=False, lineterminator="\n").encode()
        for name, frame in aggregate_claims(source, threads=threads).items()
    }


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), parts=st.integers(1, 4), row_group=st.sampled_from([37, 256, 100_000]))
def test_shuffled_claims_parquet_gives_byte_identical_aggregates(tmp_path_factory, seed, parts, row_group):
    """DuckDB's parallel GROUP BY adds rows in whatever order its threads reach the row groups; the
    sums are integer fen, so the aggregates (in yuan, as written) do not depend on that order, on
    the order of the rows, on how the claims are split into files or on the number of threads."""
    claims = _awkward_claims(seed % 1000, 3000)
    folder = tmp_path_factory.mktemp("claims")
    claims.to_parquet(folder / "ref.parquet", index=False)
    reference = _aggregate_bytes(folder / "ref.parquet", threads=1)
    shuffled = claims.iloc[np.random.default_rng(seed).permutation(len(claims))].reset_index(drop=True)
    (folder / "split").mkdir()
    for i, chunk in enumerate(np.array_split(np.arange(len(shuffled)), parts)):
        shuffled.iloc[chunk].to_parquet(folder / "split" / f"part{i}.parquet", index=False, row_group_size=row_group)
    assert _aggregate_bytes(folder / "split", threads=2) == reference
    assert _aggregate_bytes(folder / "split", threads=4) == reference
