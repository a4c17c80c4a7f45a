"""Pre-trend tests for Callaway–Sant'Anna on the event-time (dynamic) aggregation.

R ``did``'s own pre-test (kept in :func:`toolkit.did.staggered.att_gt`) is a Wald test of *all*
pre-treatment ATT(g,t) cells against χ²(k), with the k × k covariance estimated from the influence
functions. With small cohorts that covariance is estimated from a handful of counties per cell
and its inverse inflates the statistic: on a panel shaped like the synthetic province (60
counties, cohorts of 8/20/12, 20 pre cells) the test rejects a true null several times more often
than its nominal 5% (benchmarks/montecarlo_pretest.py). The tests here work on far fewer numbers:

* :func:`dynamic_pretest` — a Wald test that the pre-treatment event-time effects of the dynamic
  aggregation are jointly zero. The event-time effects θ(e) = Σ_g w_g(e)·ATT(g, g+e), e < 0, are
  those of Callaway & Sant'Anna (2021, §3.2/§4, "event-study" aggregation) and R ``did::aggte``
  (``type="dynamic"``), influence function included (with the estimated cohort weights, R's
  ``wif``). ``W = θ' V⁻¹ θ`` with ``V = S'S / n²`` (S: the aggregated influence functions, summed
  by cluster when clustered). The verdict's p-value uses Hotelling's T² small-sample reference
  for a covariance estimated from G clusters, ``W·(G−q) / (q·(G−1)) ~ F(q, G−q)`` (the
  "Hotelling T²" approximation of Pustejovsky & Tipton 2018, JBES 36(4), §3, with the naive
  df G−1); the F(q, G−1) p-value of our TWFE event study (``W/q``, fixest's ``t.df="min"``)
  and the χ²(q) p-value are reported alongside. With ``base_period="universal"`` the reference
  event time (e = −1 − anticipation) is identically zero and is left out.
* :func:`uniform_band_pretest` — the check R ``did`` recommends (Callaway & Sant'Anna 2021, §4.1;
  ``aggte(..., cband=TRUE)`` plotted with ``ggdid``): does the simultaneous (sup-t, multiplier
  bootstrap) band of the pre-treatment event-time effects exclude zero anywhere? The p-value is the
  share of bootstrap draws whose ``max_e |θ*(e)/σ(e)|`` reaches the observed ``max_e |θ(e)/σ(e)|``.

Only cells with event time below zero enter (cohort > time), as in R's pre-test.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from toolkit.did.aggregate import aggregated_influence, weight_influence
from toolkit.did.bootstrap import multiplier_bootstrap
from toolkit.did.staggered import SE_ZERO, AttGtResult


def pre_event_time_effects(result: AttGtResult) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pre-treatment event times e < 0, their effects θ(e) and influence functions (n × q).

    Same weights as R ``did::aggte(type="dynamic")``: within an event time, cells weighted by the
    share of all units in their cohort, plus the influence of estimating those shares.
    Degenerate event times (the universal base period's reference, all-zero influence) are dropped.
    """
    cells = result.cells
    att = cells["estimate"].to_numpy(dtype=float)
    group = cells["cohort"].to_numpy()
    t = cells["time"].to_numpy()
    ok = np.isfinite(att)
    G = result.unit_cohort
    cohorts = np.array(sorted(set(group.tolist())))
    uw = result.unit_weights
    pg = np.array([np.mean(G == g) if uw is None else np.mean(uw * (G == g)) for g in cohorts])[
        np.searchsorted(cohorts, group)
    ]
    e_all = t - group
    events, est, infs = [], [], []
    for e in np.unique(e_all[ok & (e_all < 0)]):
        keep = np.flatnonzero((e_all == e) & ok)
        wts = pg[keep] / pg[keep].sum()
        inf = aggregated_influence(att, result.inffunc, keep, wts, weight_influence(keep, pg, G, group, uw))
        if np.sqrt(np.sum(inf**2)) / result.n_units <= SE_ZERO:
            continue  # the universal base period: estimate 0 by construction
        events.append(int(e))
        est.append(float(att[keep] @ wts))
        infs.append(inf)
    if not events:
        return np.array([], dtype=int), np.array([]), np.zeros((result.n_units, 0))
    return np.array(events), np.array(est), np.column_stack(infs)


def _cluster_scores(result: AttGtResult, inf: np.ndarray) -> np.ndarray:
    if result.cluster is None:
        return inf
    S = np.zeros((int(result.cluster.max()) + 1, inf.shape[1]))
    np.add.at(S, result.cluster, inf)
    return S


def dynamic_pretest(result: AttGtResult) -> dict[str, Any]:
    """Wald test of the pre-treatment event-time effects, Hotelling F(q, G−q) reference (module doc).

    Returns ``event_times``, ``estimates``, ``se``, ``wald`` (W), ``df1`` (q), ``df2`` (G−q),
    ``stat_f`` (W·(G−q)/(q·(G−1))), ``p_value`` (that F), ``p_value_f_naive`` (W/q vs F(q, G−1)),
    ``p_value_chi2`` and ``n_clusters`` (G). Without any pre-treatment event time the statistic
    and p-values are NaN; so they are, with a ``warning``, when there are not more clusters than
    event times (the covariance cannot be inverted).
    """
    events, est, inf = pre_event_time_effects(result)
    S = _cluster_scores(result, inf)
    n_cl = S.shape[0]
    n = result.n_units
    q = len(events)
    out: dict[str, Any] = {
        "test": "Wald test of the pre-treatment event-time effects (CS dynamic aggregation), "
        "Hotelling T2 reference W(G-q)/(q(G-1)) vs F(q, G-q); F(q, G-1) and chi2(q) p alongside",
        "event_times": events.tolist(),
        "estimates": est.tolist(),
        "se": (np.sqrt(np.sum(S**2, axis=0)) / n).tolist(),
        "df1": q,
        "df2": float(n_cl - q),
        "n_clusters": int(n_cl),
        "possible": True,
        "wald": float("nan"),
        "stat_f": float("nan"),
        "p_value": float("nan"),
        "p_value_f_naive": float("nan"),
        "p_value_chi2": float("nan"),
    }
    if q == 0:
        return out
    if n_cl - q < 1:
        # q effects need more than q clusters for an invertible covariance: no test (NaN), said why
        out.update(not_possible(q, n_cl))
        return out
    V = S.T @ S / n**2
    out.update(hotelling_reference(float(est @ np.linalg.pinv(V) @ est), q, n_cl))
    return out


def not_possible(q: int, n_clusters: int) -> dict[str, Any]:
    """The fields of a pre-test that cannot be run: q restrictions need more than q clusters (a
    cluster-robust covariance from G clusters has rank at most G − 1). No reference distribution
    (``df2`` None, never a negative df), NaN statistic and p-values, and the reason in words."""
    return {
        "possible": False,
        "df2": None,
        "stat_f": float("nan"),
        "wald": float("nan"),
        "p_value": float("nan"),
        "p_value_chi2": float("nan"),
        "warning": f"{q} pre-treatment event times but only {n_clusters} clusters: too few to test them jointly",
    }


def hotelling_reference(wald: float, q: int, n_clusters: int) -> dict[str, float]:
    """p-values of a cluster-robust Wald statistic W of q restrictions from G clusters (G > q).

    ``stat_f`` = W·(G−q)/(q·(G−1)) and ``p_value`` from F(q, G−q) (Hotelling T², Pustejovsky &
    Tipton 2018, §3, naive df G−1); ``p_value_f_naive`` = W/q vs F(q, G−1); ``p_value_chi2`` = W
    vs χ²(q). Returns ``wald`` too, so a caller can ``update`` its result with it.
    """
    G = n_clusters
    F = wald * (G - q) / (q * (G - 1))
    return {
        "wald": wald,
        "stat_f": F,
        "p_value": float(stats.f.sf(F, q, G - q)),
        "p_value_f_naive": float(stats.f.sf(wald / q, q, G - 1)),
        "p_value_chi2": float(stats.chi2.sf(wald, q)),
    }


def uniform_band_pretest(
    result: AttGtResult, *, biters: int = 999, seed: int | None = None, alpha: float | None = None
) -> dict[str, Any]:
    """Sup-t test of the pre-treatment event-time effects from the multiplier bootstrap.

    ``rejects`` is True when the simultaneous ``1 − alpha`` band excludes zero at some pre-treatment
    event time (R ``did``'s recommended visual pre-test); ``p_value`` = share of draws with
    ``max_e |draw_e / scale_e| ≥ max_e |θ(e)| / se_e`` (bootstrap scale and SE, as R's bands).
    """
    seed = result.seed if seed is None else seed
    alpha = result.alpha if alpha is None else alpha
    events, est, inf = pre_event_time_effects(result)
    out: dict[str, Any] = {
        "test": "sup-t multiplier-bootstrap band over the pre-treatment event times (R did cband)",
        "event_times": events.tolist(),
        "biters": int(biters),
        "seed": int(seed),
        "stat": float("nan"),
        "crit_val": float("nan"),
        "p_value": float("nan"),
        "rejects": False,
    }
    if len(events) == 0:
        return out
    boot = multiplier_bootstrap(inf, biters=biters, seed=seed, alpha=alpha, cluster=result.cluster)
    n = result.n_units
    n_cl = inf.shape[0] if result.cluster is None else int(result.cluster.max()) + 1
    scale = boot.se * n / math.sqrt(n_cl)  # the draws' robust scale per event time
    good = np.isfinite(scale) & (scale > 0)
    t_obs = float(np.max(np.abs(est[good]) / boot.se[good]))
    t_boot = np.max(np.abs(boot.draws[:, good] / scale[good]), axis=1)
    out.update(
        {
            "stat": t_obs,
            "crit_val": float(boot.crit_val),
            "p_value": float(np.mean(t_boot >= t_obs)),
            "rejects": bool(t_obs > boot.crit_val),
        }
    )
    return out
