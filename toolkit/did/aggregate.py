"""Aggregating Callaway–Sant'Anna ATT(g,t) cells into summary effects.

Callaway & Sant'Anna (2021, §3.2) and R ``did`` 2.5.1 (``compute.aggte.R``); our own code:

* weights ``pg`` = share of *all* units in cohort g (never-treated included, R's
  ``mean(G == g)``);
* ``simple``: post cells (t ≥ g), ATT weighted by pg;
* ``group``: per cohort the plain mean of its post cells; overall = pg-weighted mean of cohorts;
* ``dynamic`` (event study): per event time e = t − g, the pg-weighted mean of the cells with
  that e; overall = plain mean over e ≥ 0;
* ``calendar``: per year t ≥ first cohort, the pg-weighted mean of post cells in t; overall =
  plain mean over years.

Because the weights pg are estimated, pg-weighted aggregates add R's ``wif`` term to their
influence function (the estimation effect of the weights); plain means do not need it.
Standard errors: analytic ``sqrt(mean(IF²)/n)`` or the multiplier bootstrap of the aggregated
influence function when the ATT(g,t) result was bootstrapped; simultaneous bands over the
cohorts / event times / years use the sup-t critical value from the same draws.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from toolkit.did.bootstrap import multiplier_bootstrap
from toolkit.did.inference import wald_inference
from toolkit.did.result import DidResult
from toolkit.did.staggered import SE_ZERO, AttGtResult
from toolkit.errors import ToolkitError

TYPES = ("simple", "dynamic", "group", "calendar")


def weight_influence(
    keep: np.ndarray, pg_cells: np.ndarray, G: np.ndarray, cohort_cells: np.ndarray, uw: np.ndarray | None = None
) -> np.ndarray:
    """Influence of estimating the weights pg[keep] / sum(pg[keep]) (R did's ``wif``); n × |keep|.

    Shared by the aggregations here, :mod:`toolkit.did.pretest` and :mod:`toolkit.did.sensitivity`."""
    S = pg_cells[keep].sum()
    member = (G[:, None] == cohort_cells[keep][None, :]).astype(float)
    if uw is not None:  # sampling weights: R's weights.ind * 1{G = g} - pg
        member = member * uw[:, None]
    centered = member - pg_cells[keep][None, :]
    return centered / S - centered.sum(axis=1, keepdims=True) * (pg_cells[keep] / S**2)[None, :]


def aggregated_influence(
    att: np.ndarray, IF: np.ndarray, keep: np.ndarray, weights: np.ndarray, wif: np.ndarray | None
) -> np.ndarray:
    """Influence function (n,) of Σ weights·ATT[keep]: the cells' influence functions weighted,
    plus the estimated weights' influence (``wif`` from :func:`weight_influence`, None = fixed)."""
    out = IF[:, keep] @ weights
    if wif is not None:
        out = out + wif @ att[keep]
    return out


class _Se:
    """Standard errors of aggregated influence functions, analytic or bootstrap (shared draws)."""

    def __init__(self, res: AttGtResult, bootstrap: bool, biters: int, seed: int):
        self.res, self.bootstrap, self.biters, self.seed = res, bootstrap, biters, seed
        self.n = res.n_units

    def analytic(self, inf: np.ndarray) -> np.ndarray:
        inf = inf if inf.ndim == 2 else inf[:, None]
        if self.res.cluster is not None:
            S = np.zeros((int(self.res.cluster.max()) + 1, inf.shape[1]))
            np.add.at(S, self.res.cluster, inf)
            return np.sqrt(np.sum(S**2, axis=0)) / self.n
        return np.sqrt(np.sum(inf**2, axis=0)) / self.n

    def __call__(self, inf: np.ndarray) -> np.ndarray:
        inf = inf if inf.ndim == 2 else inf[:, None]
        if self.bootstrap:
            se = multiplier_bootstrap(
                inf, biters=self.biters, seed=self.seed, alpha=self.res.alpha, cluster=self.res.cluster
            ).se
        else:
            se = self.analytic(inf)
        return np.where(se <= SE_ZERO, np.nan, se)

    def crit(self, inf: np.ndarray) -> float:
        z = stats.norm.ppf(1 - self.res.alpha / 2)
        if inf.shape[1] < 2:
            return z
        c = multiplier_bootstrap(
            inf, biters=self.biters, seed=self.seed, alpha=self.res.alpha, cluster=self.res.cluster
        ).crit_val
        return c if math.isfinite(c) and c >= z else z


def aggte(
    result: AttGtResult,
    type: str = "simple",
    *,
    min_e: float = -math.inf,
    max_e: float = math.inf,
    balance_e: int | None = None,
    bootstrap: bool | None = None,
    biters: int | None = None,
    seed: int | None = None,
    cband: bool = True,
) -> DidResult:
    """Aggregate ATT(g,t) like R ``did::aggte`` (type simple / dynamic / group / calendar).

    The table of the chosen type is filled (``event_study``, ``groups`` or ``calendar``) with
    pointwise ``ci_low/ci_high`` and, when ``cband``, sup-t simultaneous ``cband_low/cband_high``.
    ``bootstrap``/``biters``/``seed`` default to those of ``result``.
    """
    if type not in TYPES:
        raise ToolkitError(f"aggregation type must be one of {TYPES}, got {type!r}")
    bootstrap = result.bootstrap if bootstrap is None else bootstrap
    biters = result.biters if biters is None else biters
    seed = result.seed if seed is None else seed
    cells = result.cells
    ok = cells["estimate"].notna().to_numpy()
    att = cells["estimate"].to_numpy(dtype=float)
    group = cells["cohort"].to_numpy()
    t = cells["time"].to_numpy()
    IF = result.inffunc
    G = result.unit_cohort
    n = result.n_units
    cohorts = np.array(sorted(set(group.tolist())))
    uw = result.unit_weights
    pg_cohort = np.array([np.mean(G == g) if uw is None else np.mean(uw * (G == g)) for g in cohorts])
    pg = pg_cohort[np.searchsorted(cohorts, group)]
    se_of = _Se(result, bootstrap, biters, seed)
    table: pd.DataFrame | None = None
    tab_name = ""

    def table_from(keys: list[Any], key_name: str, est: np.ndarray, infs: np.ndarray) -> pd.DataFrame:
        se = se_of(infs)
        ci = wald_inference(est, se, result.alpha)
        band = wald_inference(est, se, result.alpha, crit=se_of.crit(infs)) if cband else ci
        return pd.DataFrame(
            {
                key_name: [int(k) for k in keys],
                "estimate": est,
                "se": se,
                "ci_low": ci.ci_low,
                "ci_high": ci.ci_high,
                "cband_low": band.ci_low,
                "cband_high": band.ci_high,
            }
        )

    if type == "simple":
        keep = np.flatnonzero((group <= t) & (t - group <= max_e) & ok)
        if len(keep) == 0:
            raise ToolkitError("no post-treatment ATT(g,t) cell to aggregate")
        wts = pg[keep] / pg[keep].sum()
        overall = float(att[keep] @ wts)
        inf = aggregated_influence(att, IF, keep, wts, weight_influence(keep, pg, G, group, uw))
        label = "simple: post-treatment ATT(g,t) weighted by cohort size"
    elif type == "group":
        est_g, infs = [], []
        for g in cohorts:
            keep = np.flatnonzero((group == g) & (g <= t) & (t - group <= max_e) & ok)
            if len(keep) == 0:
                est_g.append(np.nan)
                infs.append(np.zeros(n))
                continue
            wts = np.full(len(keep), 1 / len(keep))
            est_g.append(float(att[keep] @ wts))
            infs.append(aggregated_influence(att, IF, keep, wts, None))
        est_g = np.array(est_g)
        infs = np.column_stack(infs)
        has = ~np.isnan(est_g)
        table = table_from(list(cohorts[has]), "cohort", est_g[has], infs[:, has])
        tab_name = "groups"
        idx = np.flatnonzero(has)
        wts = pg_cohort[idx] / pg_cohort[idx].sum()
        overall = float(est_g[idx] @ wts)
        inf = aggregated_influence(est_g, infs, idx, wts, weight_influence(idx, pg_cohort, G, cohorts, uw))
        label = "group: mean of each cohort's post-treatment effects, weighted by cohort size"
    elif type == "dynamic":
        e_all = t - group
        include = ok.copy()
        if balance_e is not None:
            include &= (t.max() - group) >= balance_e
        eseq = np.unique(e_all[include])
        if balance_e is not None:
            eseq = eseq[(eseq <= balance_e) & (eseq >= balance_e - t.max() + t.min())]
        eseq = eseq[(eseq >= min_e) & (eseq <= max_e)]
        if len(eseq) == 0:
            raise ToolkitError("no event time left for the event study; widen min_e/max_e/balance_e")
        est_e, infs = [], []
        for e in eseq:
            keep = np.flatnonzero((e_all == e) & include)
            wts = pg[keep] / pg[keep].sum()
            est_e.append(float(att[keep] @ wts))
            infs.append(aggregated_influence(att, IF, keep, wts, weight_influence(keep, pg, G, group, uw)))
        est_e = np.array(est_e)
        infs = np.column_stack(infs)
        table = table_from(list(eseq), "event_time", est_e, infs)
        tab_name = "event_study"
        pos = np.flatnonzero(eseq >= 0)
        if len(pos) == 0:
            raise ToolkitError("no post-treatment event time (e ≥ 0) to average")
        overall = float(est_e[pos].mean())
        inf = infs[:, pos].mean(axis=1)
        label = "dynamic: mean of the event-time effects for e ≥ 0"
    else:  # calendar
        years = [int(y) for y in result.times if y >= group.min()]
        years = [y for y in years if np.any((t == y) & (group <= t) & ok)]
        if not years:
            raise ToolkitError("no calendar year has a post-treatment ATT(g,t) cell")
        est_t, infs = [], []
        for y in years:
            keep = np.flatnonzero((t == y) & (group <= t) & ok)
            wts = pg[keep] / pg[keep].sum()
            est_t.append(float(att[keep] @ wts))
            infs.append(aggregated_influence(att, IF, keep, wts, weight_influence(keep, pg, G, group, uw)))
        est_t = np.array(est_t)
        infs = np.column_stack(infs)
        table = table_from(years, "time", est_t, infs)
        tab_name = "calendar"
        overall = float(est_t.mean())
        inf = infs.mean(axis=1)
        label = "calendar: mean over calendar years of the year's post-treatment effects"

    se = float(se_of(inf)[0])
    how = (
        f"multiplier bootstrap ({biters} Rademacher draws, seed {seed}, IQR scale)"
        if bootstrap
        else "analytic influence function"
    )
    clustered = " clustered" if result.cluster is not None else " by unit"
    out = DidResult.normal_approximation(
        estimate=overall,
        se=se,
        alpha=result.alpha,
        estimator="cs",
        outcome=result.outcome,
        n_units=result.n_units,
        n_obs=result.n_obs,
        inference=f"Callaway–Sant'Anna ({label}); SE from {how}{clustered}; simultaneous bands sup-t",
        diagnostics={
            "aggregation": type,
            "pretest_wald": result.wald_stat,
            "pretest_df": result.wald_df,
            "pretest_p_value": result.wald_pvalue,
        },
        warnings=list(result.warnings),
        options={**result.options(), "aggregation": type, "bootstrap": bool(bootstrap), "biters": biters, "seed": seed},
    )
    if table is not None:
        setattr(out, tab_name, table)
    if type == "dynamic":
        # analytic covariance of the event-time estimates, for sensitivity analysis (honest DiD)
        if result.cluster is not None:
            S = np.zeros((int(result.cluster.max()) + 1, infs.shape[1]))
            np.add.at(S, result.cluster, infs)
        else:
            S = infs
        out.diagnostics["event_study_vcov"] = (S.T @ S / n**2).tolist()
    return out
