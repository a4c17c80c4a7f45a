"""toolkit.io: atomic writes leave either the old or the new complete file, readable like any other."""

import os
import stat

import pytest

from toolkit.io import atomic_path, write_bytes, write_text


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_written_files_get_the_usual_permissions_not_mkstemps_private_ones(tmp_path, umask_022):
    # 0666 less the umask 0022 = 0644, as open() would give; mkstemp alone would leave 0600
    write_text(tmp_path / "report.html", "<p>县</p>")
    write_bytes(tmp_path / "sub" / "font.woff", b"\0\1")
    for path in (tmp_path / "report.html", tmp_path / "sub" / "font.woff"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "summary.csv"
    write_text(target, "old\n")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("killed mid-write")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.csv"]
