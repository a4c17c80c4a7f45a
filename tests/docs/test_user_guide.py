"""The Chinese user guide (docs/zh/用户手册.md) runs as written.

Every ``bash`` block of the guide is run, line by line and in order, in one empty folder on the
guide's own sample data: each command must exit 0 (or the code its ``# 退出码 N`` note names) with
no traceback. ``sh`` blocks (installing, the whole province, a cluster) are shown, not run: the
README's two commands and the batch tests cover them. The pictures the guide shows must exist.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "zh" / "用户手册.md"
EXIT_NOTE = re.compile(r"\s+#\s*退出码\s*(\d+)\s*$")


def guide_commands(text: str) -> list[tuple[str, int]]:
    """(command, expected exit code) of every line of every ``bash`` block, in order."""
    commands = []
    for block in re.findall(r"^```bash\n(.*?)^```", text, flags=re.M | re.S):
        for line in block.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            m = EXIT_NOTE.search(line)
            commands.append((line[: m.start()] if m else line, int(m.group(1)) if m else 0))
    return commands


def test_the_guide_is_linked_from_the_top_of_the_readme():
    head = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:12]
    assert any("docs/zh/用户手册.md" in line for line in head)


def test_every_picture_the_guide_shows_exists_and_is_small():
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", GUIDE.read_text(encoding="utf-8"))
    assert pictures
    for rel in pictures:
        path = GUIDE.parent / rel
        assert path.is_file(), rel
        assert path.stat().st_size < 300_000, f"{rel}: keep pictures small"


def test_guide_commands_are_toolkit_commands():
    commands = guide_commands(GUIDE.read_text(encoding="utf-8"))
    assert len(commands) >= 10
    assert all(shlex.split(c)[:3] == ["python", "-m", "toolkit"] for c, _ in commands)


@pytest.mark.slow
def test_every_command_of_the_guide_runs_on_the_sample_data(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    for command, expected in guide_commands(GUIDE.read_text(encoding="utf-8")):
        args = shlex.split(command)
        args[0] = sys.executable
        proc = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
        assert proc.returncode == expected, (command, proc.stdout[-2000:], proc.stderr[-2000:])
        assert "Traceback" not in proc.stderr, (command, proc.stderr[-2000:])
    # what the guide says each step writes
    assert (tmp_path / "数据模板.xlsx").is_file() and (tmp_path / "C01数据模板.xlsx").is_file()
    out = tmp_path / "结算" / "C01" / "2024"
    assert (out / "reconciliation.csv").is_file() and (out / "settlement.xlsx").is_file()
    assert list((out / "statements").glob("*.pdf"))
    assert (tmp_path / "报告" / "index.html").is_file()
    assert (tmp_path / "指标" / "C01.csv").is_file() and (tmp_path / "指标" / "C01.xlsx").is_file()
