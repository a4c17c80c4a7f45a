"""Same seed → byte-identical files; another seed → different files; outputs replace atomically."""

import hashlib
import json

import pytest

from toolkit import cli
from toolkit.data.synth import generate_province
from toolkit.errors import ToolkitError


def _hashes(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes(province, tmp_path):
    out, summary = province
    generate_province(tmp_path / "again")
    first, second = _hashes(out), _hashes(tmp_path / "again")
    assert set(first) == {
        "units.csv",
        "unit_year.csv",
        "ph_process.csv",
        "ph_targets.csv",
        "county_year.csv",
        "deaths.csv",
        "facility_year.csv",
        "criteria_year.csv",
        "report_claims.yaml",
        "truth.json",
        "manifest.json",
    }
    assert first == second
    # the manifest's hashes are the files' hashes
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {k: v["sha256"] for k, v in manifest["files"].items()} == {
        k: v for k, v in first.items() if k != "manifest.json"
    }
    assert manifest["seed"] == 20240901 and manifest["generator"] == "toolkit.data.synth"


def test_other_seed_other_bytes(tmp_path):
    generate_province(tmp_path / "a", seed=1, n_counties=6)
    generate_province(tmp_path / "b", seed=2, n_counties=6)
    a, b = _hashes(tmp_path / "a"), _hashes(tmp_path / "b")
    for name in ["unit_year.csv", "county_year.csv", "deaths.csv", "ph_process.csv", "truth.json"]:
        assert a[name] != b[name], name


def test_refuses_foreign_folder_and_writes_nothing(tmp_path):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(ToolkitError, match="not empty"):
        generate_province(target, n_counties=2)
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]  # no temporary sibling left behind


def test_replaces_previous_output(tmp_path):
    target = tmp_path / "p"
    generate_province(target, seed=1, n_counties=2)
    generate_province(target, seed=2, n_counties=2)
    assert json.loads((target / "manifest.json").read_text())["seed"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]


def test_cli_exit_status(tmp_path, capsys):
    assert cli.main(["synth", "--out", str(tmp_path / "x"), "--counties", "2", "--seed", "5"]) == 0
    assert (tmp_path / "x" / "manifest.json").exists()
    (tmp_path / "y").mkdir()
    (tmp_path / "y" / "a.csv").write_text("a\n")
    assert cli.main(["synth", "--out", str(tmp_path / "y"), "--counties", "2"]) == 2
    assert "not empty" in capsys.readouterr().err
    assert cli.main(["synth", "--out", str(tmp_path / "z"), "--counties", "0"]) == 2


def test_default_province_passes_the_contract(province):
    """The project's loader validates every table of the default province without a problem."""
    from toolkit.data.load import load_dataset

    out, summary = province
    ds = load_dataset(out)
    assert set(ds.tables) == {
        "units",
        "unit_year",
        "ph_process",
        "ph_targets",
        "county_year",
        "deaths",
        "facility_year",
        "criteria_year",
    }
    assert {k: len(v) for k, v in ds.tables.items()} == {k: v for k, v in summary["rows"].items()}
    assert ds.tables["county_year"]["reform_year"].dtype == "Int64"
    assert ds.tables["ph_targets"]["veto"].dtype == bool
