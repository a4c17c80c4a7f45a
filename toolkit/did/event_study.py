"""Dynamic (event-study) TWFE: leads and lags relative to adoption.

``y_it = a_i + l_t + Σ_{k≠ref} b_k 1[t − g_i = k] + x_it'c + e_it``, never-treated units carry no
event-time dummies (they are the controls), the reference period is ``ref = −1`` by default, and
the end points can be binned: with ``leads=L`` every ``t − g <= −L`` is pooled into ``−L``, with
``lags=K`` every ``t − g >= K`` into ``K`` (Schmidt 2019 / Borusyak et al. on why binning matters).
Without ``leads``/``lags`` every relative period observed gets its own dummy, which is what
pyfixest/fixest ``i(rel, ref=-1)`` estimates (the reference numbers in the tests).

The joint pre-trend test is a cluster-robust Wald test that all lead coefficients are 0, reported
as ``F = W/q`` against F(q, G−1) (fixest's small-sample t df), with the χ²(q) p-value alongside.
The headline ``estimate`` is the simple average of the post-adoption coefficients ``k >= 0`` with
its cluster-robust SE (a summary only: under heterogeneous effects these TWFE coefficients are
contaminated by other periods — Sun & Abraham 2021; use part 2's estimators then).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from toolkit.did import inference as inf
from toolkit.did.panel import Panel, regression_panel
from toolkit.did.pretest import not_possible
from toolkit.did.result import DidResult
from toolkit.did.twfe import check_weight_options, cluster_values, fit_within, weight_values
from toolkit.errors import ToolkitError


def event_time_bins(rel_time: pd.Series, leads: int | None, lags: int | None) -> pd.Series:
    """Relative time with the end points binned (NaN stays NaN = never treated)."""
    out = rel_time.copy()
    if leads is not None:
        if leads < 2:
            raise ToolkitError(f"leads must be at least 2 (the reference period is -1), got {leads}")
        out = out.where(~(out < -leads), -leads)
    if lags is not None:
        if lags < 0:
            raise ToolkitError(f"lags must be 0 or more, got {lags}")
        out = out.where(~(out > lags), lags)
    return out


def event_study(
    data: pd.DataFrame | Panel,
    *,
    yname: str,
    idname: str,
    tname: str,
    gname: str,
    covariates: Sequence[str] | str = (),
    cluster: str | None = None,
    leads: int | None = None,
    lags: int | None = None,
    ref: int = -1,
    vcov: str = "CR1",
    ssc: str = "nested",
    alpha: float = 0.05,
    weights: str | None = None,
) -> DidResult:
    """Event-study TWFE (``weights``: sampling weights column, WLS with CR1, as :func:`twfe`); returns a :class:`DidResult` with the ``event_study`` table (the
    reference period included with estimate 0 and SE NaN) and ``diagnostics["pretrend"]``."""
    check_weight_options(weights, vcov, None)
    panel = regression_panel(data, yname, idname, tname, gname, covariates=covariates, cluster=cluster, weights=weights)
    d = panel.data
    if panel.n_treated_units == 0:
        raise ToolkitError(f"no treated units: every value of column '{gname}' is 0 or empty")
    rel = event_time_bins(d["rel_time"], leads, lags)
    periods = sorted(int(k) for k in rel.dropna().unique())
    if ref not in periods:
        raise ToolkitError(
            f"reference period {ref} is not observed for any treated unit (relative periods observed: {periods})"
        )
    ks = [k for k in periods if k != ref]
    if not ks:
        raise ToolkitError("no event-time periods other than the reference period")
    dummies = np.column_stack([(rel == k).to_numpy(dtype="float64") for k in ks])
    names = [f"rel_{k}" for k in ks]
    X = np.column_stack([dummies, d[list(panel.covariates)].to_numpy(dtype="float64")]) if panel.covariates else dummies
    try:
        fit = fit_within(
            d["y"].to_numpy(float),
            X,
            names + list(panel.covariates),
            d["unit_code"].to_numpy(),
            d["time_code"].to_numpy(),
            cluster_values(panel, cluster),
            balanced=panel.balanced,
            weights=weight_values(panel, weights),
        )
    except ToolkitError as err:
        if panel.n_never_treated == 0:
            raise ToolkitError(
                "the event study is not identified without never-treated units when every relative period has a "
                "dummy (relative time, calendar time and cohort are collinear); bin the end points with --leads/--lags "
                f"or add never-treated units ({err.message})"
            ) from err
        raise
    V, df, how = inf.vcov_for(fit, vcov=vcov, ssc=ssc, contrast=0)
    if vcov.upper() == "CR2":  # Satterthwaite df differs per coefficient; use the smallest (conservative)
        dfs = [inf.cr2_vcov(fit, contrast=j)[1] for j in range(len(ks))]
        df = float(min(x for x in dfs if x is not None)) if all(x is not None for x in dfs) else df
    se = np.sqrt(np.diag(V))
    rows = []
    counts = rel.value_counts()
    for j, k in enumerate(ks):
        p, lo, hi = inf.t_inference(float(fit.coef[j]), float(se[j]), df, alpha)
        rows.append(
            {
                "event_time": k,
                "estimate": float(fit.coef[j]),
                "se": float(se[j]),
                "ci_low": lo,
                "ci_high": hi,
                "p_value": p,
                "n_obs": int(counts.get(k, 0)),
            }
        )
    rows.append(
        {
            "event_time": ref,
            "estimate": 0.0,
            "se": float("nan"),
            "ci_low": float("nan"),
            "ci_high": float("nan"),
            "p_value": float("nan"),
            "n_obs": int(counts.get(ref, 0)),
        }
    )
    table = pd.DataFrame(rows).sort_values("event_time", kind="mergesort").reset_index(drop=True)
    # the event-study covariance in table order (the reference row: 0, it is 0 by construction),
    # so honest_bounds and other users of several coefficients see their correlation
    pos = {k: j for j, k in enumerate(ks)}
    order = [pos.get(int(k)) for k in table["event_time"]]
    V_es = np.zeros((len(order), len(order)))
    idx = [i for i, j in enumerate(order) if j is not None]
    V_es[np.ix_(idx, idx)] = V[np.ix_([order[i] for i in idx], [order[i] for i in idx])]

    lead_idx = [j for j, k in enumerate(ks) if k < 0]
    pre = inf.wald_test(fit.coef[lead_idx], V[np.ix_(lead_idx, lead_idx)], df_denom=fit.n_clusters - 1)
    pre["possible"] = True
    if lead_idx and len(lead_idx) >= fit.n_clusters:
        pre.update(not_possible(len(lead_idx), fit.n_clusters))
    pre.update(
        {
            "leads": [ks[j] for j in lead_idx],
            "n_clusters": fit.n_clusters,
            "test": "cluster-robust Wald, F = W/q vs F(q, G-1); chi2(q) p alongside",
        }
    )
    post_idx = [j for j, k in enumerate(ks) if k >= 0]
    if post_idx:
        w = np.zeros(len(fit.names))
        w[post_idx] = 1.0 / len(post_idx)
        est = float(w @ fit.coef)
        est_se = float(np.sqrt(w @ V @ w))
        p, lo, hi = inf.t_inference(est, est_se, df, alpha)
    else:
        est = est_se = p = lo = hi = float("nan")
    warnings = list(panel.warnings)
    if np.isfinite(pre["p_value"]) and pre["p_value"] < alpha:
        warnings.append(
            f"pre-trend test rejects parallel pre-trends (p = {pre['p_value']:.3g} < {alpha}): the leads are jointly non-zero"
        )
    return DidResult(
        estimator="event",
        outcome=panel.yname,
        estimate=est,
        se=est_se,
        ci_low=lo,
        ci_high=hi,
        n_units=panel.n_units,
        n_obs=panel.n_obs,
        inference=f"{how}, clustered by {cluster or panel.idname} ({fit.n_clusters} clusters), t({df:g}); headline = mean of event-time coefficients 0..{max(ks)}"
        + (f"; weighted least squares, weights '{weights}'" if weights else ""),
        p_value=p,
        event_study=table,
        diagnostics={
            "pretrend": pre,
            "reference_period": ref,
            "event_study_vcov": V_es.tolist(),
            "binned": {"leads": leads, "lags": lags},
            "coefficients": {n: float(b) for n, b in zip(fit.names, fit.coef)},
            "n_clusters": fit.n_clusters,
            "df": float(df),
        },
        warnings=warnings,
        options={
            "vcov": vcov,
            "ssc": ssc,
            "cluster": cluster or panel.idname,
            "alpha": alpha,
            "leads": leads,
            "lags": lags,
            "ref": ref,
            "reference_period": ref,
            "base_period": "universal",
            "covariates": list(panel.covariates),
            "weights": weights,
        },
    )
