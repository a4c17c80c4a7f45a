"""Freeze peer-tool numbers on mpdta into JSON so the tests need no peer package (or R).

Run from the repository root with the benchmark venv (peer tools are NOT project dependencies):

    benchmarks/.venv/bin/python tests/did/reference/make_reference.py [twfe] [event] [weighted]

Data: mpdta (Callaway & Sant'Anna 2021, R package ``did``), read from shared/data/mpdta.csv beside the checkout.
Tool: pyfixest (version recorded in each file), the Python port of R fixest (Bergé 2018); the weighted
Callaway–Sant'Anna part ("cs" in mpdta_weighted_pyfixest.json) is csdid, the Python port of R did, and the
weighted BJS variance ("bjs" / "port") is did-imputation 0.1.0, the Python port of Stata did_imputation.
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf

HERE = Path(__file__).parent
# shared/ sits beside the project checkout (this file is tests/did/reference/ inside it)
MPDTA = (
    os.environ.get("TOOLKIT_SHARED_DIR", str(Path(__file__).resolve().parents[3].parent / "shared")) + "/data/mpdta.csv"
)


def load() -> pd.DataFrame:
    df = pd.read_csv(MPDTA).rename(columns={"first.treat": "first_treat"})
    df["treated"] = ((df["first_treat"] > 0) & (df["year"] >= df["first_treat"])).astype(int)
    return df


def provenance(extra: str) -> dict:
    return {
        "tool": "pyfixest",
        "tool_version": pf.__version__,
        "python": platform.python_version(),
        "data": "mpdta (R did package; shared/data/mpdta.csv), 500 counties x 2003-2007",
        "how": extra,
        "script": "tests/did/reference/make_reference.py",
    }


def twfe_reference(df: pd.DataFrame) -> dict:
    out = {
        "provenance": provenance(
            "pf.feols('lemp ~ treated | countyreal + year', vcov={'CRV1': 'countyreal'}, ssc=pf.ssc(k_fixef=...))"
        )
    }
    for k_fixef in ("nonnested", "none", "full"):
        fit = pf.feols(
            "lemp ~ treated | countyreal + year", data=df, vcov={"CRV1": "countyreal"}, ssc=pf.ssc(k_fixef=k_fixef)
        )
        ci = fit.confint()
        out[k_fixef] = {
            "estimate": float(fit.coef().iloc[0]),
            "se": float(fit.se().iloc[0]),
            "p_value": float(fit.pvalue().iloc[0]),
            "ci_low": float(ci.iloc[0, 0]),
            "ci_high": float(ci.iloc[0, 1]),
            "n_obs": int(fit._N),
        }
    fit = pf.feols("lemp ~ treated | countyreal + year", data=df, vcov={"CRV1": "countyreal"})
    out["pyfixest_default_se"] = float(fit.se().iloc[0])
    # covariate model: lpop is constant within county, so it is absorbed; use a time-varying one
    df = df.assign(lpop_trend=df["lpop"] * (df["year"] - 2003))
    fit = pf.feols(
        "lemp ~ treated + lpop_trend | countyreal + year",
        data=df,
        vcov={"CRV1": "countyreal"},
        ssc=pf.ssc(k_fixef="nonnested"),
    )
    out["with_covariate_lpop_trend"] = {
        "covariate": "lpop_trend = lpop * (year - 2003)",
        "coef": {k: float(v) for k, v in fit.coef().items()},
        "se": {k: float(v) for k, v in fit.se().items()},
    }
    # wild cluster restricted bootstrap (pyfixest -> wildboottest), Rademacher weights
    fit_wb = pf.feols("lemp ~ treated | countyreal + year", data=df, vcov={"CRV1": "countyreal"})
    res = fit_wb.wildboottest(param="treated", reps=9999, seed=20240901)
    out["wild_bootstrap"] = {
        "how": "fit.wildboottest(param='treated', reps=9999, seed=20240901): WCR (impose_null=True), Rademacher, CRV by countyreal",
        "t_stat": float(res["t value"]),
        "p_value": float(res["Pr(>|t|)"]),
        "reps": 9999,
    }
    return out


def event_reference(df: pd.DataFrame) -> dict:
    df = df.copy()
    df["rel"] = np.where(df["first_treat"] > 0, df["year"] - df["first_treat"], -1000)
    fit = pf.feols(
        "lemp ~ i(rel, ref=-1) | countyreal + year",
        data=df,
        vcov={"CRV1": "countyreal"},
        ssc=pf.ssc(k_fixef="nonnested"),
    )
    tidy = fit.tidy().reset_index()
    rows = []
    for _, r in tidy.iterrows():
        name = str(r["Coefficient"])
        if "-1000" in name:
            continue
        rows.append(
            {
                "event_time": int(name.split("::")[1].split("]")[0]),
                "estimate": float(r["Estimate"]),
                "se": float(r["Std. Error"]),
            }
        )
    pre = [f"rel::{k}" for k in (-4, -3, -2)]
    wald = fit.wald_test(R=np.vstack([(tidy["Coefficient"] == p).to_numpy().astype(float) for p in pre]))
    return {
        "provenance": provenance(
            "pf.feols('lemp ~ i(rel, ref=-1) | countyreal + year', vcov={'CRV1':'countyreal'}, ssc=pf.ssc(k_fixef='nonnested')); rel = year - first_treat, never treated -1000; no binning (all leads/lags); rel::-1000 (never treated) is dropped by pyfixest as collinear with the unit effects"
        ),
        "event_study": sorted(rows, key=lambda r: r["event_time"]),
        "pretrend_wald": {"leads": [-4, -3, -2], "result": {k: float(v) for k, v in dict(wald).items()}},
    }


def weighted_reference(df: pd.DataFrame) -> dict:
    """Population-weighted TWFE and event study (weights = exp(lpop), county population)."""
    df = df.assign(pop=np.exp(df["lpop"]))
    df["rel"] = np.where(df["first_treat"] > 0, df["year"] - df["first_treat"], -1000)
    kw = dict(data=df, vcov={"CRV1": "countyreal"}, ssc=pf.ssc(k_fixef="nonnested"), weights="pop")
    tw = pf.feols("lemp ~ treated | countyreal + year", **kw)
    ev = pf.feols("lemp ~ i(rel, ref=-1) | countyreal + year", **kw)
    event = {}
    for name, b in ev.coef().items():
        if "-1000" in str(name):
            continue
        event[int(str(name).split("::")[1].split("]")[0])] = [float(b), float(ev.se()[name])]
    return {
        "provenance": provenance(
            "pf.feols(..., weights='pop', vcov={'CRV1':'countyreal'}, ssc=pf.ssc(k_fixef='nonnested')), pop = exp(lpop): "
            "'lemp ~ treated | countyreal + year' and 'lemp ~ i(rel, ref=-1) | countyreal + year'"
        ),
        "twfe": {"estimate": float(tw.coef().iloc[0]), "se": float(tw.se().iloc[0])},
        "event": {str(k): v for k, v in sorted(event.items())},
        "sa": sa_weighted_reference(df),
        "cs": cs_weighted_reference(df),
        "bjs": bjs_weighted_reference(df),
    }


def bjs_weighted_reference(df: pd.DataFrame) -> dict:
    """Population-weighted BJS imputation point estimates by hand with pyfixest: the weighted
    dummy-variable regression fitted on the untreated rows (treated = 0), Y(0) of the treated rows
    by predict, the ATT and event-time effects as pop-weighted means of lemp - Y(0)."""
    untreated, treated = df[df["treated"] == 0], df[df["treated"] == 1]
    fit = pf.feols("lemp ~ C(countyreal) + C(year)", data=untreated, weights="pop")
    y0 = np.asarray(fit.predict(newdata=treated), dtype=float)
    tau = treated["lemp"].to_numpy() - y0
    w = treated["pop"].to_numpy()
    e = (treated["year"] - treated["first_treat"]).to_numpy()
    return {
        "how": "pf.feols('lemp ~ C(countyreal) + C(year)', weights='pop') on the untreated rows; "
        "Y(0) of the treated rows = fit.predict(newdata=treated rows); effects = pop-weighted means of lemp - Y(0)",
        "att": float(np.average(tau, weights=w)),
        "by_event_time": {str(int(k)): float(np.average(tau[e == k], weights=w[e == k])) for k in sorted(set(e))},
        "port": bjs_port_weighted_reference(df),
    }


def bjs_port_weighted_reference(df: pd.DataFrame) -> dict:
    """Population-weighted BJS with its analytic variance from the Python port of Stata did_imputation
    (PyPI did-imputation 0.1.0, aw='pop'; default avgeffectsby = cohort x period, clusters = units).
    Its solver tolerances are tightened: the fixed-effect sweep (pyhdfe map) to 1e-14, the
    implied-weights iteration to 1e-12 and the recovery of the unit and period effects from their
    fitted sum to 1e-13 (at its default 1e-6 the weighted SEs move by ~1e-8 relative)."""
    import contextlib
    import functools
    import io
    import sys

    import did_imputation  # noqa: F401  (the package; its module of the same name holds the solvers)
    import pyhdfe

    module = sys.modules["did_imputation.did_imputation"]
    module.create = functools.partial(
        pyhdfe.create, residualize_method="map", options={"tol": 1e-14, "iteration_limit": 100000}
    )
    code = module.imputation_weights.__code__
    names = code.co_varnames[: code.co_argcount]
    defaults = list(module.imputation_weights.__defaults__)
    kw = dict(zip(names[-len(defaults) :], defaults))
    kw.update(tol=1e-12, maxit=5000)
    module.imputation_weights.__defaults__ = tuple(kw[k] for k in names[-len(defaults) :])
    recover = module.recover_fixed_effects_iterative
    module.recover_fixed_effects_iterative = functools.partial(recover, max_iter=100000, tol=1e-13)
    d = df.assign(Ei=df["first_treat"].where(df["first_treat"] > 0))
    args = dict(y="lemp", i="countyreal", t="year", Ei="Ei", aw="pop")
    with contextlib.redirect_stdout(io.StringIO()):
        att = module.did_imputation(d.copy(), **args)
        hor = module.did_imputation(d.copy(), **args, allhorizons=True, minn=0)
    module.recover_fixed_effects_iterative = recover
    return {
        "call": "did_imputation(df, y='lemp', i='countyreal', t='year', Ei=first_treat or NaN, aw='pop', "
        "[allhorizons=True, minn=0]); tolerances 1e-14 (pyhdfe map), 1e-12 (imputation_weights), "
        "1e-13 (recover_fixed_effects_iterative)",
        "att": [float(att.estimates["tau_ate"]), float(att.std_errors["tau_ate"])],
        "by_event_time": {
            k.removeprefix("tau"): [float(v), float(hor.std_errors[k])] for k, v in hor.estimates.items()
        },
    }


def cs_weighted_reference(df: pd.DataFrame) -> dict:
    """Population-weighted Callaway–Sant'Anna: csdid ATTgt(..., weights_name='pop') (R did's weightsname),
    every ATT(g,t) with its analytic SE and the four aggte aggregations, without and with lpop."""
    import contextlib
    import io
    import warnings

    import csdid
    from csdid.att_gt import ATTgt

    out: dict = {
        "provenance": {
            "tool": "csdid",
            "tool_version": getattr(csdid, "__version__", "0.4.3"),
            "call": "ATTgt(yname='lemp', tname='year', idname='countyreal', gname='first_treat', weights_name='pop', "
            "control_group=[...], [xformla='~lpop'], cband=False).fit(est_method=..., bstrap=False); "
            ".aggte(typec=..., bstrap=False, cband=False)",
        }
    }
    runs = [("nevertreated", "never", None, "dr"), ("notyettreated", "notyet", None, "dr")]
    runs += [("nevertreated", f"never_lpop_{m}", "~lpop", m) for m in ("dr", "reg", "ipw")]
    runs += [("notyettreated", "notyet_lpop_dr", "~lpop", "dr")]
    for control, key, xformla, method in runs:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):  # csdid prints summaries
            warnings.simplefilter("ignore")
            fit = ATTgt(
                yname="lemp",
                tname="year",
                idname="countyreal",
                gname="first_treat",
                data=df.copy(),
                control_group=[control],
                xformla=xformla,
                weights_name="pop",
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


def sa_weighted_reference(df: pd.DataFrame) -> dict:
    """Population-weighted Sun–Abraham: pyfixest WLS on the saturated cohort × relative-period design
    (cell = 'g:e' for cohort g at relative period e != -1, 'ref' for never-treated rows and e = -1),
    CRV1 by county; the event study and ATT aggregate the cells with weights equal to the sum of the
    population weights of each cell's rows (fixest sunab with weights, as HonestDiD's sunab_beta_vcv)."""
    g, t = df["first_treat"].to_numpy(), df["year"].to_numpy()
    d = df.assign(cell=np.where((g > 0) & (t - g != -1), [f"{a}:{b}" for a, b in zip(g, t - g)], "ref"))
    fit = pf.feols(
        "lemp ~ i(cell, ref='ref') | countyreal + year",
        data=d,
        vcov={"CRV1": "countyreal"},
        weights="pop",
        fixef_tol=1e-14,
    )
    names = [str(k) for k in fit.coef().index]
    beta, V = fit.coef().to_numpy(), np.asarray(fit._vcov)
    key = [k.removeprefix("cell::") for k in names]
    e = np.array([int(k.split(":")[1]) for k in key])
    size = np.array([d.loc[d["cell"] == k, "pop"].sum() for k in key])

    def combo(mask: np.ndarray) -> list[float]:
        w = np.where(mask, size, 0.0) / size[mask].sum()
        return [float(w @ beta), float(np.sqrt(w @ V @ w))]

    return {
        "how": "pf.feols('lemp ~ i(cell, ref='ref') | countyreal + year', weights='pop', vcov={'CRV1': 'countyreal'}, "
        "fixef_tol=1e-14) (default ssc); aggregation by the cells' summed population weights",
        "cells": {k: [float(beta[i]), float(np.sqrt(V[i, i]))] for i, k in enumerate(key)},
        "event_study": {str(x): combo(e == x) for x in sorted(set(e))},
        "att": combo(e >= 0),
    }


def bjs_covariate_reference(df: pd.DataFrame) -> dict:
    """BJS imputation with a time-varying covariate by hand with pyfixest: fit the untreated
    observations, impute Y(0) for the treated ones (fit.predict), average the differences."""
    df = df.assign(x=df["lpop"] * (df["year"] - 2003))
    untreated, treated = df[df["treated"] == 0], df[df["treated"] == 1]
    out = {}
    for name, fml in (("x", "lemp ~ x | countyreal + year"),):
        fit = pf.feols(fml, data=untreated, fixef_rm="none")  # keep the 2004 cohort (one untreated year each)
        y0 = np.asarray(fit.predict(newdata=treated), dtype=float)
        tau = treated["lemp"].to_numpy() - y0
        e = (treated["year"] - treated["first_treat"]).to_numpy()
        out[name] = {
            "att": float(tau.mean()),
            "beta_x": float(fit.coef()["x"]),
            "by_event_time": {str(int(k)): float(tau[e == k].mean()) for k in sorted(set(e))},
        }
    return {
        "provenance": provenance(
            "pf.feols('lemp ~ x | countyreal + year', fixef_rm='none') on the untreated rows (treated = 0), x = lpop * (year - 2003); "
            "Y(0) of the treated rows = fit.predict(newdata=treated rows); ATT = mean of lemp - Y(0)"
        ),
        **out,
    }


def main() -> None:
    import sys

    df = load()
    which = set(sys.argv[1:]) or {"twfe", "event", "weighted", "bjs"}
    if "twfe" in which:
        (HERE / "mpdta_twfe_pyfixest.json").write_text(json.dumps(twfe_reference(df), indent=2) + "\n")
    if "event" in which:
        (HERE / "mpdta_event_pyfixest.json").write_text(json.dumps(event_reference(df), indent=2) + "\n")
    if "bjs" in which:
        (HERE / "mpdta_bjs_covariate_pyfixest.json").write_text(
            json.dumps(bjs_covariate_reference(df), indent=2) + "\n"
        )
    if "weighted" in which:
        (HERE / "mpdta_weighted_pyfixest.json").write_text(json.dumps(weighted_reference(df), indent=2) + "\n")


if __name__ == "__main__":
    main()
