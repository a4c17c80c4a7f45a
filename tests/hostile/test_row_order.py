"""Sums are exact regardless of row order: shuffling every input table's rows leaves every output byte-identical."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.hostile.base import YEAR, base_tables, snapshot, write_tables
from toolkit import cli
from toolkit.commands.settle import SETTLEMENT_TABLES
from toolkit.data.contract import TABLES
from toolkit.data.load import load_dataset
from toolkit.data.synth import generate_province
from toolkit.indicators.criteria import criteria_table, province_criteria
from toolkit.paths import PARAMS_DIR

REFORM = PARAMS_DIR / "reforms" / "savings_split_532.yaml"

REFERENCE: dict[str, dict[str, str]] = {}
PROVINCE: dict[str, dict[str, pd.DataFrame]] = {}
PROVINCE_YEARS = (2020, 2023)
RUN_RECORD = {"run_at", "dataset_path", "data_hash"}


def _settle_workbooks_masked(ds, settle_out, prefix: str = "") -> dict:
    """settlement.xlsx names the hash of the dataset's file bytes (a shuffled file is another file):
    its cells compared with the hash masked."""
    data_hash = load_dataset(ds, tables=[*SETTLEMENT_TABLES, "county_year"], cache=False).data_hash
    return {
        f"{prefix}{p.relative_to(settle_out).as_posix()}": _masked(p, {data_hash: "<data hash>"})
        for p in sorted(settle_out.rglob("settlement.xlsx"))
    }


def _outputs(folder, tables, capsys) -> dict[str, str]:
    ds = write_tables(folder / "ds", tables)
    assert cli.main(["settle", str(ds), "--year", str(YEAR), "--out", str(folder / "settle")]) == 0
    assert cli.main(["indicators", str(ds), "--out", str(folder / "ind" / "indicators")]) == 0
    capsys.readouterr()
    out = {**snapshot(folder / "settle"), **{f"ind/{k}": v for k, v in snapshot(folder / "ind").items()}}
    return {**out, **_settle_workbooks_masked(ds, folder / "settle")}


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


def _province_tables(folder) -> dict[str, pd.DataFrame]:
    """Every table of the contract, claims included, for one small county of the synthetic province.

    C01 is the Suixi-like county with hundreds of units; C02 has a handful. The CSV tables are kept as
    text, so writing them back changes nothing but the order of the rows.
    """
    generate_province(
        folder, n_counties=2, years=PROVINCE_YEARS, claims=True, claims_rows=20_000, units_per_county=(3, 4)
    )
    units = pd.read_csv(folder / "units.csv", dtype=str, keep_default_na=False)
    keep = set(units.loc[units["county_id"] == "C02", "unit_id"])
    tables = {"claims": pd.read_parquet(folder / "claims.parquet")}
    for name in TABLES:
        if name == "claims":
            continue
        frame = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        tables[name] = frame[frame["unit_id"].isin(keep) if "unit_id" in frame else frame["county_id"] == "C02"]
    tables["claims"] = tables["claims"][tables["claims"]["county_id"] == "C02"]
    assert set(tables) == set(TABLES) and all(len(f) > 1 for f in tables.values())
    return tables


def _masked(path: Path, masks: dict[str, str]):
    """An HTML page's text, or a workbook's cell values, with the run record's values masked."""

    def mask(text: str) -> str:
        for value, placeholder in masks.items():
            text = text.replace(value, placeholder)
        return text

    if path.suffix == ".html":
        return mask(path.read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(path)
    return [
        (ws.title, [[mask(v) if isinstance(v, str) else v for v in row] for row in ws.iter_rows(values_only=True)])
        for ws in book.worksheets
    ]


def _scenario_inputs(folder) -> tuple[Path, Path]:
    """The shipped 5:3:2 reform dated the province's last year, and parameters where C02 pays its
    inpatient care by points (groups G<g> 10 × g points, 4.5 points a bed day, 1,000,000 yuan)."""
    year = PROVINCE_YEARS[-1]
    reform = folder / "reform_532.yaml"
    reform.write_text(REFORM.read_text(encoding="utf-8").replace("    2024:", f"    {year}:"), encoding="utf-8")
    params = folder / "params"
    shutil.copytree(PARAMS_DIR, params)
    points = ", ".join(f"G{g:02d}: {10 * g}" for g in range(1, 31))
    ref = "reference: {document: test county plan, article: 住院按分值付费}"
    (params / "counties" / "C02.yaml").write_text(
        f"inpatient_budget:\n  values:\n    {year}:\n      value: 1000000\n      {ref}\n"
        f"points_per_group:\n  values:\n    {year}:\n      value: {{{points}}}\n      {ref}\n"
        f"points_per_bed_day:\n  values:\n    {year}:\n      value: 4.5\n      {ref}\n",
        encoding="utf-8",
    )
    return reform, params


def _all_outputs(folder, tables, capsys) -> dict:
    ds = folder / "ds"
    write_tables(ds, {n: f for n, f in tables.items() if n != "claims"})
    tables["claims"].to_parquet(ds / "claims.parquet", index=False, row_group_size=500)
    year = str(PROVINCE_YEARS[-1])
    reform, params = _scenario_inputs(folder)
    runs = {
        "settle": ["settle", str(ds), "--year", year],
        "ind": ["indicators", str(ds)],
        "ind_claims": ["indicators", str(ds), "--from-claims"],
        "assess": ["assess", str(ds), "--year", year],
        "scenario": ["scenario", str(ds), "--reform", str(reform), "--year", year],
        "points": ["settle-points", str(ds), "--year", year, "--county", "C02", "--params", str(params)],
    }
    out = {}
    for key, args in runs.items():
        target = folder / key
        with pytest.MonkeyPatch.context() as env:
            env.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the run time every output records, fixed
            assert cli.main([*args, "--out", str(target / "indicators" if key.startswith("ind") else target)]) == 0
        out.update({f"{key}/{k}": v for k, v in snapshot(target).items()})
        if key == "settle":
            out.update(_settle_workbooks_masked(ds, target, "settle/"))
        if (target / "provenance.json").exists():
            # the run's record of itself: when it ran, where the dataset was and the hash of its file
            # bytes (a shuffled file is another file) differ by design; everything else must not
            record = json.loads((target / "provenance.json").read_text(encoding="utf-8"))
            out[f"{key}/provenance.json"] = {k: v for k, v in record.items() if k not in RUN_RECORD}
            # pages and workbooks that show the record: compared with its dataset path and hash masked
            masks = {str(ds): "<dataset>", record["data_hash"]: "<data hash>", record["data_hash"][:12]: "<data hash>"}
            for page in [*target.rglob("*.html"), *target.rglob("*.xlsx")]:
                rel = f"{key}/{page.relative_to(target).as_posix()}"
                out[rel] = _masked(page, masks)
    capsys.readouterr()
    # criteria_year is read by the county report only: its two tables, made from the same loaded data
    loaded = load_dataset(ds, cache=False).tables
    for name, frame in (
        ("criteria", criteria_table(loaded, "C02", PROVINCE_YEARS[-1])),
        ("province_criteria", province_criteria(loaded, PROVINCE_YEARS[-1])),
    ):
        out[name] = frame.to_csv(index=False, lineterminator="\n")
    return out


@settings(
    max_examples=2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a smaller seed is no simpler permutation: no shrinking
)
@given(seed=st.integers(0, 2**32 - 1))
def test_every_table_shuffled_gives_byte_identical_outputs(tmp_path_factory, capsys, seed):
    """All nine tables of the contract (facility_year, criteria_year and the claims as well), through
    settle, indicators with and without --from-claims, assess, scenario and settle-points."""
    if "province" not in REFERENCE:  # the province and its unshuffled outputs, once
        PROVINCE["tables"] = _province_tables(tmp_path_factory.mktemp("synth") / "province")
        REFERENCE["province"] = _all_outputs(tmp_path_factory.mktemp("ref"), PROVINCE["tables"], capsys)
    reference = REFERENCE["province"]
    # the outputs that read facility_year (levels) and the claims (--from-claims) are among those compared
    assert {"ind/indicators_levels.csv", "ind_claims/indicators.csv", "assess/assessment_points.csv"} <= set(reference)
    assert any(k.startswith("scenario/") and k.endswith(".csv") for k in reference)
    assert any(k.startswith("points/") and k.endswith(".csv") for k in reference)
    rng = np.random.default_rng(seed)
    shuffled = {n: f.iloc[rng.permutation(len(f))].reset_index(drop=True) for n, f in PROVINCE["tables"].items()}
    assert _all_outputs(tmp_path_factory.mktemp("shuf"), shuffled, capsys) == reference
