"""Cluster-robust inference for fixed-effects DiD regressions.

Conventions (named because tools differ, by ~12% on mpdta, only through the small-sample factor):

* **CR1, ``ssc="nested"``** (default) — R fixest / pyfixest default ``ssc(adj=TRUE,
  fixef.K="nested", cluster.adj=TRUE)``, also Stata reghdfe: ``V = c · B (Σ_g s_g s_g') B`` with
  ``c = G/(G−1) · (N−1)/(N−K)`` where ``K`` counts the slope coefficients plus the fixed effects
  that are *not* nested in the clusters (unit effects nested in unit clusters are not counted).
* **CR1, ``ssc="full"``** — statsmodels OLS with dummies (``cov_type="cluster"``) / linearmodels:
  the same formula with ``K`` = every parameter including all fixed effects and the intercept.
* **CR2** — Bell & McCaffrey (2002) bias-reduced linearisation as in R clubSandwich
  (Pustejovsky & Tipton 2018) with working model Φ = I: ``V = B Σ_g Ẍ_g' A_g e_g e_g' A_g Ẍ_g B``
  with ``A_g = (I − H_gg)^{+1/2}`` (symmetric Moore–Penrose square root, eigenvalues below 1e-12
  dropped, as clubSandwich's ``Sym_power``) and ``H`` the hat matrix of the **full** model with
  unit and period dummies; ``H_gg`` is formed without the dummies by Frisch–Waugh–Lovell:
  ``H = P_U + P_{M_U [Y, X]}`` (U unit dummies, Y period dummies). Degrees of freedom:
  clubSandwich's Satterthwaite approximation ``ν = (Σ_g p_g'p_g)² / Σ_gh (p_g'p_h)²`` with
  ``p_g = (I−H)_{·g} A_g Ẍ_g B c``.

``B = (Ẍ'Ẍ)^{-1}`` of the within-transformed regressors; ``s_g = Ẍ_g' e_g`` the cluster score.
p-values and CIs use Student t with G−1 df for CR1 (fixest's ``t.df="min"``), Satterthwaite df for
CR2. Joint tests (pre-trends) are Wald tests reported as F(q, G−1) = W/q, with the χ²(q) p-value
alongside.

Few treated clusters: :func:`wild_cluster_bootstrap` (WCR: null imposed, Rademacher or Webb
weights, fixed seed, Roodman et al. 2019 "boottest" algebra so no regression is re-run) and, for a
single treated cluster where the wild bootstrap is known to fail (MacKinnon & Webb 2017),
:func:`permutation_inference` (placebo reassignment of the treatment to each control cluster).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from toolkit.errors import ToolkitError

if TYPE_CHECKING:  # pragma: no cover
    from toolkit.did.panel import Panel
    from toolkit.did.twfe import TwfeFit

#: eigenvalues of I - H_gg at or below this are treated as zero (clubSandwich Sym_power: 1e-12)
CR2_EIG_TOL = 1e-12
#: above this many N x G cells the CR2 Satterthwaite df is replaced by G - 1 (memory)
SATTERTHWAITE_MAX_CELLS = 40_000_000
#: with Rademacher weights and at most this many clusters, all 2^G sign vectors are enumerated
ENUMERATE_MAX_CLUSTERS = 13


def cluster_codes(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """0-based integer codes (sorted order) and labels for cluster ids of any dtype (text too)."""
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
    if series.isna().any():
        raise ToolkitError(f"cluster ids are missing in {int(series.isna().sum())} rows")
    try:
        codes, labels = pd.factorize(series, sort=True)
    except TypeError:  # mixed id types: order by their text
        codes, labels = pd.factorize(series.astype(str), sort=True)
    return codes.astype("int64"), np.asarray(labels, dtype=object)


def cluster_sums(values: np.ndarray, codes: np.ndarray, n_clusters: int) -> np.ndarray:
    """Σ over rows of each cluster, per column: shape (G, k)."""
    values = values.reshape(len(values), -1)
    return np.column_stack(
        [np.bincount(codes, weights=values[:, j], minlength=n_clusters) for j in range(values.shape[1])]
    )


def n_params_counted(fit: TwfeFit, ssc: str) -> int:
    """K in (N−1)/(N−K) for the small-sample factor under convention ``ssc``."""
    k = len(fit.names)
    if ssc == "full":
        return k + fit.n_fe
    if ssc == "nested":
        # fixest fixef.K="nested" (pyfixest k_fixef="nonnested"): subtract the levels of each fixed
        # effect fully nested in the clusters, and add one back per such fixed effect (the level
        # that was already not counted as redundant; fixest GitHub #554). mpdta: 1 + 504 - 500 + 1 = 6.
        fe = fit.n_fe
        if fit.units_nested_in_clusters:
            fe += 1 - fit.n_units
        if _nested(fit.time_code, fit.cluster_code):
            fe += 1 - fit.n_times
        return k + max(fe, 0)
    raise ToolkitError(
        f"unknown small-sample convention ssc='{ssc}'; expected 'nested' (fixest) or 'full' (statsmodels/linearmodels)"
    )


def is_nested(fe_code: np.ndarray, cluster_code: np.ndarray) -> bool:
    """True when every level of ``fe_code`` lies in a single cluster."""
    fe_code = np.asarray(fe_code)
    first = np.empty(int(fe_code.max()) + 1, dtype=np.int64)
    first[fe_code[::-1]] = np.asarray(cluster_code)[::-1]
    return bool(np.array_equal(first[fe_code], cluster_code))


_nested = is_nested


def ssc_factor(n_obs: int, n_params: int, n_clusters: int) -> float:
    """G/(G−1) · (N−1)/(N−K)."""
    if n_clusters < 2:
        raise ToolkitError("cluster-robust standard errors need at least 2 clusters")
    return n_clusters / (n_clusters - 1) * (n_obs - 1) / (n_obs - n_params)


def cr1_vcov(fit: TwfeFit, ssc: str = "nested") -> np.ndarray:
    scores = cluster_sums(fit.x_dm * fit.resid[:, None], fit.cluster_code, fit.n_clusters)
    meat = scores.T @ scores
    factor = ssc_factor(fit.n_obs, n_params_counted(fit, ssc), fit.n_clusters)
    return factor * fit.bread @ meat @ fit.bread


def _sym_inv_sqrt(matrix: np.ndarray) -> np.ndarray:
    vals, vecs = np.linalg.eigh((matrix + matrix.T) / 2)
    inv = np.where(vals > CR2_EIG_TOL, 1.0 / np.sqrt(np.clip(vals, CR2_EIG_TOL, None)), 0.0)
    return (vecs * inv) @ vecs.T


def _unit_demeaned_year_dummies(fit: TwfeFit) -> np.ndarray:
    n_u = fit.n_units
    cnt = np.bincount(fit.unit_code, minlength=n_u).astype(float)
    Y = np.zeros((fit.n_obs, fit.n_times))
    Y[np.arange(fit.n_obs), fit.time_code] = 1.0
    means = (
        np.column_stack([np.bincount(fit.unit_code, weights=Y[:, t], minlength=n_u) for t in range(fit.n_times)])
        / cnt[:, None]
    )
    return Y - means[fit.unit_code]


def cr2_vcov(fit: TwfeFit, contrast: int | None = None) -> tuple[np.ndarray, float | None]:
    """CR2 (clubSandwich) variance and, for coefficient ``contrast``, its Satterthwaite df."""
    from toolkit.did.twfe import within_transform

    n_u = fit.n_units
    t_per_unit = np.bincount(fit.unit_code, minlength=n_u).astype(float)
    # W = M_U [Y, X_raw]: unit-demeaned period dummies and regressors; H = P_U + W (W'W)^+ W'
    x_u = (
        fit.x_raw
        - (
            np.column_stack(
                [np.bincount(fit.unit_code, weights=fit.x_raw[:, j], minlength=n_u) for j in range(fit.x_raw.shape[1])]
            )
            / t_per_unit[:, None]
        )[fit.unit_code]
    )
    W = np.column_stack([_unit_demeaned_year_dummies(fit), x_u])
    Q = np.linalg.pinv(W.T @ W, rcond=1e-12, hermitian=True)
    order = np.argsort(fit.cluster_code, kind="stable")
    bounds = np.searchsorted(fit.cluster_code[order], np.arange(fit.n_clusters + 1))
    k = fit.x_dm.shape[1]
    meat = np.zeros((k, k))
    want_df = contrast is not None and fit.n_obs * fit.n_clusters <= SATTERTHWAITE_MAX_CELLS
    AX = np.zeros((fit.n_obs, k)) if want_df else None
    for g in range(fit.n_clusters):
        idx = order[bounds[g] : bounds[g + 1]]
        u = fit.unit_code[idx]
        h = (u[:, None] == u[None, :]) / t_per_unit[u][None, :]
        h = h + W[idx] @ Q @ W[idx].T
        A = _sym_inv_sqrt(np.eye(len(idx)) - h)
        ax = A @ fit.x_dm[idx]
        score = ax.T @ fit.resid[idx]
        meat += np.outer(score, score)
        if want_df:
            AX[idx] = ax
    V = fit.bread @ meat @ fit.bread
    if not want_df:
        return V, None
    # p_g = (I - H) v_g with v_g = A_g X_g B c placed on cluster g's rows; (I - H) w = M_D w - X B X' w
    v = AX @ (fit.bread[:, contrast])
    Vg = np.zeros((fit.n_obs, fit.n_clusters))
    Vg[np.arange(fit.n_obs), fit.cluster_code] = v
    P = within_transform(Vg, fit.unit_code, fit.time_code)
    P -= fit.x_dm @ (fit.bread @ (fit.x_dm.T @ P))
    PP = P.T @ P
    df = float(np.trace(PP) ** 2 / np.sum(PP**2))
    return V, df


def vcov_for(
    fit: TwfeFit, *, vcov: str = "CR1", ssc: str = "nested", contrast: int = 0
) -> tuple[np.ndarray, float, str]:
    """(variance matrix, t degrees of freedom, description) for a fitted within regression."""
    G = fit.n_clusters
    if G < 2:
        raise ToolkitError("cluster-robust inference needs at least 2 clusters")
    kind = vcov.upper()
    if kind == "CR1":
        label = (
            "fixest/pyfixest default: FE nested in clusters not counted"
            if ssc == "nested"
            else "statsmodels/linearmodels: all FE counted"
        )
        return cr1_vcov(fit, ssc), float(G - 1), f"cluster-robust CR1 ({label})"
    if kind == "CR2":
        V, df = cr2_vcov(fit, contrast)
        if df is None:
            return (
                V,
                float(G - 1),
                "cluster-robust CR2 (Bell–McCaffrey, clubSandwich), G−1 df (panel too large for Satterthwaite df)",
            )
        return V, df, "cluster-robust CR2 (Bell–McCaffrey, clubSandwich) with Satterthwaite df"
    raise ToolkitError(f"unknown vcov '{vcov}'; expected CR1 or CR2")


class WaldInference(NamedTuple):
    """Confidence interval and two-sided p-value of one estimate (or of arrays of them)."""

    ci_low: Any
    ci_high: Any
    p_value: Any


def wald_inference(
    estimate: Any,
    se: Any,
    alpha: float = 0.05,
    *,
    df: float = math.inf,
    crit: Any = None,
    strict: bool = False,
    missing_p: Any = math.nan,
    p_from_infinite_se: bool = False,
) -> WaldInference:
    """``(ci_low, ci_high, p_value)`` from an estimate and its SE: the one place every DiD
    estimator turns a standard error into a confidence interval and a p-value.

    ``ci = estimate ∓ c·se`` with ``c = crit`` (e.g. a sup-t band's critical value) or the
    ``1 − alpha/2`` quantile of Student t with ``df`` degrees of freedom (standard normal when
    ``df`` is infinite); ``p = 2·P(|T| ≥ |estimate/se|)``. Scalars or numpy arrays.

    Rule for a zero, NaN or infinite SE: only a finite positive SE gives a p-value; otherwise the
    p-value is ``missing_p``. The CI is ``estimate ∓ c·se`` as computed (a NaN SE gives a NaN
    CI, a zero SE the zero-width ``[estimate, estimate]``), and with ``strict=True`` it is NaN too,
    as is the p-value (``missing_p`` is then ignored).

    The three knobs exist because the estimators reported these edge cases differently before
    this helper and their outputs are kept bit-for-bit: ``strict=True`` is the t-based TWFE /
    event study (:func:`t_inference`: no SE, no inference); the normal-approximation estimators
    (Sun–Abraham, BJS, SDID, Callaway–Sant'Anna tables and aggregates, placebo dates) keep the
    computed CI; their headline ``p_value`` is ``None`` without an SE (``missing_p=None``), a
    table's NaN; and Sun–Abraham, BJS and the placebo-date table have always given an infinite SE
    (overflowing data) the p-value ``2·P(|Z| ≥ 0) = 1`` (``p_from_infinite_se=True``) where
    SDID and the CS aggregates give none.
    """
    normal = not math.isfinite(df)
    dist = stats.norm if normal else stats.t(df)
    if crit is None:
        crit = dist.ppf(1 - alpha / 2)
    if np.ndim(estimate) or np.ndim(se):
        estimate, se = np.asarray(estimate, dtype=float), np.asarray(se, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            usable = (se > 0) & (np.isfinite(se) | p_from_infinite_se)
            p = np.where(usable, 2 * dist.sf(np.abs(estimate / se)), np.nan)
        low, high = estimate - crit * se, estimate + crit * se
        if strict:
            low, high = np.where(usable, low, np.nan), np.where(usable, high, np.nan)
        return WaldInference(low, high, p)
    usable = se > 0 and (math.isfinite(se) or p_from_infinite_se)
    if strict and not usable:
        return WaldInference(math.nan, math.nan, math.nan)
    p = float(2 * dist.sf(abs(estimate / se))) if usable else missing_p
    return WaldInference(estimate - crit * se, estimate + crit * se, p)


def t_inference(estimate: float, se: float, df: float, alpha: float = 0.05) -> tuple[float, float, float]:
    """Two-sided p-value and (1−alpha) CI from Student t with ``df`` degrees of freedom; all NaN
    without a finite positive SE (:func:`wald_inference` with ``strict=True``)."""
    if not (0 < alpha < 1):
        raise ToolkitError(f"alpha must be between 0 and 1, got {alpha}")
    low, high, p = wald_inference(estimate, se, alpha, df=df, strict=True)
    return float(p), float(low), float(high)


def wald_test(coef: np.ndarray, V: np.ndarray, df_denom: float) -> dict[str, float]:
    """Joint test of coef = 0: W = b'V⁻¹b; F = W/q against F(q, df_denom); χ²(q) p-value too."""
    coef = np.asarray(coef, dtype=float)
    q = len(coef)
    if q == 0:
        return {
            "stat_f": float("nan"),
            "df1": 0,
            "df2": float(df_denom),
            "p_value": float("nan"),
            "wald": float("nan"),
            "p_value_chi2": float("nan"),
        }
    W = float(coef @ np.linalg.pinv(V) @ coef)
    F = W / q
    return {
        "stat_f": F,
        "df1": q,
        "df2": float(df_denom),
        "p_value": float(stats.f.sf(F, q, df_denom)),
        "wald": W,
        "p_value_chi2": float(stats.chi2.sf(W, q)),
    }


# --------------------------------------------------------------------------- wild bootstrap


def _draw_weights(kind: str, n_clusters: int, n_boot: int, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    kind = kind.lower()
    if kind == "rademacher":
        if n_clusters <= ENUMERATE_MAX_CLUSTERS and 2**n_clusters <= n_boot:
            # all 2^G sign vectors: the exact wild bootstrap distribution, no simulation noise
            signs = ((np.arange(2**n_clusters)[None, :] >> np.arange(n_clusters)[:, None]) & 1) * 2.0 - 1.0
            return signs, "rademacher (all 2^G sign vectors enumerated)"
        return rng.choice(np.array([-1.0, 1.0]), size=(n_clusters, n_boot)), "rademacher"
    if kind == "webb":
        # Webb (2014) six-point distribution: ±sqrt(3/2), ±1, ±sqrt(1/2), each with probability 1/6
        points = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])
        return rng.choice(points, size=(n_clusters, n_boot)), "webb"
    raise ToolkitError(f"unknown bootstrap weights '{kind}'; expected rademacher or webb")


def wild_cluster_bootstrap(
    fit: TwfeFit,
    j: int,
    *,
    n_boot: int = 9999,
    weights: str = "rademacher",
    seed: int = 20240901,
    alpha: float = 0.05,
    ssc: str = "nested",
    null: float = 0.0,
    draws: np.ndarray | None = None,
    keep_draws: bool = False,
) -> dict[str, Any]:
    """Wild cluster restricted bootstrap (WCR) for coefficient ``j``: p-value of H0: b_j = ``null``
    and the CI by test inversion (the set of b0 not rejected at ``alpha``).

    Bootstrap samples ``y* = ŷ_R(b0) + ũ(b0)·v_g`` with ``ũ(b0)`` the residuals of the model with
    ``b_j = b0`` imposed, and ``v_g`` a weight per cluster. The bootstrap t statistics
    ``t* = (b*_j − b0)/se*`` (CR1 se, same convention as the analytic one) are computed in closed
    form at the cluster level, linear/quadratic in b0, so inverting the test costs no refits.
    Requires units nested in clusters (clustering by unit or by a coarser level such as county).
    """
    from toolkit.did.twfe import treated_clusters  # noqa: PLC0415 (avoid an import cycle)

    if not fit.units_nested_in_clusters:
        raise ToolkitError(
            "the wild cluster bootstrap here needs units nested within clusters (cluster by unit or a coarser level)"
        )
    G = fit.n_clusters
    k = len(fit.names)
    c = fit.cluster_code
    X = fit.x_dm
    B = fit.bread
    rest = [i for i in range(k) if i != j]
    # restricted residuals u(b0) = u0 - b0 r; r = x_j residualised on the other regressors
    if rest:
        Xr = X[:, rest]
        br = np.linalg.solve(Xr.T @ Xr, Xr.T @ fit.y_dm)
        gr = np.linalg.solve(Xr.T @ Xr, Xr.T @ X[:, j])
        u0 = fit.y_dm - Xr @ br
        r = X[:, j] - Xr @ gr
    else:
        u0, r = fit.y_dm.copy(), X[:, j].copy()
    a = X @ B[:, j]  # b_j = a'y
    # cluster-level pieces (see module docstring): s*(v) = C v, C = diag(d) - A_X B S_X' - A_Y Q S_Y'
    Ydm_gram = _year_gram(fit)
    Q = np.linalg.pinv(Ydm_gram, rcond=1e-12, hermitian=True)
    T = fit.n_times
    gt = c * T + fit.time_code
    A_X = cluster_sums(a[:, None] * X, c, G)
    A_Y = np.bincount(gt, weights=a, minlength=G * T).reshape(G, T)

    def pieces(u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        d = np.bincount(c, weights=a * u, minlength=G)
        S_X = cluster_sums(X * u[:, None], c, G)
        S_Y = np.bincount(gt, weights=u, minlength=G * T).reshape(G, T)
        return d, S_X, S_Y

    d0, SX0, SY0 = pieces(u0)
    dr, SXr, SYr = pieces(r)
    rng = np.random.default_rng(seed)
    V, label = (
        _draw_weights(weights, G, n_boot, rng) if draws is None else (np.asarray(draws, float).reshape(G, -1), "given")
    )
    n_draws = V.shape[1]
    factor = ssc_factor(fit.n_obs, n_params_counted(fit, ssc), G)

    def apply_C(d: np.ndarray, SX: np.ndarray, SY: np.ndarray, v: np.ndarray) -> np.ndarray:
        return d[:, None] * v - A_X @ (B @ (SX.T @ v)) - A_Y @ (Q @ (SY.T @ v))

    # numerator(b0) = n0 - b0 nr; sum of squared scores(b0) = q0 - 2 b0 q1 + b0^2 q2 (per draw)
    n0 = np.zeros(n_draws)
    nr = np.zeros(n_draws)
    q0 = np.zeros(n_draws)
    q1 = np.zeros(n_draws)
    q2 = np.zeros(n_draws)
    chunk = max(1, int(2_000_000 // max(G, 1)))
    for start in range(0, n_draws, chunk):
        v = V[:, start : start + chunk]
        s0 = apply_C(d0, SX0, SY0, v)
        sr = apply_C(dr, SXr, SYr, v)
        sl = slice(start, start + v.shape[1])
        n0[sl] = d0 @ v
        nr[sl] = dr @ v
        q0[sl] = np.sum(s0 * s0, axis=0)
        q1[sl] = np.sum(s0 * sr, axis=0)
        q2[sl] = np.sum(sr * sr, axis=0)

    b_hat = float(fit.coef[j])
    V1 = cr1_vcov(fit, ssc)
    se_hat = float(np.sqrt(V1[j, j]))

    def p_value(b0: float) -> float:
        t_obs = (b_hat - b0) / se_hat
        num = n0 - b0 * nr
        den = np.sqrt(np.maximum(factor * (q0 - 2 * b0 * q1 + b0 * b0 * q2), 1e-300))
        t_star = num / den
        return float(np.mean(np.abs(t_star) >= abs(t_obs) - 1e-12 * max(1.0, abs(t_obs))))

    p = p_value(null)
    t_star_null = (n0 - null * nr) / np.sqrt(np.maximum(factor * (q0 - 2 * null * q1 + null * null * q2), 1e-300))

    # test inversion: widen a bracket from the analytic CI until rejected, then bisect
    def bound(direction: int) -> float:
        inside = b_hat
        step = max(se_hat, 1e-12) * stats.t(G - 1).ppf(1 - alpha / 2)
        outside = b_hat + direction * step
        for _ in range(60):
            if p_value(outside) <= alpha:
                break
            inside, outside = outside, b_hat + 2 * (outside - b_hat)
        else:
            return float(direction * np.inf)
        for _ in range(60):
            mid = (inside + outside) / 2
            if p_value(mid) > alpha:
                inside = mid
            else:
                outside = mid
            if abs(outside - inside) <= 1e-10 * max(1.0, abs(b_hat)) + 1e-8 * se_hat:
                break
        return float((inside + outside) / 2)

    warnings = []
    n_treated = len(treated_clusters(fit, j))
    if n_treated <= 5 or G - n_treated <= 5:
        warnings.append(
            f"only {min(n_treated, G - n_treated)} treated (or control) clusters: the wild cluster bootstrap can "
            "under- or over-reject with so few (MacKinnon & Webb 2017); read its p-value with care"
        )
    if G <= ENUMERATE_MAX_CLUSTERS and weights.lower() == "rademacher":
        warnings.append(
            f"{G} clusters: Rademacher weights give only 2^{G} distinct draws; Webb weights are recommended"
        )
    return {
        "p_value": p,
        "ci_low": bound(-1),
        "ci_high": bound(+1),
        "t_stat": b_hat / se_hat,
        "n_boot": int(n_draws),
        "weights": label,
        "seed": int(seed),
        "null": float(null),
        "restricted": True,
        "warnings": warnings,
        **({"t_star": t_star_null} if keep_draws else {}),
    }


def _year_gram(fit: TwfeFit) -> np.ndarray:
    """Ÿ'Ÿ for period dummies Y demeaned within units: diag(n_t) − Σ_u c_u c_u' / T_u."""
    n_u, T = fit.n_units, fit.n_times
    Z = np.zeros((n_u, T))
    Z[fit.unit_code, fit.time_code] = 1.0
    t_per_unit = Z.sum(axis=1)
    Zs = Z / np.sqrt(t_per_unit)[:, None]
    return np.diag(Z.sum(axis=0)) - Zs.T @ Zs


# --------------------------------------------------------------------------- permutation


def permutation_inference(fit: TwfeFit, panel: Panel, j: int, *, alpha: float = 0.05) -> dict[str, Any]:
    """Placebo inference for one treated cluster (Conley & Taber 2011 / Abadie et al. 2010 spirit).

    The treated cluster is removed; the treated cluster's adoption year is assigned in turn to each
    control cluster (all its units), TWFE is re-estimated, and the actual estimate is ranked among
    the placebo estimates: ``p = (1 + #{|b_placebo| >= |b|}) / (1 + n_placebos)``. The CI is
    ``[b − q(1−α/2), b − q(α/2)]`` with q the placebo quantiles (the placebo spread stands in for
    the sampling error, Conley–Taber).
    """
    from toolkit.did.twfe import treated_clusters, within_transform  # noqa: PLC0415

    treated = treated_clusters(fit, j)
    d = panel.data
    in_treated = np.isin(fit.cluster_code, treated)
    cohorts = d.loc[in_treated & (d["cohort"].to_numpy() > 0), "cohort"]
    g_star = int(cohorts.min())
    keep = ~in_treated
    unit = fit.unit_code[keep]
    time = fit.time_code[keep]
    unit = pd.factorize(unit, sort=True)[0]
    time_vals = d["time"].to_numpy()[keep]
    time = pd.factorize(time, sort=True)[0]
    clusters = fit.cluster_code[keep]
    others = [i for i in range(len(fit.names)) if i != j]
    y_dm = within_transform(fit.y_raw[keep], unit, time)
    Xo = within_transform(fit.x_raw[keep][:, others], unit, time) if others else np.zeros((keep.sum(), 0))
    placebo_clusters = np.unique(clusters)
    estimates = []
    post = (time_vals >= g_star).astype(float)
    for h in placebo_clusters:
        dh = post * (clusters == h)
        x = within_transform(dh, unit, time)
        Xf = np.column_stack([x, Xo]) if others else x[:, None]
        if np.allclose(Xf[:, 0], 0):
            continue
        coef = np.linalg.lstsq(Xf, y_dm, rcond=None)[0]
        estimates.append(float(coef[0]))
    est = np.array(estimates)
    b = float(fit.coef[j])
    if len(est) < 2:
        raise ToolkitError("permutation inference needs at least 2 control clusters")
    p = float((1 + np.sum(np.abs(est) >= abs(b) - 1e-12)) / (1 + len(est)))
    lo_q, hi_q = np.quantile(est, [alpha / 2, 1 - alpha / 2])
    return {
        "p_value": p,
        "ci_low": b - float(hi_q),
        "ci_high": b - float(lo_q),
        "n_placebos": int(len(est)),
        "placebo_adoption": g_star,
        "placebo_sd": float(est.std(ddof=1)),
        "min_attainable_p": float(1 / (1 + len(est))),
    }
