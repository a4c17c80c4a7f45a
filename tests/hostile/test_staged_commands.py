"""Every command that writes files writes them all or none, and never into its input.

check-claims, did, scenario, assess and template (as settle, indicators and main): a full disk
(a patched staged writer raising ENOSPC) leaves the previous output byte-for-byte and no partial
or staging file; an ``--out`` inside the dataset (or onto the input file) is refused with exit 2
before anything is read or written.
"""

from __future__ import annotations

import errno
import os

import pytest

from tests.hostile.base import YEAR, snapshot
from toolkit.io import StagedOutput
from toolkit.paths import MPDTA_CSV

DID = ["--outcome", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat"]


def _enospc(monkeypatch, after: int) -> None:
    """The ``after``-th staged write and later ones raise ENOSPC (a disk that fills up)."""
    real = StagedOutput.write_bytes
    count = {"n": 0}

    def write(self, relative, data):
        count["n"] += 1
        if count["n"] > after:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.root / relative))
        return real(self, relative, data)

    monkeypatch.setattr(StagedOutput, "write_bytes", write)


def _no_staging_left(folder) -> None:
    assert not [p for p in folder.rglob("*") if ".staging-" in p.name]


@pytest.fixture
def claims(tmp_path):
    path = tmp_path / "claims.yaml"
    # 3.5e7 yuan / 700 doctors = 50,000 yuan per doctor (county_year of the base dataset)
    path.write_text(
        "- {indicator: village_doctor_subsidy_per_doctor, kind: value, county: C01, year: 2023, stated: 50000}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def reform(tmp_path):
    path = tmp_path / "split_532.yaml"
    path.write_text(
        "savings_split:\n  source: commission proposal\n  values:\n    2020: {county: 0.5, township: 0.3, village: 0.2}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def panel(tmp_path):
    """A copy of mpdta in its own folder (the did input)."""
    folder = tmp_path / "panel"
    folder.mkdir()
    path = folder / "mpdta.csv"
    path.write_bytes(MPDTA_CSV.read_bytes())
    return path


# -- check-claims ---------------------------------------------------------------------------
def test_check_claims_full_disk_keeps_the_previous_table(dataset, claims, tmp_path, run, monkeypatch):
    out = tmp_path / "res"
    assert run("check-claims", dataset, "--claims", claims, "--out", out / "chk").code == 0
    before = snapshot(out)
    assert set(before) == {"chk.csv", "chk.xlsx"}
    claims.write_text(claims.read_text(encoding="utf-8").replace("50000", "49000"), encoding="utf-8")
    _enospc(monkeypatch, after=1)
    r = run("check-claims", dataset, "--claims", claims, "--out", out / "chk")
    assert r.code == 2 and "disk is full" in r.err and "nothing was written" in r.err
    assert snapshot(out) == before
    _no_staging_left(tmp_path)


def test_check_claims_first_run_on_a_full_disk_writes_nothing(dataset, claims, tmp_path, run, monkeypatch):
    _enospc(monkeypatch, after=1)
    r = run("check-claims", dataset, "--claims", claims, "--out", tmp_path / "new" / "chk")
    assert r.code == 2 and not (tmp_path / "new").exists()


def test_check_claims_out_inside_the_dataset_is_refused(dataset, claims, run, unchanged):
    with unchanged(dataset):
        r = run("check-claims", dataset, "--claims", claims, "--out", dataset / "county_year")
    assert r.code == 2 and "inside the input" in r.err


# -- assess ---------------------------------------------------------------------------------
def test_assess_full_disk_keeps_the_previous_output(dataset, tmp_path, run, monkeypatch):
    out = tmp_path / "assess"
    assert run("assess", dataset, "--year", YEAR, "--out", out).code == 0
    before = snapshot(out)
    assert {"assessment_points.csv", "assessment_totals.csv", "assessment.xlsx", "provenance.json"} <= set(before)
    _enospc(monkeypatch, after=2)
    r = run("assess", dataset, "--year", "2022", "--out", out)  # another year: a partial write would show
    assert r.code == 2 and "disk is full" in r.err
    assert snapshot(out) == before
    _no_staging_left(tmp_path)


def test_assess_out_inside_the_dataset_is_refused(dataset, run, unchanged):
    with unchanged(dataset):
        r = run("assess", dataset, "--year", YEAR, "--out", dataset / "assess")
    assert r.code == 2 and "inside the input" in r.err


# -- scenario -------------------------------------------------------------------------------
def test_scenario_full_disk_keeps_the_previous_output(dataset, reform, tmp_path, run, monkeypatch):
    out = tmp_path / "scen"
    argv = ["scenario", dataset, "--reform", reform, "--year", YEAR, "--out", out]
    assert run(*argv).code == 0
    before = snapshot(out)
    assert "scenario_units.csv" in before and "provenance.json" in before
    reform.write_text(reform.read_text(encoding="utf-8").replace("0.5, township: 0.3", "0.6, township: 0.2"))
    _enospc(monkeypatch, after=3)
    r = run(*argv)
    assert r.code == 2 and "disk is full" in r.err
    assert snapshot(out) == before
    _no_staging_left(tmp_path)


def test_scenario_first_run_on_a_full_disk_leaves_no_folder(dataset, reform, tmp_path, run, monkeypatch):
    _enospc(monkeypatch, after=3)
    r = run("scenario", dataset, "--reform", reform, "--year", YEAR, "--out", tmp_path / "scen")
    assert r.code == 2 and not (tmp_path / "scen").exists()
    _no_staging_left(tmp_path)


def test_scenario_out_inside_the_dataset_is_refused(dataset, reform, run, unchanged):
    with unchanged(dataset):
        r = run("scenario", dataset, "--reform", reform, "--year", YEAR, "--out", dataset / "scen")
    assert r.code == 2 and "inside the input" in r.err


def test_scenario_out_over_an_existing_file_is_refused(dataset, reform, tmp_path, run):
    victim = tmp_path / "budget.xlsx"
    victim.write_bytes(b"a colleague's workbook")
    r = run("scenario", dataset, "--reform", reform, "--year", YEAR, "--out", victim)
    assert r.code == 2 and "exists and is not a folder" in r.err
    assert victim.read_bytes() == b"a colleague's workbook"


# -- did ------------------------------------------------------------------------------------
def test_did_full_disk_keeps_the_previous_result_and_figure(panel, tmp_path, run, monkeypatch):
    out = tmp_path / "res"
    argv = [panel, *DID, "--estimator", "event", "--out", out / "r.json", "--plot", out / "es.svg"]
    assert run("did", *argv).code == 0
    before = snapshot(out)
    assert set(before) == {"r.json", "es.svg"}
    _enospc(monkeypatch, after=1)
    r = run("did", *argv, "--alpha", "0.1")  # another result: a partial write would show
    assert r.code == 2 and "disk is full" in r.err
    assert snapshot(out) == before
    _no_staging_left(tmp_path)


def test_did_result_and_figure_in_two_folders_are_written_together_or_not_at_all(panel, tmp_path, run, monkeypatch):
    _enospc(monkeypatch, after=1)
    argv = [
        panel,
        *DID,
        "--estimator",
        "event",
        "--out",
        tmp_path / "a" / "r.json",
        "--plot",
        tmp_path / "b" / "es.svg",
    ]
    r = run("did", *argv)
    assert r.code == 2
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


@pytest.mark.parametrize("option", ["--out", "--plot"])
def test_did_output_onto_its_input_is_refused(panel, run, unchanged, option):
    with unchanged(panel.parent):
        r = run("did", panel, *DID, "--estimator", "event", option, panel)
    assert r.code == 2 and "inside the input" in r.err


def test_did_output_over_a_folder_is_refused(panel, tmp_path, run):
    (tmp_path / "r.json").mkdir()
    r = run("did", panel, *DID, "--out", tmp_path / "r.json")
    assert r.code == 2 and "not a regular file" in r.err


# -- template -------------------------------------------------------------------------------
def test_template_full_disk_writes_no_file(tmp_path, run, monkeypatch):
    _enospc(monkeypatch, after=0)
    r = run("template", "--out", tmp_path / "out" / "数据模板.xlsx")
    assert r.code == 2 and "disk is full" in r.err
    assert not (tmp_path / "out").exists()
    _no_staging_left(tmp_path)


def test_template_full_disk_keeps_the_folder_as_it_was(tmp_path, run, monkeypatch):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "其他.xlsx").write_bytes(b"kept")
    before = snapshot(folder)
    _enospc(monkeypatch, after=0)
    assert run("template", "--out", folder / "数据模板.xlsx").code == 2
    assert snapshot(folder) == before


def test_template_out_inside_the_units_dataset_is_refused(dataset, run, unchanged):
    with unchanged(dataset):
        r = run("template", "--out", dataset / "模板.xlsx", "--county", "C01", "--years", "2023", "--units", dataset)
    assert r.code == 2 and "inside the input" in r.err


def test_template_still_refuses_an_existing_file(tmp_path, run):
    victim = tmp_path / "数据模板.xlsx"
    victim.write_bytes(b"filled in by the commission")
    r = run("template", "--out", victim)
    assert r.code == 2 and "already exists" in r.err
    assert victim.read_bytes() == b"filled in by the commission"


def test_no_command_writes_a_file_outside_a_staged_output():
    """A command module writes through ``staged_output`` only (no single-file atomic writes of its own)."""
    import importlib
    import inspect

    from toolkit.cli import COMMANDS, _module_name

    for command in COMMANDS:
        source = inspect.getsource(importlib.import_module(_module_name(command)))
        for direct in ("atomic_path", "import write_bytes", "import write_text", "write_text,", "write_bytes,"):
            assert direct not in source, (command, direct)
