"""The main job end to end on a tiny synthetic province: reports, index, byte-identical reruns, privacy.

``python -m toolkit main`` runs twice on the same inputs (the second time with --force, so every
report is really made again); every output — HTML, notebooks, Excel, CSV, PNG/SVG, JSON — must be
byte-identical apart from the run timestamp in each report's provenance block. No output may
contain a person or claim identifier.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

from toolkit.commands.main import PLAN
from toolkit.paths import PROJECT_ROOT
from toolkit.report.disclosure import assert_no_identifiers

N_COUNTIES = 3
# the run timestamp of the provenance block: as recorded (ISO 8601 UTC) and as shown to a reader in local
# time (toolkit.report.provenance.run_at_text: 2026年12月02日 08:40:00 / 2026-12-02 08:40:00 (UTC+08:00))
TIMESTAMP = re.compile(
    rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|\+00:00)"
    + b"|"
    + "\\d{4}年\\d{2}月\\d{2}日 \\d{2}:\\d{2}:\\d{2}".encode()
    + rb"|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?= \(UTC)"
)
COMPARED = {".html", ".ipynb", ".xlsx", ".csv", ".png", ".svg", ".json"}
VOLATILE = {".batch-manifest.json"}  # the batch's own log of timings, not a report


def _project_snapshot(dest: Path) -> Path:
    """A copy of the code, notebooks and parameters: the two runs must see the same inputs even while
    other work goes on in the checkout (the provenance block records the git commit and dirtiness)."""
    import shutil

    for name in ("toolkit", "notebooks", "params"):
        shutil.copytree(PROJECT_ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


def _main(project, sample, out, *extra):
    from toolkit.paths import SHARED_DIR

    env = {**os.environ, "PYTHONPATH": str(project), "MPLBACKEND": "Agg", "TOOLKIT_SHARED_DIR": str(SHARED_DIR)}
    cmd = [
        sys.executable,
        "-m",
        "toolkit",
        "main",
        "--sample-dir",
        str(sample),
        "--sample-counties",
        str(N_COUNTIES),
        "--out",
        str(out),
        "--workers",
        "2",
        "--no-progress",
        *extra,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=project, timeout=1500)


GIT_COMMIT = re.compile(rb"(?<![0-9a-f])[0-9a-f]{40}(?![0-9a-f])")


def _head() -> str:
    proc = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    return proc.stdout.strip()


def _snapshot(out: Path, mask_commit: bool = False) -> dict[str, bytes]:
    files = {}
    for p in sorted(out.rglob("*")):
        if p.is_file() and p.suffix in COMPARED and p.name not in VOLATILE:
            data = TIMESTAMP.sub(b"<run timestamp>", p.read_bytes())
            if mask_commit:
                data = GIT_COMMIT.sub(b"<commit>", data)
            files[p.relative_to(out).as_posix()] = data
    return files


def test_main_job_reports_rerun_identically_and_hold_no_identifiers(tmp_path):
    sample, out = tmp_path / "sample", tmp_path / "reports"
    project = _project_snapshot(tmp_path / "project")
    head_before = _head()
    first = _main(project, sample, out)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert str(out.resolve() / "index.html") in first.stdout
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="failed"' not in index
    htmls = sorted(out.rglob("*.html"))
    reports = [p for p in htmls if p.name != "index.html"]
    # one county annual report per county for the latest year, each linked from the index
    annual = sorted(p for p in reports if p.parts[-3] == "county_annual_report")
    assert [p.parts[-2] for p in annual] == [f"C{i:02d}" for i in range(1, N_COUNTIES + 1)]
    for p in reports:
        assert f'href="{p.relative_to(out).as_posix()}"' in index
        assert p.read_text(encoding="utf-8").rstrip().endswith("</html>")
    for notebook, _, _ in PLAN:
        assert any(p.parts[-3] == notebook or p.parts[-2] == notebook for p in reports), notebook
    before = _snapshot(out)
    assert any(k.endswith(".xlsx") for k in before) and any(k.endswith(".csv") for k in before)

    # the same inputs again, every report redone: the same bytes apart from the run timestamp
    second = _main(project, sample, out, "--force")
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "sample data 样例数据: " in second.stdout and "reused" in second.stdout
    after = _snapshot(out)
    if _head() != head_before:
        # a commit landed between the runs (a shared working tree): the recorded commit is a changed
        # input, not drift; compare everything else
        after = _snapshot(out, mask_commit=True)
        before = {k: GIT_COMMIT.sub(b"<commit>", v) for k, v in before.items()}
    assert sorted(after) == sorted(before)
    differing = [name for name in before if before[name] != after[name]]
    assert not differing, f"outputs differ between identical runs: {differing[:10]}"

    # privacy: no person or claim identifier anywhere in what the job wrote
    assert_no_identifiers([out], patterns=[r"P\d{20}", r"C\d\d-\d{4}-\d{8}"])  # synth person and claim ids


def test_a_missing_notebook_fails_the_job(tmp_path, monkeypatch, capsys):
    """An installation without one of the plan's notebooks is incomplete: exit status 1, the notebook named."""
    import toolkit.commands.main as main_command
    import toolkit.paths
    from tests.data.conftest import write_dataset
    from toolkit.cli import main

    monkeypatch.setattr(toolkit.paths, "NOTEBOOKS_DIR", tmp_path / "notebooks")
    monkeypatch.setattr(main_command, "_run_command", lambda name, argv: 0)  # settle/indicators: tested elsewhere
    (tmp_path / "notebooks").mkdir()
    data = write_dataset(tmp_path / "data")
    code = main(["main", "--data", str(data), "--out", str(tmp_path / "reports"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1
    for notebook, _, _ in PLAN:
        assert f"notebooks/{notebook}.ipynb is missing" in err
