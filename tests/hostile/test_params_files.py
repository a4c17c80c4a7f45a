"""Parameter files: one ``<county_id>.yaml`` per county, case-exact; anything else is an error naming the file."""

import shutil

import pytest

from tests.hostile.base import YEAR
from toolkit.paths import PARAMS_DIR


@pytest.fixture
def params(tmp_path):
    root = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, root)
    return root


GOOD = "advance_rate:\n  source: test fixture\n  values:\n    2017: 0.5\n"
CASES = {
    "stale_yml_beside_yaml": ("C02.yml", "only <county_id>.yaml files"),
    "yml_only": ("C07.yml", "only <county_id>.yaml files"),
    "upper_case_suffix": ("C07.YAML", "only <county_id>.yaml files"),
    "backup_copy": ("C02.yaml.bak", "only <county_id>.yaml files"),
    "readme": ("README.md", "only <county_id>.yaml files"),
    "lower_case_twin": ("c02.yaml", "differ only in case"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_stray_parameter_file_is_an_error_naming_it(params, dataset, tmp_path, run, name):
    filename, words = CASES[name]
    (params / "counties" / filename).write_text(GOOD, encoding="utf-8")
    for argv in (
        ["params", "--county", "C01", "--year", YEAR, "--params", params],
        ["settle", dataset, "--year", YEAR, "--params", params, "--out", tmp_path / "o"],
    ):
        r = run(*argv)
        assert r.code == 2, r.out
        assert filename in r.err and words in r.err
    assert not (tmp_path / "o").exists()


def test_a_lower_case_file_for_a_county_is_not_silently_ignored(params, dataset, tmp_path, run):
    (params / "counties" / "c01.yaml").write_text(GOOD, encoding="utf-8")
    r = run("settle", dataset, "--year", YEAR, "--params", params, "--out", tmp_path / "o")
    assert r.code == 2 and "c01.yaml does not match county C01" in r.err and "case-exact" in r.err
    assert not (tmp_path / "o").exists()


def test_a_parameter_file_that_is_a_folder_is_an_error(params, run):
    (params / "counties" / "C05.yaml").mkdir()
    r = run("params", "--county", "C01", "--year", YEAR, "--params", params)
    assert r.code == 2 and "C05.yaml" in r.err and "not a regular file" in r.err


def test_hidden_editor_files_are_left_alone(params, run):
    (params / "counties" / ".C02.yaml.swp").write_bytes(b"\0\1")
    assert run("params", "--county", "C01", "--year", YEAR, "--params", params).code == 0
