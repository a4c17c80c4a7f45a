"""Robustness checks for a staggered DiD: placebo reform dates, leave-one-cohort-out, and
bounds under bounded violations of parallel trends ("honest DiD" style).

* :func:`placebo_dates` — pretend each cohort reformed ``k`` years earlier than it did and
  estimate the effect of that fake reform using only years before the true reform (Callaway–
  Sant'Anna ATT(g−k, t) for g−k ≤ t < g, cohort-size weighted like the simple aggregation,
  with the estimated-weights influence term). A real effect of a fake date signals anticipation
  or diverging trends.
* :func:`leave_one_cohort_out` — re-estimate dropping one cohort at a time: is the headline
  driven by one cohort?
* :func:`honest_bounds` — Rambachan & Roth (2023, REStud 90(5)) restrictions on the
  post-reform violation of parallel trends δ relative to what the pre-reform estimates show:
  relative magnitudes Δ^RM(M̄): every post-period change of δ is at most M̄ times the largest
  pre-period change; smoothness Δ^SD(M): the slope of δ changes by at most M per period
  (M = 0: linear extrapolation of the pre-trend). Target: the average of the post-reform event
  study coefficients.

  **Which confidence set** (``method=``): Rambachan–Roth's own sets, equal to R HonestDiD on
  its published Medicaid example — the FLCI for Δ^SD (:mod:`toolkit.did.honest`) and the ARP
  conditional / least-favourable hybrid sets for Δ^RM and Δ^SD (:mod:`toolkit.did.honest_arp`)
  — or a *conservative* interval of our own: the identified set computed with the largest
  pre-period change replaced by its upper confidence bound (max |Δβ| + z·se), widened by z·se of
  the post-average. It is wider than Rambachan–Roth's sets by construction of the union bound,
  and ignores the covariance between the pre-period slope and the post-average (we add the two
  margins, which is conservative for any correlation).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from toolkit.did.aggregate import aggregated_influence, weight_influence
from toolkit.did.inference import wald_inference
from toolkit.did.result import DidResult
from toolkit.did.staggered import att_gt, callaway_santanna
from toolkit.errors import ToolkitError


def _no_placebo(shift: int, cohorts: list[int]) -> dict:
    """The row of a shift no placebo cell could be estimated for."""
    nan = np.nan
    return {
        "shift": shift,
        "estimate": nan,
        "se": nan,
        "ci_low": nan,
        "ci_high": nan,
        "p_value": nan,
        "n_cells": 0,
        "cohorts": cohorts,
    }


def placebo_dates(
    data: pd.DataFrame,
    yname: str,
    idname: str,
    tname: str,
    gname: str,
    *,
    shifts: Iterable[int] = (1, 2),
    control: str = "never",
    alpha: float = 0.05,
    **att_gt_kwargs: Any,
) -> pd.DataFrame:
    """Placebo ATT of fake reform dates ``g − k`` for each k in ``shifts`` (years earlier).

    Returns one row per shift: ``shift, estimate, se, ci_low, ci_high, p_value, n_cells,
    cohorts`` (cohorts that still have a pre-period after the shift). Only cells with
    ``g − k ≤ t < g`` enter, so the true reform never contaminates the placebo.
    """
    if gname not in data.columns:
        raise ToolkitError(f"column '{gname}' (first treated period) not in the panel")
    rows = []
    g_true = pd.to_numeric(data[gname], errors="coerce").fillna(0)
    t_min = pd.to_numeric(data[tname], errors="coerce").min()
    for k in shifts:
        k = int(k)
        if k < 1:
            raise ToolkitError(f"placebo shifts must be whole years ≥ 1, got {k}")
        fake = np.where(g_true > 0, g_true - k, 0)
        usable = (g_true > 0) & (fake > t_min)
        # cohorts whose fake date has no pre-period are left out of the placebo (treated as absent)
        frame = data.loc[(g_true == 0) | usable].assign(**{"_placebo_g": fake[((g_true == 0) | usable).to_numpy()]})
        cohorts = sorted(int(g) for g in g_true[usable].unique())
        if not cohorts:
            rows.append(_no_placebo(k, []))
            continue
        res = att_gt(frame, yname, idname, tname, "_placebo_g", control=control, alpha=alpha, **att_gt_kwargs)
        c = res.cells
        grp = c["cohort"].to_numpy()
        t = c["time"].to_numpy()
        keep = np.flatnonzero((grp <= t) & (t < grp + k) & c["estimate"].notna().to_numpy())
        if len(keep) == 0:
            rows.append(_no_placebo(k, cohorts))
            continue
        G = res.unit_cohort
        cohort_list = np.array(sorted(set(grp.tolist())))
        uw = res.unit_weights
        pg_c = np.array([np.mean(G == g) if uw is None else np.mean(uw * (G == g)) for g in cohort_list])
        pg = pg_c[np.searchsorted(cohort_list, grp)]
        w = pg[keep] / pg[keep].sum()
        att = c["estimate"].to_numpy(dtype=float)
        est = float(att[keep] @ w)
        inf = aggregated_influence(att, res.inffunc, keep, w, weight_influence(keep, pg, G, grp, uw))
        se = float(math.sqrt(np.sum(inf**2)) / res.n_units)
        lo, hi, p = wald_inference(est, se, alpha, p_from_infinite_se=True)
        rows.append(
            {
                "shift": k,
                "estimate": est,
                "se": se,
                "ci_low": lo,
                "ci_high": hi,
                "p_value": p,
                "n_cells": int(len(keep)),
                "cohorts": cohorts,
            }
        )
    return pd.DataFrame(rows)


def leave_one_cohort_out(
    data: pd.DataFrame,
    yname: str,
    idname: str,
    tname: str,
    gname: str,
    *,
    estimator: Callable[..., DidResult] = callaway_santanna,
    **kwargs: Any,
) -> pd.DataFrame:
    """Headline estimate with all cohorts, then dropping each cohort's units in turn.

    Returns ``dropped_cohort`` (None for the full sample), ``estimate, se, ci_low, ci_high,
    n_units`` and ``change`` (estimate minus the full-sample estimate).
    """
    g = pd.to_numeric(data[gname], errors="coerce").fillna(0)
    t_max = pd.to_numeric(data[tname], errors="coerce").max()
    cohorts = sorted(int(c) for c in g.unique() if 0 < c <= t_max)
    if len(cohorts) < 2:
        raise ToolkitError(
            f"leave-one-cohort-out needs at least two treated cohorts in column '{gname}', found {cohorts}"
        )
    full = estimator(data, yname, idname, tname, gname, **kwargs)
    rows = [
        {
            "dropped_cohort": None,
            "estimate": full.estimate,
            "se": full.se,
            "ci_low": full.ci_low,
            "ci_high": full.ci_high,
            "n_units": full.n_units,
        }
    ]
    for c in cohorts:
        r = estimator(data.loc[(g != c).to_numpy()], yname, idname, tname, gname, **kwargs)
        rows.append(
            {
                "dropped_cohort": c,
                "estimate": r.estimate,
                "se": r.se,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "n_units": r.n_units,
            }
        )
    out = pd.DataFrame(rows)
    out["change"] = out["estimate"] - full.estimate
    return out


def _event_study_parts(result: DidResult) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    es = result.event_study
    if es is None or es.empty:
        raise ToolkitError("honest_bounds needs a result with an event study (e.g. aggte(..., 'dynamic'), sun_abraham)")
    es = es.dropna(subset=["estimate"]).sort_values("event_time")
    e = es["event_time"].to_numpy(dtype=int)
    b = es["estimate"].to_numpy(dtype=float)
    V = result.diagnostics.get("event_study_vcov")
    if V is None or len(V) != len(result.event_study):
        # a diagonal matrix built from the SEs would drop the leads' and lags' correlation and give
        # an interval narrower than the method promises: refuse instead
        raise ToolkitError(
            f"honest_bounds needs the event-study covariance, and this {result.estimator} result stores none "
            "(only standard errors); use an estimator that stores it (cs, sa, event)"
        )
    full_e = result.event_study["event_time"].to_numpy(dtype=int)
    pos = [int(np.flatnonzero(full_e == x)[0]) for x in e]
    V = np.asarray(V, dtype=float)[np.ix_(pos, pos)]
    base = result.options.get("base_period", "universal")
    return e, b, V, base


#: confidence sets honest_bounds can compute (method=)
HONEST_METHODS = ("conservative", "flci", "conditional", "hybrid")
#: HonestDiD's name of each ARP method (createSensitivityResults*(method=...))
ARP_METHODS = {"conditional": "ARP", "hybrid": "LF"}


def honest_inputs(result: DidResult) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """HonestDiD's inputs from an event-study result: ``betahat`` (pre-period coefficients oldest
    first, the reference period left out, then post), ``sigma``, ``numPrePeriods`` and the event
    times. Needs a single reference period (TWFE event, Sun–Abraham, CS with
    ``base_period="universal"``) with consecutive pre-periods before it."""
    e, b, V, base = _event_study_parts(result)
    if base != "universal":
        raise ToolkitError(
            "HonestDiD's intervals restrict coefficients measured against one reference period; this result has a "
            "varying base period — re-estimate with base_period='universal' (cs) or use event/sa"
        )
    ref = int(result.options.get("reference_period", result.diagnostics.get("reference_period", -1)))
    keep = e != ref
    e, b, V = e[keep], b[keep], V[np.ix_(keep, keep)]
    pre = e < 0
    n_pre = int(pre.sum())
    if ref != -1 or (n_pre and list(e[pre]) != list(range(-n_pre - 1, -1))):
        raise ToolkitError(
            f"HonestDiD's intervals need the reference period −1 and consecutive pre-periods before it; "
            f"this event study has reference {ref} and pre-periods {e[pre].tolist()}"
        )
    return b, V, n_pre, e


def honest_bounds(
    result: DidResult,
    Mbar: float | Sequence[float] = (0.0, 0.5, 1.0, 1.5, 2.0),
    *,
    restriction: str = "relative_magnitudes",
    method: str = "conservative",
    l_vec: Sequence[float] | None = None,
    alpha: float = 0.05,
    grid_points: int = 1000,
    grid: str = "r",
    seed: int = 0,
) -> pd.DataFrame:
    """Bounds on the average post-reform effect when parallel trends may fail (see module doc).

    ``result`` is an event study (CS dynamic aggregation, Sun–Abraham, …). With a
    ``"varying"`` base period (CS default) each pre-period estimate is already a one-period
    change of the pre-trend; with a universal base (reference e = −1) the changes are the
    differences of consecutive coefficients, with β(−1) = 0.

    ``restriction="relative_magnitudes"``: ``Mbar`` = M̄ (post changes ≤ M̄ × largest pre
    change). ``"smoothness"``: ``Mbar`` = M (bound on the change in slope per period; 0 = linear
    trend extrapolated from the last pre-period change).

    ``method="conservative"``: the identified set at the point estimates and the conservative
    interval of the module doc. ``method="flci"`` (``restriction="smoothness"`` only): HonestDiD's
    optimal fixed-length confidence interval (:func:`toolkit.did.honest.flci_smoothness`, equal to
    R ``HonestDiD::createSensitivityResults`` on its published Medicaid example,
    tests/did/test_honest_parity.py); ``l_vec`` = weights on the post-period coefficients
    (default: their average; HonestDiD's default is the first, ``[1, 0, …]``); ``id_low/high``
    are then NaN (not computed).

    ``method="conditional"`` / ``"hybrid"``, either restriction: Andrews–Roth–Pakes' conditional
    test and its least-favourable hybrid (κ = α/10; HonestDiD's ``Conditional`` and ``C-LF``, the
    latter its default for relative magnitudes), inverted over a grid of ``grid_points`` values
    of θ (:mod:`toolkit.did.honest_arp`; equal to R ``createSensitivityResults_relativeMagnitudes``
    on the Medicaid and Sun–Abraham examples of its README, tests/did/test_honest_arp.py).
    ``grid="r"``: R HonestDiD's default bounds; ``"centred"`` (relative magnitudes): the bounds of
    HonestDiD's README tables and Stata package. The ends are grid points (resolution: the grid
    step, ``attrs["grid_step"]``); ``attrs["open_end"]`` lists the values whose set reaches an
    end of the grid (widen it). ``seed`` seeds the hybrid's simulated critical value as R does
    (R's generator, so the same seed gives R's draws). ``id_low/high``: the identified set at
    the point estimates (HonestDiD ``.compute_IDset_*``).

    Returns one row per value: ``Mbar, estimate, id_low, id_high, ci_low, ci_high,
    rejects_zero``; ``attrs["breakdown"]`` is the largest value in ``Mbar`` whose CI excludes 0.
    """
    if method in ARP_METHODS:
        return _arp_table(result, Mbar, restriction, method, l_vec, alpha, grid_points, grid, seed)
    if method == "flci":
        return _flci_table(result, Mbar, restriction, l_vec, alpha)
    if restriction not in ("relative_magnitudes", "smoothness"):
        raise ToolkitError(f"restriction must be 'relative_magnitudes' or 'smoothness', got {restriction!r}")
    if method not in HONEST_METHODS:
        raise ToolkitError(f"method must be one of {', '.join(HONEST_METHODS)}, got {method!r}")
    values = [float(Mbar)] if np.isscalar(Mbar) else [float(m) for m in Mbar]
    if any(m < 0 for m in values):
        raise ToolkitError("Mbar must be ≥ 0")
    e, b, V, base = _event_study_parts(result)
    pre = e < 0
    post = e >= 0
    if not post.any():
        raise ToolkitError("the event study has no post-reform event time (e ≥ 0)")
    z = stats.norm.ppf(1 - alpha / 2)
    # pre-period one-step changes of the pre-trend and their standard errors (linear maps of b)
    if base == "varying":
        rows = [np.eye(len(b))[i] for i in np.flatnonzero(pre)]
    else:
        idx = {int(x): i for i, x in enumerate(e)}
        pre_e = sorted(int(x) for x in e[pre] if x != -1) + [-1]
        rows = []
        for a, c in zip(pre_e[:-1], pre_e[1:]):
            r = np.zeros(len(b))
            if c in idx:
                r[idx[c]] += 1
            if a in idx:
                r[idx[a]] -= 1
            rows.append(r)  # β(c) − β(a), β(−1) = 0
    if not rows:
        raise ToolkitError("the event study has no pre-reform event time to calibrate the bounds")
    D = np.array(rows)
    inc = D @ b
    inc_se = np.sqrt(np.clip(np.diag(D @ V @ D.T), 0, None))
    w = post.astype(float) / post.sum()
    theta = float(w @ b)
    theta_se = float(math.sqrt(max(w @ V @ w, 0.0)))
    horizons = e[post] + 1  # periods since the reference period −1
    out = []
    for m in values:
        if restriction == "relative_magnitudes":
            # |δ_{t} − δ_{t−1}| ≤ M̄·Δ  ⇒  |δ_e| ≤ (e+1)·M̄·Δ;  mean over post e
            slack = float(np.mean(horizons)) * m
            bias_hat, bias_hi = slack * float(np.max(np.abs(inc))), slack * float(np.max(np.abs(inc) + z * inc_se))
            centre = theta
        else:
            # δ_e = (e+1)·s + deviations, |deviation of slope| ≤ M per period ⇒ ± M·(e+1)(e+2)/2
            s = float(inc[-1])
            s_se = float(inc_se[-1])
            trend = float(np.mean(horizons)) * s
            centre = theta - trend
            bias_hat = m * float(np.mean(horizons * (horizons + 1) / 2))
            bias_hi = bias_hat + float(np.mean(horizons)) * z * s_se
        id_low, id_high = centre - bias_hat, centre + bias_hat
        ci_low, ci_high = centre - bias_hi - z * theta_se, centre + bias_hi + z * theta_se
        out.append(
            {
                "Mbar": m,
                "estimate": theta,
                "id_low": id_low,
                "id_high": id_high,
                "ci_low": ci_low,
                "ci_high": ci_high,
                "rejects_zero": bool(ci_low > 0 or ci_high < 0),
            }
        )
    table = pd.DataFrame(out)
    rejecting = [r["Mbar"] for r in out if r["rejects_zero"]]
    table.attrs["breakdown"] = max(rejecting) if rejecting else None
    table.attrs["restriction"] = restriction
    table.attrs["method"] = (
        "identified set at point estimates; conservative CI (pre-change upper confidence bound + z·se of the "
        "post average), wider than Rambachan–Roth's sets (method='flci', 'conditional', 'hybrid')"
    )
    return table


def _flci_table(
    result: DidResult, Mbar: float | Sequence[float], restriction: str, l_vec: Sequence[float] | None, alpha: float
) -> pd.DataFrame:
    from toolkit.did.honest import flci_smoothness

    if restriction != "smoothness":
        raise ToolkitError("method='flci' is HonestDiD's interval for restriction='smoothness' (Δ^SD)")
    values = [float(Mbar)] if np.isscalar(Mbar) else [float(m) for m in Mbar]
    if any(m < 0 for m in values):
        raise ToolkitError("M must be ≥ 0")
    b, V, n_pre, e = honest_inputs(result)
    n_post = len(b) - n_pre
    lv = np.full(n_post, 1.0 / n_post) if l_vec is None else np.asarray(l_vec, dtype=float)
    if len(lv) != n_post:
        raise ToolkitError(f"l_vec needs one weight per post-period coefficient ({n_post}), got {len(lv)}")
    theta = float(lv @ b[n_pre:])
    rows = []
    for m in values:
        f = flci_smoothness(b, V, n_pre, m, lv, alpha)
        rows.append(
            {
                "Mbar": m,
                "estimate": theta,
                "id_low": float("nan"),
                "id_high": float("nan"),
                "ci_low": f.low,
                "ci_high": f.high,
                "rejects_zero": bool(f.low > 0 or f.high < 0),
            }
        )
    table = pd.DataFrame(rows)
    rejecting = [r["Mbar"] for r in rows if r["rejects_zero"]]
    table.attrs["breakdown"] = max(rejecting) if rejecting else None
    table.attrs["restriction"] = restriction
    table.attrs["method"] = "Rambachan–Roth optimal FLCI for Δ^SD(M) (HonestDiD createSensitivityResults)"
    return table


def _arp_table(
    result: DidResult,
    Mbar: float | Sequence[float],
    restriction: str,
    method: str,
    l_vec: Sequence[float] | None,
    alpha: float,
    grid_points: int,
    grid: str,
    seed: int,
) -> pd.DataFrame:
    from toolkit.did.honest_arp import conditional_cs_rm, conditional_cs_sd, identified_set_rm, identified_set_sd

    if restriction not in ("relative_magnitudes", "smoothness"):
        raise ToolkitError(f"restriction must be 'relative_magnitudes' or 'smoothness', got {restriction!r}")
    values = [float(Mbar)] if np.isscalar(Mbar) else [float(m) for m in Mbar]
    if any(m < 0 for m in values):
        raise ToolkitError("Mbar must be ≥ 0")
    b, V, n_pre, e = honest_inputs(result)
    n_post = len(b) - n_pre
    if n_pre < 1 or n_post < 1:
        raise ToolkitError("the event study needs at least one pre-period and one post-period coefficient")
    lv = np.full(n_post, 1.0 / n_post) if l_vec is None else np.asarray(l_vec, dtype=float)
    if len(lv) != n_post:
        raise ToolkitError(f"l_vec needs one weight per post-period coefficient ({n_post}), got {len(lv)}")
    theta = float(lv @ b[n_pre:])
    hybrid = ARP_METHODS[method]
    rows, open_end, steps = [], [], []
    for m in values:
        if restriction == "relative_magnitudes":
            cs = conditional_cs_rm(
                b, V, n_pre, m, lv, alpha=alpha, hybrid=hybrid, grid_points=grid_points, grid=grid, seed=seed
            )
            id_low, id_high = identified_set_rm(b, n_pre, m, lv)
        else:
            cs = conditional_cs_sd(
                b, V, n_pre, m, lv, alpha=alpha, hybrid=hybrid, grid_points=grid_points, grid=grid, seed=seed
            )
            id_low, id_high = identified_set_sd(b, n_pre, m, lv)
        if cs.open_end:
            open_end.append(m)
        steps.append(float(cs.grid[1] - cs.grid[0]))
        rows.append(
            {
                "Mbar": m,
                "estimate": theta,
                "id_low": id_low,
                "id_high": id_high,
                "ci_low": cs.low,
                "ci_high": cs.high,
                "rejects_zero": bool(cs.low > 0 or cs.high < 0),
            }
        )
    table = pd.DataFrame(rows)
    rejecting = [r["Mbar"] for r in rows if r["rejects_zero"]]
    table.attrs["breakdown"] = max(rejecting) if rejecting else None
    table.attrs["restriction"] = restriction
    table.attrs["open_end"] = open_end
    table.attrs["grid_step"] = max(steps)
    table.attrs["method"] = (
        f"Andrews–Roth–Pakes {'conditional test' if hybrid == 'ARP' else 'least-favourable hybrid (kappa = alpha/10)'}"
        f" inverted over {grid_points} grid points (HonestDiD method {'Conditional' if hybrid == 'ARP' else 'C-LF'})"
    )
    return table
