"""``settle --years``: a savings-by-year series per unit and county (seed 000 §4.1 "连续7年结余")."""

import pandas as pd
import pytest

from tests.settlement.builders import make_tables
from toolkit import cli
from toolkit.settlement.savings_series import streak
from toolkit.years import parse_years


def _dataset(root):
    t = make_tables(n_units=2, year=2024)  # rows 2021–2024
    uy = t["unit_year"]
    first = uy.loc[uy["year"] == 2021].assign(year=2020)  # 2023 needs 2020–2022 as its baseline
    uy = pd.concat([first, uy], ignore_index=True)
    uy.loc[uy["year"] == 2023, "fund_general"] = 450_000.0
    t["unit_year"] = uy
    for name in ("ph_process", "ph_targets"):
        t[name] = pd.concat([t[name].assign(year=2023), t[name]], ignore_index=True)
    root.mkdir()
    for name, frame in t.items():
        frame.to_csv(root / f"{name}.csv", index=False)
    return root


def test_settle_years_writes_the_series(tmp_path, capsys):
    ds = _dataset(tmp_path / "ds")
    out = tmp_path / "out"
    assert cli.main(["settle", str(ds), "--years", "2023-2024", "--out", str(out)]) == 0
    county = pd.read_csv(out / "C99" / "savings_by_year.csv")
    units = pd.read_csv(out / "C99" / "savings_by_year_units.csv", dtype={"unit_id": str})
    assert (out / "C99" / "2023" / "settlement_units.csv").is_file() and (out / "C99" / "2024").is_dir()
    assert not (out / "C99" / "2023" / "statements").exists()  # a range writes no statements by default
    c = county.set_index("year")
    # 2023: baseline 500 per head (2020–2022) × 1 000 = 500 000 a unit, spending 450 000 → 50 000 saved each
    assert c.loc[2023, "savings"] == 100_000.00 and bool(c.loc[2023, "saved"])
    # 2024: baseline (500 + 500 + 450) / 3 = 483.333… × 1 000 = 483 333.33, spending 500 000 → −16 666.67 each
    assert c.loc[2024, "savings"] == -33_333.34 and not bool(c.loc[2024, "saved"])
    assert c.loc[2024, "units_overspending"] == 2
    u = units.set_index(["unit_id", "year"])
    assert u.loc[("U1", 2024), "savings"] == -16_666.67
    assert u.loc[("U1", 2023), "fund_savings"] == 50_000.00  # the chronic package breaks even
    assert streak(county, 2023) == 1 and streak(county, 2024) == 0
    assert "saved in 1 of 2 years, 0 in a row up to 2024" in capsys.readouterr().out
    assert pd.read_csv(out / "savings_by_year.csv")["county_id"].tolist() == ["C99", "C99"]


def test_bad_year_range_exits_2(tmp_path, capsys):
    ds = _dataset(tmp_path / "ds")
    assert cli.main(["settle", str(ds), "--years", "2024-2023", "--out", str(tmp_path / "out")]) == 2
    assert "start ≤ end" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("years", ["2030-2031", "2024,2030"])
def test_years_the_dataset_lacks_exit_2_before_writing(tmp_path, capsys, years):
    ds = _dataset(tmp_path / "ds")
    assert cli.main(["settle", str(ds), "--years", years, "--out", str(tmp_path / "out")]) == 2
    assert "2030" in capsys.readouterr().err  # the year it lacks, named
    assert not (tmp_path / "out").exists()


def test_settle_reads_years_as_every_other_command():
    """One ``parse_years`` (toolkit.years) for every ``--years``: a list settles the years it names."""
    import toolkit.settlement.savings_series as series

    assert not hasattr(series, "parse_years")
    assert parse_years("2021, 2023", [2021, 2022, 2023]) == [2021, 2023]
