"""``python -m toolkit did`` — output contract and clear errors (exit status 2)."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from toolkit import cli
from toolkit.paths import MPDTA_CSV

MPDTA = str(MPDTA_CSV)  # ../shared/data beside the checkout, or $TOOLKIT_SHARED_DIR
ARGS = ["--outcome", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat"]


def run(capsys, *argv):
    code = cli.main(["did", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_twfe_json_contract(capsys):
    code, out, _ = run(capsys, MPDTA, *ARGS, "--json")
    assert code == 0
    obj = json.loads(out)
    for key in ("estimator", "estimate", "se", "ci_low", "ci_high", "n_units", "n_obs"):
        assert key in obj
    assert obj["estimator"] == "twfe" and obj["n_units"] == 500 and obj["n_obs"] == 2500
    assert obj["estimate"] == pytest.approx(-0.0365489, abs=1e-7)  # pyfixest 0.60.0 on mpdta


def test_event_json_has_event_study_list(capsys, tmp_path):
    out_file = tmp_path / "res.json"
    plot = tmp_path / "es.png"
    code, out, _ = run(
        capsys, MPDTA, *ARGS, "--estimator", "event", "--json", "--out", str(out_file), "--plot", str(plot)
    )
    assert code == 0
    obj = json.loads(out)
    assert [r["event_time"] for r in obj["event_study"]] == [-4, -3, -2, -1, 0, 1, 2, 3]
    assert all({"event_time", "estimate", "se"} <= set(r) for r in obj["event_study"])
    assert json.loads(out_file.read_text()) == obj
    assert plot.read_bytes()[:4] == b"\x89PNG"
    assert obj["diagnostics"]["pretrend"]["df1"] == 3


def test_cs_json_has_groups_when_available(capsys):
    code, out, _ = run(capsys, MPDTA, *ARGS, "--estimator", "cs", "--json")
    assert code == 0
    obj = json.loads(out)
    assert sorted(r["cohort"] for r in obj["groups"]) == [2004, 2006, 2007]
    assert all({"cohort", "estimate", "se"} <= set(r) for r in obj["groups"])


def test_same_bytes_twice(capsys):
    _, a, _ = run(capsys, MPDTA, *ARGS, "--bootstrap", "wild", "--n-boot", "999", "--json")
    _, b, _ = run(capsys, MPDTA, *ARGS, "--bootstrap", "wild", "--n-boot", "999", "--json")
    assert a == b and json.loads(a)["options"]["bootstrap"] == "wild"


def test_text_report(capsys):
    code, out, _ = run(capsys, MPDTA, *ARGS, "--vcov", "CR2")
    assert code == 0 and "CR2" in out and "500 units" in out


@pytest.fixture
def mpdta():
    return pd.read_csv(MPDTA)


def _bad(capsys, tmp_path, frame, *extra):
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    code, out, err = run(capsys, str(path), *ARGS, *extra)
    assert code == 2 and out == ""
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("estimator", ["twfe", "cs", "sa"])
def test_error_non_finite_outcome_exits_2_and_writes_nothing(capsys, tmp_path, mpdta, estimator):
    df = mpdta.copy()
    df.loc[6, "lemp"] = float("inf")  # written as "inf" in the CSV, read back as inf
    out_file = tmp_path / "res.json"
    err = _bad(capsys, tmp_path, df, "--estimator", estimator, "--out", str(out_file))
    assert "lemp" in err and "finite" in err and "7" in err  # data row 7
    assert not out_file.exists()


def test_error_non_numeric_outcome(capsys, tmp_path, mpdta):
    df = mpdta.astype({"lemp": str})
    df.loc[6, "lemp"] = "missing"
    err = _bad(capsys, tmp_path, df)
    assert "row 7 column 'lemp': value 'missing' — expected a number" in err


def test_error_unbalanced_panel_where_needed(capsys, tmp_path, mpdta):
    err = _bad(capsys, tmp_path, mpdta.iloc[1:], "--estimator", "bacon")
    assert "balanced panel" in err and "8001" in err and "2003" in err


def test_error_cohort_without_pre_period(capsys, tmp_path, mpdta):
    df = mpdta.copy()
    df.loc[df["countyreal"] == 8001, "first.treat"] = 2003
    err = _bad(capsys, tmp_path, df)
    assert "no pre-treatment period" in err and "2003" in err and "first.treat" in err


def test_error_no_never_treated_for_control_never(capsys, tmp_path, mpdta):
    err = _bad(capsys, tmp_path, mpdta[mpdta["first.treat"] > 0], "--control", "never")
    assert "never-treated" in err


def test_error_missing_column_and_file(capsys, tmp_path, mpdta):
    err = _bad(capsys, tmp_path, mpdta.drop(columns="first.treat"))
    assert "'first.treat'" in err
    code, _, err = run(capsys, str(tmp_path / "nope.csv"), *ARGS)
    assert code == 2 and "not found" in err


def test_error_option_for_wrong_estimator(capsys):
    code, _, err = run(capsys, MPDTA, *ARGS, "--estimator", "event", "--bootstrap", "wild")
    assert code == 2 and "--bootstrap" in err


def test_module_entry_point_exit_status(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit", "did", str(tmp_path / "x.csv"), *ARGS], capture_output=True, text=True
    )
    assert proc.returncode == 2 and proc.stderr.startswith("error:")


# ---------------------------------------------------------------- toolkit.did.api.estimate


def test_estimate_dispatch_and_option_checks(monkeypatch, mpdta):
    from toolkit.did import api
    from toolkit.did.twfe import twfe
    from toolkit.errors import ToolkitError

    kw = dict(yname="lemp", idname="countyreal", tname="year", gname="first.treat")
    a = api.estimate(mpdta, estimator="twfe", vcov="CR2", **kw)
    b = twfe(mpdta, vcov="CR2", **kw)
    assert (a.estimate, a.se) == (b.estimate, b.se)
    with pytest.raises(ToolkitError, match="does not accept option"):
        api.estimate(mpdta, estimator="twfe", leads=3, **kw)
    with pytest.raises(ToolkitError, match="unknown estimator"):
        api.estimate(mpdta, estimator="ols", **kw)
    monkeypatch.setitem(api.ESTIMATORS, "sdid", ("toolkit.did.not_built_yet", "x"))
    with pytest.raises(ToolkitError, match="not available"):
        api.estimate(mpdta, estimator="sdid", **kw)
    with pytest.raises(ToolkitError, match="control"):
        api.estimate(mpdta, estimator="twfe", control="later", **kw)


def test_text_report_names_the_pre_trend_test(capsys):
    # the CS pre-test uses a Hotelling F(q, G−q) reference, the TWFE event study F(q, G−1): say which
    code, out, _ = run(capsys, MPDTA, *ARGS, "--estimator", "cs")
    assert code == 0
    line = out.splitlines()[[i for i, s in enumerate(out.splitlines()) if s.startswith("pre-trend test:")][0] + 1]
    assert "Hotelling" in line and "dynamic aggregation" in line


def test_bjs_analytic_by_default_cluster_bootstrap_on_request(capsys):
    code, out, _ = run(capsys, MPDTA, *ARGS, "--estimator", "bjs", "--json")
    obj = json.loads(out)
    assert code == 0 and obj["options"]["se"] == "analytic"
    assert obj["se"] == pytest.approx(0.013222488650, abs=1e-9)  # did-imputation port, tests/did/test_bjs_analytic.py
    code, out, _ = run(capsys, MPDTA, *ARGS, "--estimator", "bjs", "--bootstrap", "cluster", "--n-boot", "99", "--json")
    obj = json.loads(out)
    assert code == 0 and obj["options"]["se"] == "bootstrap" and obj["options"]["biters"] == 99
    code, _, err = run(capsys, MPDTA, *ARGS, "--estimator", "cs", "--bootstrap", "cluster")
    assert code == 2 and "--bootstrap cluster applies to --estimator bjs" in err
