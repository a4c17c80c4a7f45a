"""`python -m toolkit validate DIR`: summary and exit 0, or every problem on stderr, exit 2, no traceback."""

from __future__ import annotations

import subprocess
import sys

from toolkit import cli

from .conftest import write_dataset


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "toolkit", "validate", *map(str, args)], capture_output=True, text=True
    )


def test_valid_dataset_prints_a_summary(dataset_dir, capsys):
    assert cli.main(["validate", str(dataset_dir)]) == 0
    out = capsys.readouterr().out
    assert "6 tables valid" in out
    line = next(l for l in out.splitlines() if l.strip().startswith("unit_year"))
    assert "15 rows" in line and "8 columns" in line and "2020–2022" in line


def test_tables_option_limits_the_check(tmp_path, tables, capsys):
    tables["deaths"].loc[0, "sex"] = "M"
    folder = write_dataset(tmp_path / "ds", tables)
    assert cli.main(["validate", str(folder), "--tables", "units,unit_year"]) == 0
    assert "2 tables valid" in capsys.readouterr().out


def test_broken_dataset_exits_2_with_the_problem_and_no_traceback(tmp_path, tables):
    tables["unit_year"].loc[2, "insured_pop"] = -5
    tables["deaths"].loc[0, "sex"] = "M"
    folder = write_dataset(tmp_path / "ds", tables)
    proc = _run(folder)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "unit_year (unit_year.csv) row 3 column 'insured_pop': value '-5'" in proc.stderr
    assert "deaths (deaths.csv) row 1 column 'sex': value 'M' — expected one of male, female, all" in proc.stderr
    assert proc.stdout == ""


def test_missing_folder_and_required_table(tmp_path, dataset_dir):
    proc = _run(tmp_path / "nope")
    assert proc.returncode == 2 and "dataset folder not found" in proc.stderr and "Traceback" not in proc.stderr
    (dataset_dir / "deaths.csv").unlink()
    proc = _run(dataset_dir, "--require", "deaths")
    assert proc.returncode == 2 and "deaths" in proc.stderr and "table missing" in proc.stderr


def test_unknown_table_name_is_a_user_error(dataset_dir):
    proc = _run(dataset_dir, "--tables", "unitz")
    assert proc.returncode == 2 and "unknown table 'unitz'" in proc.stderr and "Traceback" not in proc.stderr


def test_claims_are_checked_by_the_command_without_showing_identifiers(tmp_path, dataset_dir, capsys):
    from .test_parquet_and_claims import CLAIM_IDS, PERSON_IDS, claims_frame, write_parquet

    write_parquet(dataset_dir / "claims.parquet", claims_frame())
    assert cli.main(["validate", str(dataset_dir)]) == 0
    line = next(l for l in capsys.readouterr().out.splitlines() if l.strip().startswith("claims"))
    assert "8 rows" in line and "2022" in line
    frame = claims_frame()
    frame.loc[3, "claim_id"] = frame.loc[0, "claim_id"]
    frame.loc[5, "setting"] = "ward"
    write_parquet(dataset_dir / "claims.parquet", frame)
    proc = _run(dataset_dir)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "claims (claims.parquet) rows 1, 4 column 'claim_id': value 'value withheld (identifier)" in proc.stderr
    assert "row 6 column 'setting'" in proc.stderr
    assert not any(secret in proc.stderr + proc.stdout for secret in CLAIM_IDS + PERSON_IDS)
    assert cli.main(["validate", str(dataset_dir), "--schema-only-claims"]) == 0
