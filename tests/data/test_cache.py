"""The validated-dataset cache (toolkit.data.cache): a valid load is stored as Parquet and served again
exactly (dtypes, row order, extra columns); a changed file, a changed contract or a corrupt entry
means validating again; a broken dataset is never stored; claims rows are never stored."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pandas.testing as pdt
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from toolkit.data import cache, load
from toolkit.data.load import load_dataset

from .conftest import write_dataset
from .helpers import find_problem, raises_problems
from .test_parquet_and_claims import CLAIM_IDS, PERSON_IDS, claims_frame


@pytest.fixture(autouse=True)
def _own_user_cache_dir(monkeypatch, tmp_path):
    # each test gets its own user cache folder (the default location), nothing shared between tests
    monkeypatch.delenv(cache.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def validations(monkeypatch):
    """Counts how many tables were read and validated (0 on a cache hit)."""
    calls = []
    real = load._check_table

    def spy(path, table, *args, **kwargs):
        calls.append(table.name)
        return real(path, table, *args, **kwargs)

    monkeypatch.setattr(load, "_check_table", spy)
    return calls


def _entries(folder):
    base = cache.cache_dir()
    return sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []


def _assert_same(a, b):
    assert list(a.tables) == list(b.tables)
    for name in a.tables:
        pdt.assert_frame_equal(a.tables[name], b.tables[name], check_dtype=True, check_exact=True)
    assert a.data_hash == b.data_hash and a.files == b.files and a.sheets == b.sheets and a.root == b.root


def test_second_load_is_served_from_the_cache_and_equals_the_first(tmp_path, tables, validations):
    tables["units"]["grid_note"] = ["a", "b", "", "d", "e"]  # extra text column, one empty cell
    tables["unit_year"]["beds"] = list(range(15))  # extra numeric column
    tables["unit_year"] = tables["unit_year"].iloc[::-1]  # rows not in key order
    folder = write_dataset(tmp_path / "ds", tables)
    first = load_dataset(folder)
    assert len(validations) == 6 and len(_entries(folder)) == 1
    second = load_dataset(folder)
    assert len(validations) == 6  # nothing read from the CSV files again
    _assert_same(first, second)
    uy = second.tables["unit_year"]
    assert uy["unit_id"].tolist()[:3] == ["U05", "U05", "U05"] and uy["year"].tolist()[:3] == [2022, 2021, 2020]
    assert str(uy["beds"].dtype) == "float64" and str(second.tables["units"]["grid_note"].dtype) == "str"
    assert pd.isna(second.tables["units"]["grid_note"].iloc[2])
    cy = second.tables["county_year"]
    assert str(cy["reform_year"].dtype) == "Int64" and cy["reform_year"].isna().sum() == 3
    assert str(second.tables["ph_targets"]["veto"].dtype) == "bool"
    assert str(second.tables["deaths"]["deaths"].dtype) == "int64"
    assert isinstance(cy.index, pd.RangeIndex)
    # an uncached load validates again and gives the same tables
    third = load_dataset(folder, cache=False)
    assert len(validations) == 12
    _assert_same(first, third)


def test_the_tables_requested_are_part_of_the_key(dataset_dir, validations):
    only_units = load_dataset(dataset_dir, tables="units")
    assert list(only_units.tables) == ["units"]
    everything = load_dataset(dataset_dir)
    assert len(everything.tables) == 6 and len(validations) == 7  # not served the one-table entry
    assert list(load_dataset(dataset_dir, tables="units").tables) == ["units"]
    assert len(validations) == 7 and len(_entries(dataset_dir)) == 2


def test_a_changed_file_is_never_served_from_the_cache(dataset_dir, validations):
    first = load_dataset(dataset_dir)
    path = dataset_dir / "units.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("城关单元", "城关"), encoding="utf-8")
    second = load_dataset(dataset_dir)
    assert len(validations) == 12 and second.data_hash != first.data_hash
    assert second.tables["units"]["unit_name"].iloc[0] == "城关"
    # a change that breaks the data is reported, not hidden by the earlier valid entry
    path.write_text(path.read_text(encoding="utf-8").replace("T02", ""), encoding="utf-8")
    problems = raises_problems(lambda: load_dataset(dataset_dir))
    find_problem(problems, table="units", column="township_id", rows=[3])


def test_a_changed_contract_or_loader_invalidates(dataset_dir, validations, monkeypatch):
    load_dataset(dataset_dir)
    monkeypatch.setattr(cache, "contract_version", lambda: "another version of the rules")
    load_dataset(dataset_dir)
    assert len(validations) == 12


def test_the_version_hashes_the_rule_and_loader_sources():
    version = cache.contract_version()
    assert len(version) == 64 and version == cache.contract_version()
    cache.contract_version.cache_clear()
    try:
        real = cache.Path.read_bytes
        edited = lambda p: real(p) + (b"\n# edited" if p.name == "contract.py" else b"")  # noqa: E731
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(cache.Path, "read_bytes", edited)
            assert cache.contract_version() != version
    finally:
        cache.contract_version.cache_clear()
    assert cache.contract_version() == version


@pytest.mark.parametrize(
    "damage", ["truncate", "garbage", "delete_table", "delete_manifest", "bad_manifest", "wrong_dtype_in_manifest"]
)
def test_a_corrupt_entry_is_ignored_and_rebuilt(dataset_dir, validations, damage):
    first = load_dataset(dataset_dir)
    (entry,) = _entries(dataset_dir)
    target = entry / "unit_year.parquet"
    if damage == "truncate":  # a write cut short
        target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    elif damage == "garbage":
        target.write_bytes(b"PAR1 not really parquet PAR1")
    elif damage == "delete_table":
        target.unlink()
    elif damage == "delete_manifest":
        (entry / cache.MANIFEST).unlink()
    elif damage == "bad_manifest":
        (entry / cache.MANIFEST).write_text('{"format": 1, ', encoding="utf-8")
    else:  # the manifest (and so the file) promise a dtype that the file does not hold
        manifest = json.loads((entry / cache.MANIFEST).read_text(encoding="utf-8"))
        manifest["files"]["unit_year"]["dtypes"][1] = "float64"
        (entry / cache.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    second = load_dataset(dataset_dir)
    assert len(validations) == 12  # validated again, not trusted
    _assert_same(first, second)
    third = load_dataset(dataset_dir)  # the rebuilt entry is good again
    assert len(validations) == 12
    _assert_same(first, third)


def test_a_consistent_but_tampered_entry_is_caught_by_its_checksum(dataset_dir, validations):
    first = load_dataset(dataset_dir)
    (entry,) = _entries(dataset_dir)
    frame = pd.read_parquet(entry / "units.parquet")
    frame.loc[0, "unit_name"] = "篡改"
    frame.to_parquet(entry / "units.parquet", index=False)  # readable, same shape and dtypes
    second = load_dataset(dataset_dir)
    assert len(validations) == 12 and second.tables["units"]["unit_name"].iloc[0] == "城关单元"
    _assert_same(first, second)


def test_a_broken_dataset_is_never_cached(tmp_path, tables, validations):
    tables["unit_year"].loc[3, "insured_pop"] = "abc"
    folder = write_dataset(tmp_path / "ds", tables)
    for attempt in (1, 2):
        problems = raises_problems(lambda: load_dataset(folder))
        find_problem(problems, table="unit_year", column="insured_pop", rows=[4], value="abc")
        assert len(validations) == 6 * attempt  # validated (and reported) every time
    assert _entries(folder) == []


def test_a_missing_required_table_is_never_cached(dataset_dir):
    (dataset_dir / "deaths.csv").unlink()
    raises_problems(lambda: load_dataset(dataset_dir, require=["deaths"]))
    assert _entries(dataset_dir) == []


def test_cache_false_neither_reads_nor_writes(dataset_dir, validations):
    load_dataset(dataset_dir, cache=False)
    assert _entries(dataset_dir) == []
    load_dataset(dataset_dir)
    load_dataset(dataset_dir, cache=False)
    assert len(validations) == 18


def test_claims_are_referenced_by_path_never_stored(dataset_dir, validations):
    pq.write_table(pa.Table.from_pandas(claims_frame(), preserve_index=False), dataset_dir / "claims.parquet")
    first = load_dataset(dataset_dir)
    second = load_dataset(dataset_dir)
    assert len(validations) == 6  # claims are never read into pandas; the 6 tables come from the cache
    assert "claims" not in second.tables and second.files["claims"] == dataset_dir / "claims.parquet"
    _assert_same(first, second)
    (entry,) = _entries(dataset_dir)
    assert sorted(p.name for p in entry.iterdir()) == sorted([cache.MANIFEST] + [f"{n}.parquet" for n in first.tables])
    stored = b"".join(p.read_bytes() for p in entry.iterdir())
    assert not any(s.encode() in stored for s in CLAIM_IDS + PERSON_IDS)
    assert second.validate_claims().rows == 8
    # claims changed → the dataset hash changes → validated again
    pq.write_table(pa.Table.from_pandas(claims_frame().iloc[:4], preserve_index=False), dataset_dir / "claims.parquet")
    third = load_dataset(dataset_dir)
    assert len(validations) == 12 and third.data_hash != first.data_hash


def _listing(folder):
    return sorted((p.relative_to(folder).as_posix(), p.stat().st_mtime_ns) for p in folder.rglob("*"))


def test_cache_location(dataset_dir, tmp_path, monkeypatch, validations):
    user = tmp_path / "xdg-cache" / "county-health-toolkit" / "datasets"
    assert cache.cache_dir() == user
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "county-health-toolkit" / "datasets"
    shared = tmp_path / "shared-cache"
    monkeypatch.setenv(cache.ENV_VAR, str(shared))
    assert cache.cache_dir() == shared
    load_dataset(dataset_dir)
    load_dataset(dataset_dir)
    assert len(validations) == 6 and len(list(shared.iterdir())) == 1
    monkeypatch.delenv(cache.ENV_VAR)
    monkeypatch.setattr(cache.os, "access", lambda *a, **k: False)  # no writable user cache folder
    assert cache.cache_dir() == cache.Path(cache.tempfile.gettempdir()) / "toolkit-cache"


def test_loading_never_writes_into_the_dataset_folder(dataset_dir, validations):
    # raw data is immutable: a cold load (cache written) and a warm load (cache read) leave the
    # folder exactly as delivered, names and modification times alike
    before = _listing(dataset_dir)
    load_dataset(dataset_dir)
    load_dataset(dataset_dir)
    assert len(validations) == 6 and len(_entries(dataset_dir)) == 1
    assert _listing(dataset_dir) == before


def test_an_unwritable_cache_does_not_fail_the_load(dataset_dir, tmp_path, monkeypatch, validations):
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(cache.ENV_VAR, str(blocker))
    first = load_dataset(dataset_dir)
    second = load_dataset(dataset_dir)
    assert len(validations) == 12
    _assert_same(first, second)


def test_pruning_and_clear_touch_only_entry_folders(dataset_dir, tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    (shared / "keep-me").mkdir(parents=True)  # a folder someone else put there
    monkeypatch.setenv(cache.ENV_VAR, str(shared))
    monkeypatch.setattr(cache, "KEEP_ENTRIES", 2)
    for i in range(4):
        monkeypatch.setattr(cache, "contract_version", lambda i=i: f"version {i}")
        load_dataset(dataset_dir)
    entries = [p for p in shared.iterdir() if cache._is_entry(p)]
    assert len(entries) == 2 and (shared / "keep-me").is_dir()
    other = tmp_path / "other-dataset"
    shutil.copytree(dataset_dir, other)
    (other / "deaths.csv").write_text((other / "deaths.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    load_dataset(other)  # another dataset's entry in the same shared folder
    cache.clear(dataset_dir)  # removes only the entries made from dataset_dir
    left = sorted(p.name for p in shared.iterdir() if cache._is_entry(p))
    assert len(left) == 1 and (shared / "keep-me").is_dir()
    assert json.loads((shared / left[0] / cache.MANIFEST).read_text(encoding="utf-8"))["root"] == str(other.resolve())
    cache.clear(other)
    assert [p.name for p in shared.iterdir()] == ["keep-me"]
