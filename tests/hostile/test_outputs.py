"""Outputs never touch inputs and are all or nothing: refused locations, full disk, read-only folder, one lock."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.hostile.base import YEAR, snapshot, write_tables
from toolkit.io import StagedOutput


def settle(ds, out):
    return ["settle", ds, "--year", YEAR, "--out", out]


def test_indicators_out_inside_the_dataset_is_refused_and_the_table_survives(dataset, run, unchanged):
    with unchanged(dataset):
        r = run("indicators", dataset, "--out", dataset / "county_year")
    assert r.code == 2 and "inside the input" in r.err and "county_year" in r.err


@pytest.mark.parametrize("where", [".", "sub", "sub/deeper"])
def test_settle_out_inside_the_dataset_is_refused(dataset, run, unchanged, where):
    with unchanged(dataset):
        r = run(*settle(dataset, dataset / where))
    assert r.code == 2 and "inside the input" in r.err


def test_out_through_a_link_into_the_dataset_is_refused(dataset, tmp_path, run, unchanged):
    link = tmp_path / "innocent"
    link.symlink_to(dataset)
    with unchanged(dataset):
        r = run(*settle(dataset, link / "out"))
    assert r.code == 2 and "inside the input" in r.err


def test_main_out_inside_the_dataset_is_refused(dataset, run, unchanged):
    with unchanged(dataset):
        r = run("main", "--data", dataset, "--out", dataset / "reports", "--no-progress")
    assert r.code == 2 and "inside the input" in r.err


@pytest.mark.parametrize("command", ["settle", "main"])
def test_out_over_an_existing_file_is_refused(dataset, tmp_path, run, command):
    victim = tmp_path / "budget.xlsx"
    victim.write_bytes(b"a colleague's workbook")
    argv = settle(dataset, victim) if command == "settle" else ["main", "--data", dataset, "--out", victim]
    r = run(*argv)
    assert r.code == 2 and "exists and is not a folder" in r.err
    assert victim.read_bytes() == b"a colleague's workbook"


def test_indicators_output_that_is_a_folder_is_refused(dataset, tmp_path, run):
    (tmp_path / "ind.csv").mkdir()
    r = run("indicators", dataset, "--out", tmp_path / "ind")
    assert r.code == 2 and "not a regular file" in r.err
    assert not (tmp_path / "ind.xlsx").exists()


def test_rerun_replaces_its_own_output_and_keeps_other_years(dataset, tmp_path, run):
    out = tmp_path / "out"
    other = out / "C01" / "2019"
    other.mkdir(parents=True)
    (other / "kept.txt").write_text("an earlier year", encoding="utf-8")
    assert run(*settle(dataset, out)).code == 0
    first = snapshot(out)
    assert run(*settle(dataset, out)).code == 0
    assert snapshot(out) == first and (other / "kept.txt").exists()
    assert not [p for p in out.rglob("*") if ".staging-" in p.name]


# -- faults ---------------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path):
    """An 8 MiB tmpfs where mounting is allowed (root, Linux), else None (a settle output of the base dataset is ≈1.1 MB)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    ok = (
        sys.platform.startswith("linux")
        and os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True
        ).returncode
        == 0
    )
    yield mount if ok else None
    if ok:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path, leave: int) -> None:
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    with open(folder / f"filler-{uuid.uuid4().hex}", "wb") as fh:
        try:
            fh.write(b"\0" * max(free - leave, 0))
        except OSError as err:
            assert err.errno == errno.ENOSPC


def _enospc(monkeypatch, after: int) -> None:
    """Patch the staged writer: the ``after``-th write and later ones raise ENOSPC."""
    real = StagedOutput.write_bytes
    count = {"n": 0}

    def write(self, relative, data):
        count["n"] += 1
        if count["n"] > after:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.root / relative))
        return real(self, relative, data)

    monkeypatch.setattr(StagedOutput, "write_bytes", write)


def test_full_disk_keeps_the_previous_output_and_leaves_no_partial_one(tmp_path, tables, run, small_disk, monkeypatch):
    ds = write_tables(tmp_path / "ds", tables)
    out = (small_disk or tmp_path) / "out"
    assert run(*settle(ds, out)).code == 0
    before = snapshot(out)
    # new data (a different lump sum), so a partial write would show as changed bytes
    tables["unit_year"]["ph_lump_sum"] = 12000.0
    ds2 = write_tables(tmp_path / "ds2", tables)
    if small_disk is not None:
        _fill(small_disk, leave=16 * 1024)  # room for a few of the 11 files, not for all
    else:
        _enospc(monkeypatch, after=3)
    r = run(*settle(ds2, out))
    assert r.code == 2
    assert "disk is full" in r.err and "nothing was written" in r.err
    assert snapshot(out) == before
    leftovers = [p for p in (small_disk or tmp_path).rglob("*") if ".staging-" in p.name]
    assert leftovers == []


def test_full_disk_on_first_run_leaves_no_output_folder(tmp_path, dataset, run, monkeypatch):
    _enospc(monkeypatch, after=2)
    r = run(*settle(dataset, tmp_path / "new"))
    assert r.code == 2 and "disk is full" in r.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds"]


def test_read_only_folder_is_exit_2_with_a_sentence(tmp_path, dataset, run, monkeypatch):
    def refuse(*a, **k):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(tmp_path / "ro"))

    monkeypatch.setattr("tempfile.mkdtemp", refuse)
    r = run(*settle(dataset, tmp_path / "ro" / "out"))
    assert r.code == 2 and "read-only file system" in r.err


def test_read_only_mount_is_exit_2(tmp_path, dataset, run, small_disk):
    if small_disk is None:
        pytest.skip("needs a tmpfs mount (root on Linux); the patched read-only case above runs everywhere")
    assert subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True).returncode == 0
    for argv in (settle(dataset, small_disk / "out"), ["indicators", dataset, "--out", small_disk / "ind"]):
        r = run(*argv)
        assert r.code == 2 and "read-only file system" in r.err
    assert list(small_disk.iterdir()) == []


def test_indicators_all_three_files_or_none(tmp_path, dataset, run, monkeypatch):
    assert run("indicators", dataset, "--out", tmp_path / "ind").code == 0
    before = {p.name: p.read_bytes() for p in tmp_path.glob("ind*")}
    _enospc(monkeypatch, after=2)
    r = run("indicators", dataset, "--out", tmp_path / "ind", "--years", "2022-2023")
    assert r.code == 2
    assert {p.name: p.read_bytes() for p in tmp_path.glob("ind*")} == before


# -- one writer -----------------------------------------------------------------------------
def test_second_main_on_the_same_out_exits_2_before_writing(tmp_path, dataset, run):
    out = tmp_path / "reports"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from toolkit.io import output_lock\n"
            f"with output_lock({str(out)!r}):\n"
            "    print('held', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        before = snapshot(out)
        r = run("main", "--data", dataset, "--out", out, "--no-progress")
        assert r.code == 2 and "another run of main is writing" in r.err
        assert snapshot(out) == before  # no settlement/, no indicators.*
    finally:
        holder.communicate("")


def test_main_lock_is_reentrant_for_its_own_batch(tmp_path):
    from toolkit.batch.runner import batch_lock
    from toolkit.io import output_lock

    with output_lock(tmp_path / "o"), batch_lock(tmp_path / "o"):
        pass
