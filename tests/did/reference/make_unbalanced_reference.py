"""Freeze peer numbers on an unbalanced mpdta into JSON so the tests need no peer package.

Run from the repository root with the benchmark venv (peer tools are NOT project dependencies):

    benchmarks/.venv/bin/python tests/did/reference/make_unbalanced_reference.py [cs] [sa] [bjs] [bjs_exact] [twfe]

Data: mpdta (Callaway & Sant'Anna 2021, R package ``did``; shared/data/mpdta.csv beside the
checkout) with 250 of its 2,500 county-years removed at random (``numpy.random.default_rng(17)``,
``choice(2500, 250, replace=False)`` on the file's row order). The removed (countyreal, year) pairs
are written into the JSON, so a test rebuilds the same panel from mpdta without this script.

Peers:
* ``cs``: csdid 0.4.3 (PyPI; Python port of R did 2.5.1), ``allow_unbalanced_panel=True`` — R did's
  repeated-cross-section 2×2 on an unbalanced panel — analytic influence-function SEs.
* ``sa``: pyfixest (``feols`` with unit and year fixed effects and the cohort × relative-period dummies;
  with the time-varying covariate x = lpop · (year − 2003) too).
* ``twfe``: pyfixest, static TWFE and the event study on the unbalanced rows.
* ``bjs``: did-imputation 0.1.0 (PyPI; Python port of Stata ``did_imputation``, BJS's own analytic
  variance) and pyfixest (the imputation by hand).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
MPDTA = (
    os.environ.get("TOOLKIT_SHARED_DIR", str(Path(__file__).resolve().parents[3].parent / "shared")) + "/data/mpdta.csv"
)
SEED, N_DROP = 17, 250
OUT = HERE / "mpdta_unbalanced.json"


def unbalanced() -> tuple[pd.DataFrame, list[list[int]]]:
    df = pd.read_csv(MPDTA)
    drop = np.random.default_rng(SEED).choice(len(df), size=N_DROP, replace=False)
    pairs = sorted([int(df.loc[i, "countyreal"]), int(df.loc[i, "year"])] for i in drop)
    return df.drop(index=drop).reset_index(drop=True), pairs


def with_always_treated(df: pd.DataFrame) -> pd.DataFrame:
    """mpdta with its first 7 counties (file order) made treated from 2003, the first year: no pre-period."""
    early = df["countyreal"].isin(df["countyreal"].unique()[:7])
    return df.assign(**{"first.treat": np.where(early, 2003, df["first.treat"])})


def cs_reference(df: pd.DataFrame) -> dict:
    import csdid
    from csdid.att_gt import ATTgt

    out: dict = {
        "provenance": {
            "tool": "csdid",
            "tool_version": getattr(csdid, "__version__", "0.4.3"),
            "call": "ATTgt(yname='lemp', tname='year', idname='countyreal', gname='first.treat', control_group=[...], "
            "allow_unbalanced_panel=True (False for 'always_treated_dropped': full mpdta, its first 7 counties made treated from 2003), "
            "[xformla='~lpop'], cband=False).fit(est_method='dr' ('dr', 'reg', 'ipw' with lpop), bstrap=False); "
            ".aggte(typec=..., bstrap=False, cband=False)",
        }
    }
    runs = [("nevertreated", "never", df, True, None, "dr"), ("notyettreated", "notyet", df, True, None, "dr")]
    # with a covariate: DRDID's outcome-regression estimator for repeated cross sections (reg_did_rc)
    runs += [("nevertreated", "never_lpop_reg", df, True, "~lpop", "reg")]
    runs += [("nevertreated", "never_lpop_ipw", df, True, "~lpop", "ipw")]
    runs += [
        ("nevertreated", "never_lpop_dr", df, True, "~lpop", "dr"),
        ("notyettreated", "notyet_lpop_dr", df, True, "~lpop", "dr"),
    ]
    # R did (and csdid) drop units treated in the first period with a warning: toolkit's always_treated="drop"
    runs.append(("nevertreated", "always_treated_dropped", with_always_treated(pd.read_csv(MPDTA)), False, None, "dr"))
    for control, key, data, unbalanced_ok, xformla, method in runs:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):  # csdid prints summaries
            warnings.simplefilter("ignore")
            fit = ATTgt(
                yname="lemp",
                tname="year",
                idname="countyreal",
                gname="first.treat",
                data=data.copy(),
                control_group=[control],
                allow_unbalanced_panel=unbalanced_ok,
                xformla=xformla,
                cband=False,
            ).fit(est_method=method, bstrap=False)
            r = fit.results
            cells = [
                {"cohort": int(g), "time": int(t), "estimate": float(a), "se": float(s)}
                for g, t, a, s in zip(r["group"], r["year"], r["att"], r["se"])
            ]
            agg = {}
            for kind in ("simple", "dynamic", "group", "calendar"):
                fit.aggte(typec=kind, bstrap=False, cband=False)
                a = fit.atte
                agg[kind] = {"estimate": float(a["overall_att"]), "se": float(a["overall_se"])}
                if kind != "simple":
                    agg[kind]["table"] = [
                        {"key": int(k), "estimate": float(e), "se": float(s)}
                        for k, e, s in zip(a["egt"], a["att_egt"], a["se_egt"])
                    ]
        out[key] = {"cells": cells, "aggte": agg}
    return out


def sa_cells(df: pd.DataFrame, ref: int = -1) -> pd.DataFrame:
    """Sun & Abraham's saturated regression as fixest's ``sunab`` builds it: one dummy per cohort ×
    relative period except ``ref``; never-treated rows and each cohort's reference period share the
    left-out category."""
    g, t = df["first.treat"].to_numpy(), df["year"].to_numpy()
    cell = np.where((g > 0) & (t - g != ref), [f"{a}:{b}" for a, b in zip(g, t - g)], "ref")
    return df.assign(cell=cell)


def sa_reference(df: pd.DataFrame, covariates: tuple[str, ...] = (), ref: int = -1) -> dict:
    """pyfixest feols with the saturated cohort × relative-period dummies, CRV1 by county; the
    interaction-weighted event study and ATT aggregate the cells with weights equal to the number of
    observations of each cell among the cells at that event time (fixest ``sunab``'s aggregation)."""
    import pyfixest as pf

    d = sa_cells(df, ref)
    rhs = " + ".join(["i(cell, ref='ref')", *covariates])
    fit = pf.feols(f"lemp ~ {rhs} | countyreal + year", data=d, vcov={"CRV1": "countyreal"}, fixef_tol=1e-14)
    names = [str(k) for k in fit.coef().index]
    beta, V = fit.coef().to_numpy(), np.asarray(fit._vcov)
    idx = [i for i, k in enumerate(names) if k.startswith("cell::")]
    key = [names[i].removeprefix("cell::") for i in idx]
    ge = np.array([[int(x) for x in k.split(":")] for k in key])
    counts = d["cell"].value_counts()
    size = np.array([counts[k] for k in key], dtype=float)

    def combo(mask: np.ndarray) -> tuple[float, float]:
        w = np.zeros(len(beta))
        w[np.array(idx)[mask]] = size[mask] / size[mask].sum()
        return float(w @ beta), float(np.sqrt(w @ V @ w))

    es = {str(e): combo(ge[:, 1] == e) for e in sorted(set(ge[:, 1]))}
    return {
        "provenance": {
            "tool": "pyfixest",
            "tool_version": pf.__version__,
            "call": f"pf.feols('lemp ~ {rhs} | countyreal + year', vcov={{'CRV1': 'countyreal'}}, fixef_tol=1e-14) (default ssc), "
            f"cell = 'g:e' for cohort g at relative period e != {ref}, 'ref' otherwise; aggregation by cell observation counts",
        },
        "cells": {k: [float(beta[i]), float(np.sqrt(V[i, i]))] for k, i in zip(key, idx)},
        "covariates": {c: float(fit.coef()[c]) for c in covariates},
        "event_study": es,
        "att": combo(ge[:, 1] >= 0),
        "n_obs": int(fit._N),
    }


def bjs_reference(df: pd.DataFrame) -> dict:
    """BJS imputation with its analytic variance: the Python port of Stata ``did_imputation``
    (PyPI ``did-imputation`` 0.1.0; default ``avgeffectsby`` = cohort × period, clusters = units), with
    the tolerances of its fixed-effect sweep (pyhdfe, 1e-8) and of its implied-weights iteration
    (1e-6) tightened to 1e-14 and 1e-12. Its recovery of the fixed effects from their fitted sum keeps
    its own tolerance 1e-6 (tightened, it runs for many minutes), which limits its point estimates to
    ~1e-7; the exact point estimates come from :func:`bjs_exact_reference`."""
    import functools

    import did_imputation  # noqa: F401  (the package; its module of the same name holds the solvers)
    import pyhdfe

    module = sys.modules["did_imputation.did_imputation"]

    module.create = functools.partial(
        pyhdfe.create, residualize_method="map", options={"tol": 1e-14, "iteration_limit": 100000}
    )
    defaults = list(module.imputation_weights.__defaults__)
    names = module.imputation_weights.__code__.co_varnames[: module.imputation_weights.__code__.co_argcount]
    kw = dict(zip(names[-len(defaults) :], defaults))
    kw.update(tol=1e-12, maxit=5000)
    module.imputation_weights.__defaults__ = tuple(kw[k] for k in names[-len(defaults) :])

    d = df.assign(Ei=df["first.treat"].where(df["first.treat"] > 0), x=df["lpop"] * (df["year"] - 2003))
    out: dict = {
        "provenance": {
            "tool": "did-imputation (PyPI 0.1.0, Python port of Stata did_imputation)",
            "call": "did_imputation(df, y='lemp', i='countyreal', t='year', Ei=first.treat or NaN, [controls=['x']], "
            "[allhorizons=True, minn=0]); solver tolerances 1e-14 (pyhdfe map) and 1e-12 (imputation_weights); "
            "x = lpop * (year - 2003)",
        }
    }
    for name, controls in (("plain", []), ("x", ["x"])):
        with contextlib.redirect_stdout(io.StringIO()):
            att = module.did_imputation(d.copy(), y="lemp", i="countyreal", t="year", Ei="Ei", controls=controls)
            hor = module.did_imputation(
                d.copy(), y="lemp", i="countyreal", t="year", Ei="Ei", controls=controls, allhorizons=True, minn=0
            )
        out[name] = {
            "att": [float(att.estimates["tau_ate"]), float(att.std_errors["tau_ate"])],
            "by_event_time": {
                k.removeprefix("tau"): [float(v), float(hor.std_errors[k])] for k, v in hor.estimates.items()
            },
        }
    return out


def bjs_exact_reference(df: pd.DataFrame) -> dict:
    """The BJS point estimates by hand with pyfixest: the dummy-variable regression fitted on the
    untreated rows, predict for the treated ones (dummies, not absorbed fixed effects: pyfixest's
    recovery of absorbed effects for predict() stops at ~1e-6 on an unbalanced panel; the dummy
    regression is solved directly). Treated counties never observed untreated are left out."""
    import pyfixest as pf

    d = df.assign(x=df["lpop"] * (df["year"] - 2003))
    treated = (d["first.treat"] > 0) & (d["year"] >= d["first.treat"])
    ok = d["countyreal"].isin(d.loc[~treated, "countyreal"])
    rows = d[treated & ok]
    e = (rows["year"] - rows["first.treat"]).to_numpy()
    out: dict = {"pyfixest_version": pf.__version__, "n_treated_obs": len(rows)}
    for name, fml in (("plain", "lemp ~ C(countyreal) + C(year)"), ("x", "lemp ~ x + C(countyreal) + C(year)")):
        fit = pf.feols(fml, data=d[~treated])
        tau = rows["lemp"].to_numpy() - np.asarray(fit.predict(newdata=rows), dtype=float)
        out[name] = {
            "att": float(tau.mean()),
            "by_event_time": {str(int(k)): float(tau[e == k].mean()) for k in sorted(set(e))},
        }
    return out


def twfe_reference(df: pd.DataFrame) -> dict:
    """Static TWFE and the TWFE event study on the unbalanced rows (pyfixest, CRV1 by county, fixed
    effects nested in the clusters not counted: ``ssc(k_fixef='nonnested')``)."""
    import pyfixest as pf

    d = df.assign(treated=((df["first.treat"] > 0) & (df["year"] >= df["first.treat"])).astype(int))
    d["rel"] = np.where(d["first.treat"] > 0, d["year"] - d["first.treat"], -1000)
    kw = dict(data=d, vcov={"CRV1": "countyreal"}, ssc=pf.ssc(k_fixef="nonnested"), fixef_tol=1e-14)
    tw = pf.feols("lemp ~ treated | countyreal + year", **kw)
    ev = pf.feols("lemp ~ i(rel, ref=-1) | countyreal + year", **kw)
    event = {
        str(k).split("::")[1]: [float(b), float(ev.se()[k])] for k, b in ev.coef().items() if "-1000" not in str(k)
    }
    return {
        "provenance": {
            "tool": "pyfixest",
            "tool_version": pf.__version__,
            "call": "pf.feols('lemp ~ treated | countyreal + year' and 'lemp ~ i(rel, ref=-1) | countyreal + year', "
            "vcov={'CRV1': 'countyreal'}, ssc=pf.ssc(k_fixef='nonnested'), fixef_tol=1e-14); rel = year - first.treat, "
            "never treated -1000 (dropped as collinear)",
        },
        "twfe": [float(tw.coef().iloc[0]), float(tw.se().iloc[0])],
        "event": event,
    }


def main() -> None:
    import sys

    which = set(sys.argv[1:]) or {"cs", "sa", "bjs", "bjs_exact", "twfe"}
    df, pairs = unbalanced()
    ref = json.loads(OUT.read_text()) if OUT.exists() else {}
    ref["data"] = {
        "source": "mpdta (R did; shared/data/mpdta.csv)",
        "removed": f"{N_DROP} county-years at random, numpy default_rng({SEED}).choice(2500, {N_DROP}, replace=False)",
        "removed_pairs": pairs,
        "python": platform.python_version(),
        "script": "tests/did/reference/make_unbalanced_reference.py",
    }
    if "cs" in which:
        ref["cs"] = cs_reference(df)
    if "twfe" in which:
        ref["twfe"] = twfe_reference(df)
    if "bjs" in which:  # slow: the port's implied-weights iteration runs for several minutes
        ref["bjs"] = {"unbalanced": bjs_reference(df), "balanced": bjs_reference(pd.read_csv(MPDTA))}
    if "bjs_exact" in which:
        ref["bjs_exact"] = {"unbalanced": bjs_exact_reference(df), "balanced": bjs_exact_reference(pd.read_csv(MPDTA))}
    if "sa" in which:
        full = pd.read_csv(MPDTA)
        ref["sa"] = {
            "unbalanced": sa_reference(df),
            "balanced": sa_reference(full),
            "covariate_balanced": sa_reference(full.assign(x=full["lpop"] * (full["year"] - 2003)), ("x",)),
            "covariate_unbalanced": sa_reference(df.assign(x=df["lpop"] * (df["year"] - 2003)), ("x",)),
            # cohort 2004 has no e = -2 (2002 is not in the data): pyfixest would drop one of its cells as
            # collinear without a word; toolkit refuses it, so the reference is the other two cohorts
            "ref_minus_2": sa_reference(full[full["first.treat"] != 2004], ref=-2),
        }
    OUT.write_text(json.dumps(ref, indent=1) + "\n")


if __name__ == "__main__":
    main()
