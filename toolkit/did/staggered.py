"""Callaway–Sant'Anna group-time average treatment effects ATT(g,t) for staggered adoption.

Counties adopt the county medical community reform in different years (seed 000 §2: reforms roll
out county by county), so a single two-way fixed-effects coefficient mixes already-treated
counties into the control group. Callaway & Sant'Anna (2021, J. Econometrics 225(2), 200–230)
estimate one 2×2 comparison per cohort ``g`` (first reform year) and period ``t`` instead:

    ATT(g,t) = E[Y_t − Y_b | G=g] − E[Y_t − Y_b | C=1]        (unconditional)

with ``b`` the base period and ``C`` the comparison units (never treated, or not yet treated by
``max(t, b)``). With covariates the 2×2 is the doubly robust estimator of Sant'Anna & Zhao (2020,
J. Econometrics 219(1)), or outcome regression / normalised IPW.

Definitions follow R ``did`` 2.5.1 (``att_gt``/``compute.att_gt``) and ``DRDID``
(``drdid_panel``, ``reg_did_panel``, ``std_ipw_did_panel``); the code is our own:

* ``base_period="varying"`` (default): pre-treatment cells compare ``t`` with ``t−1``;
  post-treatment cells compare ``t`` with the last period before ``g − anticipation``.
  ``"universal"``: every cell uses ``g − 1 − anticipation``; that cell itself is reported as 0.
* not-yet-treated controls for cell (g,t): ``G == 0`` or ``G > max(t, b) + anticipation``, ``G ≠ g``.
* cohorts first treated after the last period count as never treated (R ``did``).
* covariates are taken in the earlier of the two periods of the cell (R ``did``, balanced panel).
* influence functions are per unit, scaled by ``n / n_cell`` so every column lives on the full
  sample of ``n`` units; analytic SE = ``sqrt(sum(IF²)) / n``.
* the pre-test is R's Wald statistic ``n · att_pre' V⁻¹ att_pre`` with ``V = IF'IF / n``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from toolkit.did.bootstrap import multiplier_bootstrap
from toolkit.did.inference import wald_inference
from toolkit.did.panel import COHORT, Panel, Y, prepare_panel
from toolkit.did.result import DidResult
from toolkit.errors import ToolkitError

CONTROLS = ("never", "notyet")
EST_METHODS = ("dr", "reg", "ipw")
BASE_PERIODS = ("varying", "universal")

#: R ``did``: standard errors at or below this are reported as missing
SE_ZERO = np.sqrt(np.finfo(float).eps) * 10


@dataclass
class AttGtResult:
    """All ATT(g,t) cells with their influence functions (what :func:`aggte` needs)."""

    cells: pd.DataFrame  # cohort, time, base_time, event_time, post, estimate, se, ci_low, ci_high, cband_low, cband_high, n_treated, n_control
    inffunc: np.ndarray  # n_units × n_cells, column k = influence function of cell k
    unit_cohort: np.ndarray  # cohort per unit (0 = never treated), aligned with the rows of inffunc
    units: np.ndarray
    times: np.ndarray
    outcome: str
    n_units: int
    n_obs: int
    alpha: float
    control: str
    est_method: str
    base_period: str
    anticipation: int
    covariates: tuple[str, ...]
    bootstrap: bool
    biters: int
    seed: int
    cluster: np.ndarray | None = None  # cluster code per unit when clustering above the unit
    crit_val: float = float("nan")  # simultaneous-band critical value over the cells
    wald_stat: float | None = None
    wald_pvalue: float | None = None
    wald_df: int = 0
    warnings: list[str] = field(default_factory=list)
    unit_weights: np.ndarray | None = None  # sampling weight per unit, mean 1 (R did's weights.ind)
    weights: str | None = None  # the weights column

    @property
    def att(self) -> np.ndarray:
        return self.cells["estimate"].to_numpy(dtype=float)

    def options(self) -> dict[str, Any]:
        return {
            "control": self.control,
            "est_method": self.est_method,
            "base_period": self.base_period,
            "anticipation": self.anticipation,
            "covariates": list(self.covariates),
            "alpha": self.alpha,
            "bootstrap": self.bootstrap,
            "biters": self.biters,
            "seed": self.seed,
            "weights": self.weights,
        }


# ----------------------------------------------------------------------------- 2×2 estimators
def _logit(X: np.ndarray, d: np.ndarray, w: np.ndarray, max_iter: int = 100) -> np.ndarray:
    """Weighted logistic regression by Newton–Raphson (what R's ``glm(binomial)`` solves)."""
    beta = np.zeros(X.shape[1])
    for _ in range(max_iter):
        eta = np.clip(X @ beta, -35.0, 35.0)
        p = 1.0 / (1.0 + np.exp(-eta))
        grad = X.T @ (w * (d - p))
        hess = (X * (w * p * (1 - p))[:, None]).T @ X
        step = np.linalg.solve(hess, grad)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-12 * (1 + np.max(np.abs(beta))):
            break
    eta = np.clip(X @ beta, -35.0, 35.0)
    return 1.0 / (1.0 + np.exp(-eta))


def _wls(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    Xw = X * w[:, None]
    return np.linalg.solve(Xw.T @ X, Xw.T @ y)


#: a fitted propensity score this close to 0 or 1 means the covariates separate the cohort from its
#: comparison units (R's glm warns "fitted probabilities numerically 0 or 1 occurred" at 10·eps)
PS_SEPARATION = 1e-6


def did_panel_2x2(
    dy: np.ndarray,
    d: np.ndarray,
    X: np.ndarray,
    method: str = "dr",
    trim_level: float = 0.995,
    notes: list[str] | None = None,
    weights: np.ndarray | None = None,
) -> tuple[float, np.ndarray]:
    """One 2×2 panel DiD on the units of a cell: (ATT, influence function per unit).

    ``dy`` = Y_post − Y_pre, ``d`` = 1 for the cohort, 0 for comparison units, ``X`` the
    covariates with an intercept column. Formulas: Sant'Anna & Zhao (2020) as implemented in
    R ``DRDID`` (``drdid_panel`` "traditional" DR, ``reg_did_panel``, ``std_ipw_did_panel``);
    the influence function is on the cell's own sample (mean zero, ATT + mean(IF) linearises).
    With ``notes`` given, ``"separated"`` is appended when the propensity score separates the
    groups (some fitted score within :data:`PS_SEPARATION` of 0 or 1): no overlap, and the
    analytic SE is then not trustworthy. ``weights``: the units' sampling weights (R DRDID's
    ``i.weights``, normalised to mean 1 on the cell's units as there).
    """
    n = len(d)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float) / np.mean(weights)
    ctrl = d == 0
    if method in ("dr", "reg"):
        beta = _wls(X[ctrl], dy[ctrl], w[ctrl])
        out = X @ beta
        w_ols = w * (1 - d)
        XpX_inv = np.linalg.inv((X * w_ols[:, None]).T @ X / n)
        lin_ols = (X * (w_ols * (dy - out))[:, None]) @ XpX_inv  # n × k
    if method in ("dr", "ipw"):
        ps = _logit(X, d, w)
        if notes is not None and np.any((ps < PS_SEPARATION) | (ps > 1 - PS_SEPARATION)):
            notes.append("separated")
        ps = np.minimum(ps, 1 - 1e-6)
        keep = np.where(ctrl, ps < trim_level, True)
        W = ps * (1 - ps) * w
        hess_inv = np.linalg.inv((X * W[:, None]).T @ X) * n
        lin_ps = (X * (w * (d - ps))[:, None]) @ hess_inv  # n × k
    if method == "dr":
        w_t = keep * w * d
        w_c = keep * w * ps * (1 - d) / (1 - ps)
        r = dy - out
        eta_t = np.mean(w_t * r) / np.mean(w_t)
        eta_c = np.mean(w_c * r) / np.mean(w_c)
        inf_t = (w_t * r - w_t * eta_t - lin_ols @ np.mean(w_t[:, None] * X, axis=0)) / np.mean(w_t)
        inf_c = (
            w_c * r
            - w_c * eta_c
            + lin_ps @ np.mean((w_c * (r - eta_c))[:, None] * X, axis=0)
            - lin_ols @ np.mean(w_c[:, None] * X, axis=0)
        ) / np.mean(w_c)
        return float(eta_t - eta_c), inf_t - inf_c
    if method == "reg":
        w_t = w * d
        eta_t = np.mean(w_t * dy) / np.mean(w_t)
        eta_c = np.mean(w_t * out) / np.mean(w_t)
        inf_t = (w_t * dy - w_t * eta_t) / np.mean(w_t)
        inf_c = (w_t * out - w_t * eta_c + lin_ols @ np.mean(w_t[:, None] * X, axis=0)) / np.mean(w_t)
        return float(eta_t - eta_c), inf_t - inf_c
    if method == "ipw":
        w_t = keep * w * d
        w_c = keep * w * ps * (1 - d) / (1 - ps)
        eta_t = np.mean(w_t * dy) / np.mean(w_t)
        eta_c = np.mean(w_c * dy) / np.mean(w_c)
        inf_t = (w_t * dy - w_t * eta_t) / np.mean(w_t)
        inf_c = (w_c * dy - w_c * eta_c + lin_ps @ np.mean((w_c * (dy - eta_c))[:, None] * X, axis=0)) / np.mean(w_c)
        return float(eta_t - eta_c), inf_t - inf_c
    raise ValueError(f"unknown est_method {method!r}")


# ----------------------------------------------------------------------------- panel → arrays
@dataclass
class _Wide:
    units: np.ndarray
    times: np.ndarray
    Y: np.ndarray  # n × T
    G: np.ndarray  # n, 0 = never treated (cohorts after the last period folded in)
    X: np.ndarray | None  # n × T × k covariates (no intercept)
    n_obs: int
    warnings: list[str]
    cluster: np.ndarray | None


def _wide(panel: Panel, cluster: str | None = None) -> _Wide:
    d = panel.data
    n, T = panel.n_units, panel.n_times
    ui = d["unit_code"].to_numpy()
    ti = d["time_code"].to_numpy()
    Yw = np.full((n, T), np.nan)
    Yw[ui, ti] = d[Y].to_numpy(dtype=float)
    G = np.zeros(n, dtype=np.int64)
    G[ui] = d[COHORT].to_numpy()
    warnings = list(panel.warnings)
    late = G > panel.times[-1]
    if late.any():
        G[late] = 0  # R did: treated after the last period = never treated in the data
    X = None
    if panel.covariates:
        X = np.full((n, T, len(panel.covariates)), np.nan)
        for j, c in enumerate(panel.covariates):
            X[ui, ti, j] = d[c].to_numpy(dtype=float)
    cl = None
    if cluster is not None:
        first = d.groupby("unit_code", sort=True)[cluster].nunique()
        if (first > 1).any():
            raise ToolkitError(
                f"cluster column '{cluster}' varies within a unit ({panel.idname}); it must be constant per unit"
            )
        cl = pd.factorize(d.groupby("unit_code", sort=True)[cluster].first(), sort=True)[0]
    return _Wide(panel.units, panel.times, Yw, G, X, panel.n_obs, warnings, cl)


def _check_args(control: str, est_method: str, base_period: str, alpha: float, anticipation: int) -> None:
    if control not in CONTROLS:
        raise ToolkitError(
            f"control must be one of {CONTROLS} (never-treated or not-yet-treated units), got {control!r}"
        )
    if est_method not in EST_METHODS:
        raise ToolkitError(f"est_method must be one of {EST_METHODS}, got {est_method!r}")
    if base_period not in BASE_PERIODS:
        raise ToolkitError(f"base_period must be one of {BASE_PERIODS}, got {base_period!r}")
    if not 0 < alpha < 1:
        raise ToolkitError(f"alpha must be between 0 and 1, got {alpha!r}")
    if anticipation < 0 or int(anticipation) != anticipation:
        raise ToolkitError(f"anticipation must be a whole number of periods ≥ 0, got {anticipation!r}")


def att_gt(
    data: pd.DataFrame,
    yname: str,
    idname: str,
    tname: str,
    gname: str,
    *,
    control: str = "never",
    covariates: Sequence[str] | str = (),
    est_method: str = "dr",
    base_period: str = "varying",
    anticipation: int = 0,
    alpha: float = 0.05,
    bootstrap: bool = False,
    biters: int = 999,
    seed: int = 20240901,
    cluster: str | None = None,
    cband: bool = True,
    weights: str | None = None,
    panel: Panel | None = None,
) -> AttGtResult:
    """Callaway–Sant'Anna ATT(g,t) for every cohort g and period t.

    An unbalanced panel is estimated as R ``did`` with ``allow_unbalanced_panel=TRUE``, with a
    warning: without covariates by :func:`_unbalanced_cell`; with covariates by R DRDID's
    repeated-cross-section 2×2 for ``est_method`` (:func:`_unbalanced_reg_cell`).

    ``control="never"`` uses never-treated units (R ``control_group="nevertreated"``);
    ``"notyet"`` adds units not yet treated (R ``"notyettreated"``). ``bootstrap=True`` replaces
    the analytic SEs by multiplier-bootstrap SEs (Rademacher weights, IQR scale, as R ``mboot``);
    simultaneous bands (``cband_low/high``) are computed from ``biters`` draws with ``seed`` unless
    ``cband=False`` (then no bootstrap is run at all when ``bootstrap=False``; bands = pointwise).

    ``weights``: a column of sampling (population) weights, > 0 and constant within each unit (R
    ``did``'s ``weightsname``, csdid's ``weights_name``), normalised to mean 1 over the units: each
    2×2 is the weighted estimator of R DRDID and the aggregation shares are weighted cohort shares.
    Balanced panels only (an unbalanced panel with weights is refused).
    """
    _check_args(control, est_method, base_period, alpha, anticipation)
    if panel is None:
        panel = prepare_panel(
            data,
            yname,
            idname,
            tname,
            gname,
            covariates=covariates,
            extra_columns=tuple(c for c in (cluster, weights) if c),
        )
    covariates = panel.covariates
    w = _wide(panel, cluster)
    uw = _unit_weights(panel, weights) if weights else None
    G, Yw, times = w.G, w.Y, w.times
    n, T = Yw.shape
    if T < 2:
        raise ToolkitError(f"Callaway–Sant'Anna needs at least two periods in column '{tname}', found {T}")
    cohorts = sorted(int(g) for g in np.unique(G) if g > 0)
    if not cohorts:
        raise ToolkitError(
            f"no treated cohort in column '{gname}': every unit is never treated (0/empty) within {int(times[0])}–{int(times[-1])}"
        )
    never = G == 0
    if control == "never" and not never.any():
        panel.require_never_treated("control='never'")
    warnings = list(w.warnings)
    unbalanced = not panel.balanced
    seen = ~np.isnan(Yw)
    if unbalanced and weights:
        raise ToolkitError(
            f"Callaway–Sant'Anna with sampling weights (weights={weights!r}) needs a balanced panel; "
            f"{n * T - panel.n_obs} of {n * T} unit-periods are missing — estimate unweighted or balance the panel"
        )
    if unbalanced:
        n_missing = n * T - panel.n_obs
        warnings.append(
            f"unbalanced panel ({n_missing} of {n * T} unit-periods missing): each ATT(g,t) compares the means of "
            "the units observed in each of its two periods, as R did with allow_unbalanced_panel=TRUE"
        )
    if control == "notyet" and not never.any():
        # R did: without never-treated units the last cohort only serves as a control
        last = cohorts[-1]
        cohorts = cohorts[:-1]
        warnings.append(f"no never-treated units: cohort {last} is used only as a not-yet-treated comparison group")
        if not cohorts:
            raise ToolkitError("control='notyet' without never-treated units needs at least two cohorts")

    varying = base_period == "varying"
    t_first = 1 if varying else 0
    cols: list[np.ndarray] = []
    rows: list[dict[str, Any]] = []
    separated: list[str] = []
    for g in cohorts:
        before = np.flatnonzero(times + anticipation < g)
        if len(before) == 0:  # prepare_panel already rejects these; kept for anticipation > 0
            raise ToolkitError(
                f"cohort {g} in column '{gname}' has no pre-treatment period (first period {int(times[0])}, anticipation {anticipation})"
            )
        base_g = int(before[-1])
        treat = G == g
        for ti in range(t_first, T):
            post = g <= times[ti]
            bi = base_g if (post or not varying) else ti - 1
            if not varying and bi == ti:
                rows.append(_cell_row(g, times, ti, bi, post, 0.0, int(treat.sum()), 0))
                cols.append(np.zeros(n))
                continue
            if control == "never":
                ctrl = never
            else:
                threshold = times[max(ti, bi)] + anticipation
                ctrl = never | ((G > threshold) & (G != g))
            n_c = int(ctrl.sum())
            if n_c == 0:
                warnings.append(
                    f"no comparison units for cohort {g} in period {int(times[ti])}: ATT({g},{int(times[ti])}) not estimated"
                )
                continue
            dy = Yw[:, ti] - Yw[:, bi]
            if unbalanced:
                if covariates:
                    cell = _unbalanced_reg_cell(
                        Yw[:, ti],
                        Yw[:, bi],
                        w.X[:, ti, :],
                        w.X[:, bi, :],
                        seen[:, ti],
                        seen[:, bi],
                        treat,
                        ctrl,
                        n,
                        method=est_method,
                    )
                else:
                    cell = _unbalanced_cell(Yw[:, ti], Yw[:, bi], seen[:, ti], seen[:, bi], treat, ctrl, n)
                if cell is None:
                    warnings.append(
                        f"cohort {g} or its comparison units not observed in period {int(times[ti])} or "
                        f"{int(times[bi])}: ATT({g},{int(times[ti])}) not estimated"
                    )
                    continue
                att, inf = cell
                n_c = int((ctrl & (seen[:, ti] | seen[:, bi])).sum())
            elif not covariates and uw is not None:
                # the same closed form with sampling weights (weighted means; DRDID's IF rescaled by n/n_cell)
                w1, w0 = uw[treat], uw[ctrl]
                m1 = float(w1 @ dy[treat] / w1.sum())
                m0 = float(w0 @ dy[ctrl] / w0.sum())
                att = m1 - m0
                inf = np.zeros(n)
                inf[treat] = n * w1 * (dy[treat] - m1) / w1.sum()
                inf[ctrl] = -n * w0 * (dy[ctrl] - m0) / w0.sum()
            elif not covariates:
                # closed form of the DR/OR/IPW estimators with an intercept only
                m1 = dy[treat].mean()
                m0 = dy[ctrl].mean()
                att = float(m1 - m0)
                inf = np.zeros(n)
                inf[treat] = (n / treat.sum()) * (dy[treat] - m1)
                inf[ctrl] = -(n / n_c) * (dy[ctrl] - m0)
            else:
                sub = treat | ctrl
                Xs = w.X[sub, min(ti, bi), :]
                Xs = np.column_stack([np.ones(int(sub.sum())), Xs])
                notes: list[str] = []
                try:
                    att, inf_sub = did_panel_2x2(
                        dy[sub],
                        treat[sub].astype(float),
                        Xs,
                        est_method,
                        notes=notes,
                        weights=None if uw is None else uw[sub],
                    )
                except np.linalg.LinAlgError:
                    warnings.append(
                        f"covariate matrix singular for cohort {g} in period {int(times[ti])}: cell not estimated"
                    )
                    continue
                if notes:
                    separated.append(f"ATT({g},{int(times[ti])})")
                inf = np.zeros(n)
                inf[sub] = (n / sub.sum()) * inf_sub
            rows.append(_cell_row(g, times, ti, bi, post, att, int(treat.sum()), n_c))
            cols.append(inf)

    if separated:
        warnings.append(
            f"the propensity score separates the cohort from its comparison units (fitted scores of 0 or 1: no "
            f"overlap in the covariates) in {len(separated)} cell{'s' if len(separated) > 1 else ''} "
            f"({', '.join(separated[:6])}{'…' if len(separated) > 6 else ''}); their estimates and standard errors "
            "rest on extrapolation and are not reliable — drop or coarsen the separating covariate, or use est_method='reg'"
        )
    if not rows:
        raise ToolkitError("no ATT(g,t) cell could be estimated (no comparison units in any period)")
    IF = np.column_stack(cols)
    cells = pd.DataFrame(rows)
    att = cells["estimate"].to_numpy()
    se = np.sqrt(np.sum(IF**2, axis=0)) / n
    if w.cluster is not None:
        S = _cluster_sums(IF, w.cluster)
        se = np.sqrt(np.sum(S**2, axis=0)) / n
    se = np.where(se <= SE_ZERO, np.nan, se)

    z = stats.norm.ppf(1 - alpha / 2)
    crit = z
    if bootstrap or cband:
        boot = multiplier_bootstrap(IF, biters=biters, seed=seed, alpha=alpha, cluster=w.cluster)
        if bootstrap:
            se = np.where(np.isnan(se), np.nan, boot.se)
        if cband and np.isfinite(boot.crit_val) and boot.crit_val >= z:
            crit = boot.crit_val
    cells["se"] = se
    cells["ci_low"], cells["ci_high"], _ = wald_inference(att, se, alpha)
    cells["cband_low"], cells["cband_high"], _ = wald_inference(att, se, alpha, crit=crit)

    # R did's Wald pre-test on the pre-treatment cells (analytic V = IF'IF/n)
    wald = pval = None
    pre = np.flatnonzero((cells["cohort"] > cells["time"]).to_numpy() & ~np.isnan(se))
    if len(pre):
        # einsum without BLAS: a multithreaded BLAS call on this small Gram matrix costs more
        # than it saves on a busy machine
        Vpre = np.einsum("ij,ik->jk", IF[:, pre], IF[:, pre], optimize=False) / n
        if np.linalg.cond(Vpre) < 1 / np.finfo(float).eps:
            a = att[pre]
            wald = float(n * a @ np.linalg.solve(Vpre, a))
            pval = float(stats.chi2.sf(wald, len(pre)))

    return AttGtResult(
        cells=cells,
        inffunc=IF,
        unit_cohort=G,
        units=w.units,
        times=times,
        outcome=yname,
        n_units=n,
        n_obs=w.n_obs,
        alpha=alpha,
        control=control,
        est_method=est_method,
        base_period=base_period,
        anticipation=int(anticipation),
        covariates=tuple(covariates),
        bootstrap=bool(bootstrap),
        biters=int(biters),
        seed=int(seed),
        cluster=w.cluster,
        crit_val=float(crit),
        wald_stat=wald,
        wald_pvalue=pval,
        wald_df=len(pre),
        warnings=warnings,
        unit_weights=uw,
        weights=weights,
    )


def _unit_weights(panel: Panel, weights: str) -> np.ndarray:
    """One sampling weight per unit (rows of the wide arrays), > 0, constant within the unit, mean 1."""
    from toolkit.did.twfe import weight_values

    d = panel.data
    w = weight_values(panel, weights)
    code = d["unit_code"].to_numpy()
    lo = np.full(panel.n_units, np.inf)
    hi = np.full(panel.n_units, -np.inf)
    np.minimum.at(lo, code, w)
    np.maximum.at(hi, code, w)
    varies = np.flatnonzero(hi - lo > 1e-12 * hi)
    if len(varies):
        raise ToolkitError(
            f"weights column '{weights}' varies within {len(varies)} unit{'s' if len(varies) > 1 else ''} "
            f"({panel.idname}); Callaway–Sant'Anna takes sampling weights constant per unit, as R did"
        )
    return hi / hi.mean()


def _unbalanced_cell(
    y_t: np.ndarray,
    y_b: np.ndarray,
    seen_t: np.ndarray,
    seen_b: np.ndarray,
    treat: np.ndarray,
    ctrl: np.ndarray,
    n: int,
) -> tuple[float, np.ndarray] | None:
    """ATT(g,t) on an unbalanced panel without covariates: R ``did``'s repeated-cross-section 2×2
    (``allow_unbalanced_panel=TRUE``), which with an intercept only is the difference of four means —
    cohort and comparison units, each over the units observed in period t and in the base period b.

    Influence function: each observation contributes ``±(n / n_k)(y − m_k)`` for its mean m_k over
    n_k observations (R: DRDID's per-row function rescaled by n/n1 and summed by unit), summed per
    unit, so SE = sqrt(Σ_units IF²) / n is clustered by unit. ``None`` if a group is missing in a period.
    """
    groups = (
        (treat & seen_t, y_t, 1.0),
        (treat & seen_b, y_b, -1.0),
        (ctrl & seen_t, y_t, -1.0),
        (ctrl & seen_b, y_b, 1.0),
    )
    if any(not m.any() for m, _, _ in groups):
        return None
    att = 0.0
    inf = np.zeros(n)
    for m, y, sign in groups:
        mean = float(y[m].mean())
        att += sign * mean
        inf[m] += sign * (n / m.sum()) * (y[m] - mean)
    return float(att), inf


def _unbalanced_reg_cell(
    y_t: np.ndarray,
    y_b: np.ndarray,
    X_t: np.ndarray,
    X_b: np.ndarray,
    seen_t: np.ndarray,
    seen_b: np.ndarray,
    treat: np.ndarray,
    ctrl: np.ndarray,
    n: int,
    method: str = "reg",
    trim_level: float = 0.995,
) -> tuple[float, np.ndarray] | None:
    """ATT(g,t) with covariates on an unbalanced panel: R DRDID's ``reg_did_rc`` (outcome regression
    for repeated cross sections; ``method="reg"``) or ``std_ipw_did_rc`` (normalised IPW, propensity
    score trimmed at ``trim_level`` for comparison rows; ``"ipw"``) on the rows of cohort and
    comparison units observed in period t or in the base period b, each row's covariates from its
    own period (R did); its per-row influence function rescaled by n / n1 (n1 rows) and summed by
    unit, as R did. ``None`` if a group is missing in a period or a regression is singular."""
    rows_t = (treat | ctrl) & seen_t
    rows_b = (treat | ctrl) & seen_b
    unit = np.concatenate([np.flatnonzero(rows_t), np.flatnonzero(rows_b)])
    y = np.concatenate([y_t[rows_t], y_b[rows_b]])
    post = np.concatenate([np.ones(rows_t.sum()), np.zeros(rows_b.sum())])
    D = treat[unit].astype(float)
    X = np.column_stack([np.ones(len(y)), np.vstack([X_t[rows_t], X_b[rows_b]])])
    n1 = len(y)
    if min((D * post).sum(), (D * (1 - post)).sum(), ((1 - D) * post).sum(), ((1 - D) * (1 - post)).sum()) == 0:
        return None
    if method == "ipw":
        ps = np.minimum(_logit(X, D, np.ones(n1)), 1 - 1e-6)
        keep = np.where(D == 0, ps < trim_level, True).astype(float)
        w_tp, w_tq = keep * D * (1 - post), keep * D * post  # treated pre, post
        odds = keep * ps * (1 - D) / (1 - ps)
        w_cp, w_cq = odds * (1 - post), odds * post  # comparison pre, post
        try:
            H = np.linalg.inv((X * (ps * (1 - ps))[:, None]).T @ X) * n1
        except np.linalg.LinAlgError:
            return None
        lin_ps = (X * (D - ps)[:, None]) @ H
        means = [(wt * y).mean() / wt.mean() for wt in (w_tp, w_tq, w_cp, w_cq)]
        a_tp, a_tq, a_cp, a_cq = means

        def part(wt: np.ndarray, m: float) -> np.ndarray:
            return (wt * y - wt * m) / wt.mean()

        inf_treat = part(w_tq, a_tq) - part(w_tp, a_tp)
        M2 = ((w_cq * (y - a_cq))[:, None] * X).mean(axis=0) / w_cq.mean() - ((w_cp * (y - a_cp))[:, None] * X).mean(
            axis=0
        ) / w_cp.mean()
        inf_cont = part(w_cq, a_cq) - part(w_cp, a_cp) + lin_ps @ M2
        inf = np.zeros(n)
        np.add.at(inf, unit, (n / n1) * (inf_treat - inf_cont))
        return float((a_tq - a_tp) - (a_cq - a_cp)), inf
    if method == "dr":
        return _unbalanced_dr(y, post, D, X, unit, n, trim_level)
    lin = {}
    fitted = {}
    for p in (0.0, 1.0):
        w_ols = (1 - D) * (post == p)
        if w_ols.sum() == 0:
            return None
        XpX = (X * w_ols[:, None]).T @ X / n1
        try:
            XpX_inv = np.linalg.inv(XpX)
        except np.linalg.LinAlgError:
            return None
        beta = XpX_inv @ ((X * w_ols[:, None]).T @ y / n1)
        fitted[p] = X @ beta
        lin[p] = (X * (w_ols * (y - fitted[p]))[:, None]) @ XpX_inv  # n1 × k
    w_pre, w_post, w_cont = D * (1 - post), D * post, D
    att_pre, att_post = w_pre * y, w_post * y
    att_cont = w_cont * (fitted[1.0] - fitted[0.0])
    eta_pre, eta_post = att_pre.mean() / w_pre.mean(), att_post.mean() / w_post.mean()
    eta_cont = att_cont.mean() / w_cont.mean()
    inf_treat = (att_post - w_post * eta_post) / w_post.mean() - (att_pre - w_pre * eta_pre) / w_pre.mean()
    M1 = (w_cont[:, None] * X).mean(axis=0)
    inf_control = (att_cont - w_cont * eta_cont + lin[1.0] @ M1 - lin[0.0] @ M1) / w_cont.mean()
    inf = np.zeros(n)
    np.add.at(inf, unit, (n / n1) * (inf_treat - inf_control))
    return float((eta_post - eta_pre) - eta_cont), inf


def _ols_fit(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fitted values of the OLS of y on X over the rows with w = 1, and the asymptotic linear
    representation of its coefficients over all rows (R DRDID's asy.lin.rep.ols)."""
    n1 = len(y)
    XpX_inv = np.linalg.inv((X * w[:, None]).T @ X / n1)
    fitted = X @ (XpX_inv @ ((X * w[:, None]).T @ y / n1))
    return fitted, (X * (w * (y - fitted))[:, None]) @ XpX_inv


def _unbalanced_dr(
    y: np.ndarray, post: np.ndarray, D: np.ndarray, X: np.ndarray, unit: np.ndarray, n: int, trim_level: float
) -> tuple[float, np.ndarray] | None:
    """R DRDID's ``drdid_rc`` (the locally efficient doubly robust 2×2 for repeated cross sections:
    Sant'Anna & Zhao 2020, eq. 3.4) on the stacked rows of one ATT(g,t) cell; per-row influence
    function rescaled by n / n1 and summed by unit, as R did."""
    n1 = len(y)
    try:
        fc0, lc0 = _ols_fit(X, y, (1 - D) * (1 - post))  # comparison, base period
        fc1, lc1 = _ols_fit(X, y, (1 - D) * post)  # comparison, period t
        ft0, lt0 = _ols_fit(X, y, D * (1 - post))  # cohort, base period
        ft1, lt1 = _ols_fit(X, y, D * post)  # cohort, period t
        ps = np.minimum(_logit(X, D, np.ones(n1)), 1 - 1e-6)
        H = np.linalg.inv((X * (ps * (1 - ps))[:, None]).T @ X) * n1
    except np.linalg.LinAlgError:
        return None
    keep = np.where(D == 0, ps < trim_level, True).astype(float)
    fc = post * fc1 + (1 - post) * fc0
    w_tp, w_tq = keep * D * (1 - post), keep * D * post
    odds = keep * ps * (1 - D) / (1 - ps)
    w_cp, w_cq = odds * (1 - post), odds * post
    w_d, w_d1, w_d0 = keep * D, keep * D * post, keep * D * (1 - post)

    def eta(w: np.ndarray, v: np.ndarray) -> np.ndarray:
        return w * v / w.mean()

    r = y - fc
    e_tp, e_tq, e_cp, e_cq = eta(w_tp, r), eta(w_tq, r), eta(w_cp, r), eta(w_cq, r)
    e_d1, e_q1 = eta(w_d, ft1 - fc1), eta(w_d1, ft1 - fc1)
    e_d0, e_p0 = eta(w_d, ft0 - fc0), eta(w_d0, ft0 - fc0)
    a = {
        k: float(v.mean())
        for k, v in dict(tp=e_tp, tq=e_tq, cp=e_cp, cq=e_cq, d1=e_d1, q1=e_q1, d0=e_d0, p0=e_p0).items()
    }
    att = (a["tq"] - a["tp"]) - (a["cq"] - a["cp"]) + (a["d1"] - a["q1"]) - (a["d0"] - a["p0"])

    def centred(e: np.ndarray, w: np.ndarray, m: float) -> np.ndarray:
        return e - w * m / w.mean()

    def colmean(v: np.ndarray) -> np.ndarray:
        return (v[:, None] * X).mean(axis=0)

    lin_ps = (X * (D - ps)[:, None]) @ H
    inf_treat = (
        centred(e_tq, w_tq, a["tq"])
        - centred(e_tp, w_tp, a["tp"])
        + lc1 @ (-colmean(w_tq * post) / w_tq.mean())
        - lc0 @ (-colmean(w_tp * (1 - post)) / w_tp.mean())
    )
    M2 = colmean(w_cq * (r - a["cq"])) / w_cq.mean() - colmean(w_cp * (r - a["cp"])) / w_cp.mean()
    inf_cont = (
        centred(e_cq, w_cq, a["cq"])
        - centred(e_cp, w_cp, a["cp"])
        + lin_ps @ M2
        + lc1 @ (-colmean(w_cq * post) / w_cq.mean())
        - lc0 @ (-colmean(w_cp * (1 - post)) / w_cp.mean())
    )
    inf_eff = (centred(e_d1, w_d, a["d1"]) - centred(e_q1, w_d1, a["q1"])) - (
        centred(e_d0, w_d, a["d0"]) - centred(e_p0, w_d0, a["p0"])
    )
    mom1 = colmean(w_d / w_d.mean() - w_d1 / w_d1.mean())
    mom0 = colmean(w_d / w_d.mean() - w_d0 / w_d0.mean())
    inf_or = (lt1 - lc1) @ mom1 - (lt0 - lc0) @ mom0
    inf = np.zeros(n)
    np.add.at(inf, unit, (n / n1) * (inf_treat - inf_cont + inf_eff + inf_or))
    return float(att), inf


def _cell_row(
    g: int, times: np.ndarray, ti: int, bi: int, post: bool, att: float, n_t: int, n_c: int
) -> dict[str, Any]:
    return {
        "cohort": int(g),
        "time": int(times[ti]),
        "base_time": int(times[bi]),
        "event_time": int(times[ti]) - int(g),
        "post": bool(post),
        "estimate": float(att),
        "n_treated": n_t,
        "n_control": n_c,
    }


def _cluster_sums(IF: np.ndarray, cluster: np.ndarray) -> np.ndarray:
    S = np.zeros((int(cluster.max()) + 1, IF.shape[1]))
    np.add.at(S, cluster, IF)
    return S


def callaway_santanna(
    data: pd.DataFrame,
    yname: str,
    idname: str,
    tname: str,
    gname: str,
    *,
    control: str = "never",
    covariates: Sequence[str] | str = (),
    est_method: str = "dr",
    base_period: str = "varying",
    anticipation: int = 0,
    alpha: float = 0.05,
    bootstrap: bool = False,
    biters: int = 999,
    seed: int = 20240901,
    cluster: str | None = None,
    cband: bool = True,
    weights: str | None = None,
    panel: Panel | None = None,
) -> DidResult:
    """Callaway–Sant'Anna in one call: the simple overall ATT with every table filled.

    ``groups`` (cohort aggregation), ``event_study`` (dynamic aggregation), ``calendar``
    (calendar-year aggregation) and ``group_time`` (the ATT(g,t) cells); the other overall
    aggregates and the parallel-trends pre-tests are in ``diagnostics``: R ``did``'s Wald test over
    all pre-treatment cells (``pretest_wald``/``pretest_df``/``pretest_p_value``) and the
    lower-dimensional test on the pre-treatment event-time effects (``pretrend``,
    :func:`toolkit.did.pretest.dynamic_pretest`), which keeps its size with small cohorts.
    ``weights``: sampling weights constant per unit (:func:`att_gt`).
    """
    from toolkit.did.aggregate import aggte  # aggregate imports this module
    from toolkit.did.pretest import dynamic_pretest

    res = att_gt(
        data,
        yname,
        idname,
        tname,
        gname,
        control=control,
        covariates=covariates,
        est_method=est_method,
        base_period=base_period,
        anticipation=anticipation,
        alpha=alpha,
        bootstrap=bootstrap,
        biters=biters,
        seed=seed,
        cluster=cluster,
        cband=cband,
        weights=weights,
        panel=panel,
    )
    simple = aggte(res, "simple", cband=cband)
    dynamic = aggte(res, "dynamic", cband=cband)
    group = aggte(res, "group", cband=cband)
    calendar = aggte(res, "calendar", cband=cband)
    simple.event_study = dynamic.event_study
    simple.groups = group.groups
    simple.calendar = calendar.calendar
    simple.group_time = res.cells[
        [
            "cohort",
            "time",
            "base_time",
            "event_time",
            "post",
            "estimate",
            "se",
            "ci_low",
            "ci_high",
            "cband_low",
            "cband_high",
            "n_treated",
            "n_control",
        ]
    ].copy()
    simple.diagnostics["event_study_vcov"] = dynamic.diagnostics.get("event_study_vcov")
    simple.diagnostics["pretrend"] = dynamic_pretest(res)
    simple.diagnostics.update(
        {
            "overall": {
                name: {"estimate": r.estimate, "se": r.se, "ci_low": r.ci_low, "ci_high": r.ci_high}
                for name, r in (("simple", simple), ("dynamic", dynamic), ("group", group), ("calendar", calendar))
            },
        }
    )
    return simple
