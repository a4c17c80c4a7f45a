"""Promises of the project layout itself: the README's two commands, CI running exactly the test one."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip().startswith("./scripts/")]


def test_readme_names_the_two_commands():
    commands = _readme_commands()
    assert "./scripts/run_sample.sh" in commands
    assert "./scripts/test.sh" in commands


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    calls = [
        line.strip() for line in ci.splitlines() if line.strip() and not line.strip().startswith(("#", "set ", "cd "))
    ]
    assert calls == ["./scripts/test.sh"], calls


def test_scripts_are_executable():
    for name in ("scripts/run_sample.sh", "scripts/test.sh", ".ci/run"):
        assert (ROOT / name).stat().st_mode & 0o111, f"{name} is not executable"


def test_reports_folder_tracks_only_its_readme():
    tracked = subprocess.run(["git", "ls-files", "reports"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    if not tracked:  # not a git checkout (e.g. an sdist): nothing to check
        return
    assert tracked == ["reports/README.md"], tracked
