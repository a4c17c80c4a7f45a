"""Execute every report notebook on a small synthetic province, then check it with nbval.

A notebook stored without outputs gives strict nbval nothing to compare, so: the fixture writes a
small province (fixed seed), papermill executes each notebook with small parameters into a temp
folder, and nbval (``--nbval-lax``) re-executes the *executed* notebook and compares the outputs of
the cells marked ``# NBVAL_CHECK_OUTPUT`` (indicator, settlement-check, estimator and claims
tables) after sanitizing timestamps, hashes and paths (tests/notebooks/sanitize.cfg). So a report
whose numbers change between two runs on the same inputs fails. Each executed notebook is also
checked for its provenance record, for identifiers, and with ``toolkit verify``.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.paths import NOTEBOOKS_DIR

pytestmark = [pytest.mark.slow, pytest.mark.notebooks]

SANITIZE = Path(__file__).with_name("sanitize.cfg")
CASES = {
    # `-p year latest`: the last year in the data (2024 here)
    "county_annual_report": {"county_id": "C02", "year": "latest", "lang": "zh"},
    "unit_settlement": {"county_id": "C02", "year": 2023, "lang": "en"},
    "reform_evaluation": {"outcome": "income_ratio", "lang": "en"},
    "province_overview": {"year": 2023, "lang": "zh"},
    "policy_scenario": {"lang": "zh"},
}


@pytest.fixture(scope="session")
def province(tmp_path_factory):
    from toolkit.data.synth import generate_province

    root = tmp_path_factory.mktemp("province") / "data"
    generate_province(root, seed=20240901, n_counties=4, years=(2014, 2024))
    return root


@pytest.mark.parametrize("name", sorted(CASES))
def test_notebook_runs_and_reproduces(name, province, tmp_path):
    import papermill

    from toolkit.cli import main
    from toolkit.report.disclosure import assert_no_identifiers
    from toolkit.report.provenance import read_provenance

    out_dir = tmp_path / "side"
    out_dir.mkdir()
    executed = tmp_path / f"{name}.ipynb"
    params = {"data_dir": str(province), "output_dir": str(out_dir), "exec_mode": "isolated", **CASES[name]}
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / f"{name}.ipynb"),
        str(executed),
        parameters=params,
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    nb = json.loads(executed.read_text(encoding="utf-8"))
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    marked = [c for c in nb["cells"] if c["cell_type"] == "code" and "NBVAL_CHECK_OUTPUT" in "".join(c["source"])]
    assert marked and all(c["outputs"] for c in marked), "every checked cell has an output to compare"

    prov = read_provenance(executed)
    assert prov["exec_mode"] == "isolated" and prov["dataset_path"] == str(province.resolve())
    assert_no_identifiers([executed, out_dir])
    assert main(["verify", str(executed)]) == 0
    # the rendered report (nbconvert HTML, code hidden, as the batch writes it) carries the record too
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter()
    exporter.exclude_input = True
    html, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    page = tmp_path / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    assert read_provenance(page) == prov
    assert main(["verify", str(page)]) == 0
    assert_no_identifiers([page])

    # nbval re-executes the executed notebook and compares the marked cells' outputs
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-c",
            "/dev/null",
            "--rootdir",
            str(tmp_path),
            "--nbval-lax",
            "--nbval-sanitize-with",
            str(SANITIZE),
            "--nbval-kernel-name",
            "python3",
            str(executed),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "passed" in proc.stdout


def test_batch_latest_year_runs_the_county_report_for_the_last_year(province, tmp_path):
    """`batch --years latest` plans and renders the county report for the data's last year only."""
    out = tmp_path / "reports"
    cmd = [sys.executable, "-m", "toolkit", "batch", str(province), "--notebook", "county_annual_report"]
    cmd += ["--counties", "C01", "--years", "latest", "--out", str(out), "--workers", "1", "--no-progress"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html") if p.name != "index.html")
    assert pages and all("/2024" in p or "_2024" in p for p in pages), pages
    page = next(p for p in out.rglob("*.html") if p.name != "index.html")
    html = page.read_text(encoding="utf-8")
    # C01's own stated figures, including the 7-year savings streak, are checked in its report
    assert "医保基金包干自2017年起连续7年结余" in html and "共核对 5 条公开表述" in html
