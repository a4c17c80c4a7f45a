"""A table path that is not a regular readable file is an error naming it (not skipped, not read)."""

import os

import pytest

from tests.hostile.base import YEAR


def dangling(p):
    p.symlink_to(p.parent / "gone.csv")


def loop(p):
    p.symlink_to(p)


def folder(p):
    p.mkdir()


def fifo(p):
    os.mkfifo(p)


def dev_zero(p):
    p.symlink_to("/dev/zero")


def link_to_folder(p):
    (p.parent / "elsewhere").mkdir()
    p.symlink_to(p.parent / "elsewhere")


KINDS = {
    "dangling_link": (dangling, "dangling symbolic link"),
    "link_loop": (loop, "symbolic link loop"),
    "folder": (folder, "a folder"),
    "fifo": (fifo, "named pipe (FIFO)"),
    "link_to_dev_zero": (dev_zero, "a device (a link to /dev/zero)"),
    "link_to_folder": (link_to_folder, "a folder (a link to"),
}


@pytest.mark.parametrize("table", ["deaths", "units"])
@pytest.mark.parametrize("name", list(KINDS))
def test_special_table_file_is_an_error_naming_the_path(dataset, run, unchanged, tmp_path, name, table):
    make, words = KINDS[name]
    path = dataset / f"{table}.csv"
    path.unlink()
    make(path)
    with unchanged(dataset):
        r = run("validate", dataset)
        assert r.code == 2
        assert str(path) in r.err and words in r.err and "regular" in r.err
        r = run("settle", dataset, "--year", YEAR, "--out", tmp_path / "out")
    if table == "units":  # settle reads units: the same error, nothing written
        assert r.code == 2 and str(path) in r.err and not (tmp_path / "out").exists()
    else:  # settle does not read deaths: the file is not its business
        assert r.code == 0


def test_a_link_to_a_regular_file_is_read(dataset, run, tmp_path):
    real = tmp_path / "deaths-real.csv"
    (dataset / "deaths.csv").rename(real)
    (dataset / "deaths.csv").symlink_to(real)
    r = run("validate", dataset)
    assert r.code == 0 and "deaths" in r.out
