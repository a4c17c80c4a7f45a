"""Two-way fixed effects (unit and period) regression by the within transformation.

Used to test the outcomes the reform claims (seed 000 §4.1; rules.md §6): hospitalisation rate,
premature chronic-disease mortality, township/county income ratio, on a county (or unit) × year panel.

``y_it = a_i + l_t + b' x_it + e_it`` is estimated by sweeping out both sets of fixed effects
(balanced panel: two-way demeaning in closed form; unbalanced: alternating projections to a
tolerance of 1e-12, the method of fixest/pyfixest) and OLS on the demeaned columns with numpy.
Standard errors are cluster-robust (default: by unit) — see :mod:`toolkit.did.inference` for the
conventions (fixest "nested" CR1 by default, statsmodels/linearmodels "full" CR1, CR2) and the
wild cluster bootstrap / permutation fall-backs for few treated clusters.

The DiD treatment regressor is ``treated = 1[g > 0 and t >= g]`` (post × treated); the TWFE
coefficient is the "static" DiD estimate whose pitfalls under staggered adoption
:mod:`toolkit.did.bacon` makes visible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from toolkit.did import inference as inf
from toolkit.did.panel import Panel, regression_panel
from toolkit.did.result import DidResult
from toolkit.errors import ToolkitError

#: convergence tolerance of the alternating projections (max absolute change of a column)
DEMEAN_TOL = 1e-12
DEMEAN_MAX_ITER = 100_000


def _group_mean(values: np.ndarray, codes: np.ndarray, n: int, counts: np.ndarray) -> np.ndarray:
    """Per-group means of each column of ``values`` (2-D), shape (n, k)."""
    out = np.empty((n, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(codes, weights=values[:, j], minlength=n)
    return out / counts[:, None]


def _sorted_balanced(unit_code: np.ndarray, time_code: np.ndarray, n_u: int, n_t: int) -> bool:
    if len(unit_code) != n_u * n_t:
        return False
    idx = np.arange(len(unit_code))
    return bool(np.array_equal(unit_code, idx // n_t) and np.array_equal(time_code, idx % n_t))


def within_transform(
    values: np.ndarray,
    unit_code: np.ndarray,
    time_code: np.ndarray,
    *,
    balanced: bool | None = None,
    tol: float = DEMEAN_TOL,
    max_iter: int = DEMEAN_MAX_ITER,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Residuals of each column of ``values`` after projecting on unit and period dummies
    (with ``weights``: the weighted projection, by weighted alternating means).

    Balanced panel: ``x - mean_i - mean_t + mean`` (exact). Otherwise alternating projections
    (demean by unit, then by period, repeat) until no entry changes by more than ``tol`` times the
    column's largest absolute value (at least 1).
    """
    values = np.asarray(values, dtype="float64")
    one_d = values.ndim == 1
    x = values.reshape(len(values), -1).copy()
    n_u = int(unit_code.max()) + 1
    n_t = int(time_code.max()) + 1
    cnt_u = np.bincount(unit_code, minlength=n_u).astype("float64")
    cnt_t = np.bincount(time_code, minlength=n_t).astype("float64")
    if balanced is None:
        balanced = len(x) == n_u * n_t and bool(np.all(cnt_u == n_t))
    if weights is not None:
        w = np.asarray(weights, dtype="float64")
        w_u = np.bincount(unit_code, weights=w, minlength=n_u)
        w_t = np.bincount(time_code, weights=w, minlength=n_t)
        scale = np.maximum(np.max(np.abs(x), axis=0, initial=0.0), 1.0)
        for _ in range(max_iter):
            x -= _group_mean(x * w[:, None], unit_code, n_u, w_u)[unit_code]
            step = _group_mean(x * w[:, None], time_code, n_t, w_t)
            x -= step[time_code]
            if np.all(np.max(np.abs(step), axis=0, initial=0.0) < tol * scale):
                break
        else:  # pragma: no cover - pathological designs only
            raise ToolkitError(f"the weighted fixed-effect sweep did not converge to {tol} in {max_iter} iterations")
        return x[:, 0] if one_d else x
    if balanced and _sorted_balanced(unit_code, time_code, n_u, n_t):
        # rows ordered unit-major: a (units, periods, columns) view makes the means plain reductions
        cube = x.reshape(n_u, n_t, -1)
        cube -= cube.mean(axis=1, keepdims=True)
        cube -= cube.mean(axis=0, keepdims=True)
        x = cube.reshape(len(x), -1)
    elif balanced:
        x -= _group_mean(x, unit_code, n_u, cnt_u)[unit_code]
        x -= _group_mean(x, time_code, n_t, cnt_t)[time_code]  # unit means stay 0 in a balanced panel
    else:
        # tolerance relative to each column's magnitude (incomes in yuan would never reach 1e-12)
        scale = np.maximum(np.max(np.abs(x), axis=0, initial=0.0), 1.0)
        for _ in range(max_iter):
            x -= _group_mean(x, unit_code, n_u, cnt_u)[unit_code]
            step = _group_mean(x, time_code, n_t, cnt_t)
            x -= step[time_code]
            if np.all(np.max(np.abs(step), axis=0, initial=0.0) < tol * scale):
                break
        else:  # pragma: no cover - pathological designs only
            raise ToolkitError(f"the fixed-effect sweep did not converge to {tol} in {max_iter} iterations")
    return x[:, 0] if one_d else x


def n_fixed_effects(unit_code: np.ndarray, time_code: np.ndarray) -> int:
    """Number of identified unit + period effects: levels minus one per connected component."""
    n_u = int(unit_code.max()) + 1
    n_t = int(time_code.max()) + 1
    if len(unit_code) == n_u * n_t:  # balanced (no duplicates): one connected component
        return n_u + n_t - 1
    graph = coo_matrix((np.ones(len(unit_code)), (unit_code, n_u + time_code)), shape=(n_u + n_t, n_u + n_t))
    n_comp, _ = connected_components(graph, directed=False)
    return n_u + n_t - n_comp


@dataclass
class TwfeFit:
    """OLS on the within-transformed data, and what inference needs."""

    names: list[str]
    coef: np.ndarray
    x_dm: np.ndarray  # regressors after sweeping out both fixed effects (N, k)
    y_dm: np.ndarray
    resid: np.ndarray
    bread: np.ndarray  # (X'X)^-1 of the demeaned regressors
    unit_code: np.ndarray
    time_code: np.ndarray
    cluster_code: np.ndarray
    cluster_labels: np.ndarray
    n_obs: int
    n_units: int
    n_times: int
    n_fe: int  # identified fixed-effect parameters (units + periods - components)
    units_nested_in_clusters: bool
    y_raw: np.ndarray = field(repr=False, default=None)
    x_raw: np.ndarray = field(repr=False, default=None)

    @property
    def n_clusters(self) -> int:
        return int(len(self.cluster_labels))

    def index(self, name: str) -> int:
        return self.names.index(name)


def fit_within(
    y: np.ndarray,
    X: np.ndarray,
    names: Sequence[str],
    unit_code: np.ndarray,
    time_code: np.ndarray,
    cluster: np.ndarray | pd.Series | None = None,
    *,
    balanced: bool | None = None,
    weights: np.ndarray | None = None,
) -> TwfeFit:
    """Fit ``y ~ X + unit FE + period FE`` by the within transformation.

    ``weights`` (sampling/population weights, > 0): weighted least squares — the weighted within
    transformation, then every row scaled by √w, so the stored ``x_dm``/``y_dm``/``resid`` give the
    WLS coefficients and the CR1 sandwich (scores Σ w·x̃·e) unchanged (fixest's ``weights=``)."""
    X = np.asarray(X, dtype="float64").reshape(len(y), -1)
    both = within_transform(np.column_stack([y, X]), unit_code, time_code, balanced=balanced, weights=weights)
    if weights is not None:
        both = both * np.sqrt(np.asarray(weights, dtype="float64"))[:, None]
    y_dm, x_dm = both[:, 0], both[:, 1:]
    xtx = x_dm.T @ x_dm
    scale = np.sqrt(np.diag(xtx))
    bad = [
        names[j]
        for j in range(len(names))
        if scale[j] <= 1e-10 * max(1.0, np.abs(X[:, j]).max(initial=0.0)) * np.sqrt(len(y))
    ]
    if bad:
        raise ToolkitError(
            f"regressor(s) {bad} do not vary once unit and period effects are removed "
            "(e.g. no unit changes treatment status within the data, or a covariate constant within units)"
        )
    if np.linalg.matrix_rank(xtx / np.outer(scale, scale)) < len(names):
        raise ToolkitError(f"regressors {list(names)} are collinear after removing unit and period effects")
    bread = np.linalg.inv(xtx)
    coef = bread @ (x_dm.T @ y_dm)
    resid = y_dm - x_dm @ coef
    if cluster is None:  # cluster by unit
        n_u = int(unit_code.max()) + 1
        cluster_code, cluster_labels = np.asarray(unit_code, dtype="int64"), np.arange(n_u)
        nested = True
    else:
        cluster_code, cluster_labels = inf.cluster_codes(cluster)
        nested = inf.is_nested(unit_code, cluster_code)  # every unit in exactly one cluster
    return TwfeFit(
        names=list(names),
        coef=coef,
        x_dm=x_dm,
        y_dm=y_dm,
        resid=resid,
        bread=bread,
        unit_code=np.asarray(unit_code),
        time_code=np.asarray(time_code),
        cluster_code=cluster_code,
        cluster_labels=cluster_labels,
        n_obs=len(y),
        n_units=int(unit_code.max()) + 1,
        n_times=int(time_code.max()) + 1,
        n_fe=n_fixed_effects(unit_code, time_code),
        units_nested_in_clusters=nested,
        y_raw=np.asarray(y, dtype="float64"),
        x_raw=X,
    )


def cluster_values(panel: Panel, cluster: str | None) -> np.ndarray | None:
    if cluster is None or cluster == panel.idname:
        return None  # by unit: fit_within uses the unit codes
    if cluster not in panel.data.columns:
        raise ToolkitError(f"cluster column '{cluster}' is not in the panel")
    values = panel.data[cluster]
    if values.isna().any():
        row = int(panel.data.loc[values.isna(), "row"].iloc[0])
        raise ToolkitError(f"cluster column '{cluster}' is empty at data row {row}; every row needs a cluster")
    return values.to_numpy()


def check_weight_options(weights: str | None, vcov: str, bootstrap: str | None) -> None:
    if weights and (vcov.upper() != "CR1" or bootstrap not in (None, "", "none")):
        raise ToolkitError(
            f"sampling weights (weights={weights!r}) go with vcov='CR1' and no bootstrap (CR2 and the wild "
            "bootstrap here are unweighted)"
        )


def weight_values(panel: Panel, weights: str | None) -> np.ndarray | None:
    """The weight column as floats, or a ToolkitError naming the first row that is not > 0 and finite."""
    if not weights:
        return None
    w = pd.to_numeric(panel.data[weights], errors="coerce").to_numpy(dtype="float64")
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        row = int(panel.data.loc[bad, "row"].iloc[0])
        raise ToolkitError(
            f"weights column '{weights}' must be a positive number in every row; data row {row} is "
            f"{panel.data[weights].iloc[int(np.flatnonzero(bad)[0])]!r}"
        )
    return w


#: the wild bootstrap's weight distributions (inference.wild_cluster_bootstrap)
BOOT_WEIGHTS = ("rademacher", "webb")


def twfe(
    data: pd.DataFrame | Panel,
    *,
    yname: str,
    idname: str,
    tname: str,
    gname: str,
    covariates: Sequence[str] | str = (),
    cluster: str | None = None,
    vcov: str = "CR1",
    ssc: str = "nested",
    alpha: float = 0.05,
    bootstrap: str | None = None,
    n_boot: int = 9999,
    boot_weights: str = "rademacher",
    seed: int = 20240901,
    weights: str | None = None,
) -> DidResult:
    """Static TWFE DiD: ``yname ~ treated + covariates | idname + tname``, clustered by unit.

    ``vcov``: ``"CR1"`` (Liang–Zeger with small-sample factor, see ``ssc``) or ``"CR2"``
    (Bell–McCaffrey, as R clubSandwich, with Satterthwaite degrees of freedom).
    ``ssc`` (CR1 only): ``"nested"`` = R fixest / pyfixest / Stata reghdfe default — fixed effects
    nested in the clusters are not counted as parameters; ``"full"`` = statsmodels with dummies /
    linearmodels — every fixed effect counted. The p-value and CI use Student t with G−1 df (CR1).
    ``bootstrap="wild"``: wild cluster restricted (WCR) bootstrap p-value and test-inversion CI,
    ``boot_weights`` rademacher|webb (the bootstrap's weight distribution; not sampling weights), ``n_boot`` draws, fixed ``seed``. With a single treated cluster the
    wild bootstrap is unreliable (MacKinnon & Webb 2017): a warning is added and permutation
    (placebo) inference across control units is reported instead.
    ``weights``: a column of sampling (population) weights, > 0 — weighted least squares with CR1
    standard errors, as fixest/pyfixest ``weights=`` (CR2, the wild bootstrap and permutation
    inference are unweighted and refuse weights).
    """
    if boot_weights not in BOOT_WEIGHTS:
        raise ToolkitError(f"boot_weights must be one of {', '.join(BOOT_WEIGHTS)}, got {boot_weights!r}")
    check_weight_options(weights, vcov, bootstrap)
    panel = regression_panel(data, yname, idname, tname, gname, covariates=covariates, cluster=cluster, weights=weights)
    d = panel.data
    names = ["treated", *panel.covariates]
    X = d[names].to_numpy(dtype="float64")
    y = d["y"].to_numpy(dtype="float64")
    fit = fit_within(
        y,
        X,
        names,
        d["unit_code"].to_numpy(),
        d["time_code"].to_numpy(),
        cluster_values(panel, cluster),
        balanced=panel.balanced,
        weights=weight_values(panel, weights),
    )
    if weights and len(treated_clusters(fit, 0)) == 1:
        raise ToolkitError(
            "weights with a single treated cluster: the permutation inference used then is unweighted; estimate unweighted"
        )
    return _result_from_fit(
        fit,
        panel,
        "twfe",
        cluster=cluster,
        vcov=vcov,
        ssc=ssc,
        alpha=alpha,
        bootstrap=bootstrap,
        n_boot=n_boot,
        boot_weights=boot_weights,
        seed=seed,
        weights=weights,
    )


def treated_clusters(fit: TwfeFit, j: int) -> np.ndarray:
    """Clusters in which the coefficient's regressor varies beyond the fixed effects."""
    x = fit.x_raw[:, j]
    first = np.empty(fit.n_units)
    first[fit.unit_code[::-1]] = x[::-1]
    varies = np.abs(x - first[fit.unit_code]) > 1e-12
    return np.flatnonzero(np.bincount(fit.cluster_code[varies], minlength=fit.n_clusters))


def _result_from_fit(
    fit: TwfeFit,
    panel: Panel,
    estimator: str,
    *,
    cluster: str | None,
    vcov: str,
    ssc: str,
    alpha: float,
    bootstrap: str | None,
    n_boot: int,
    boot_weights: str,
    seed: int,
    weights: str | None = None,
) -> DidResult:
    j = fit.index("treated")
    V, df, how = inf.vcov_for(fit, vcov=vcov, ssc=ssc, contrast=j)
    est = float(fit.coef[j])
    se = float(np.sqrt(V[j, j]))
    p, lo, hi = inf.t_inference(est, se, df, alpha)
    cluster_name = cluster or panel.idname
    warnings = list(panel.warnings)
    diagnostics: dict[str, Any] = {
        "coefficients": {n: float(b) for n, b in zip(fit.names, fit.coef)},
        "n_clusters": fit.n_clusters,
        "df": float(df),
        "analytic": {"se": se, "p_value": p, "ci_low": lo, "ci_high": hi, "vcov": how},
    }
    treated = treated_clusters(fit, j)
    diagnostics["n_treated_clusters"] = int(len(treated))
    inference_text = f"{how}, clustered by {cluster_name} ({fit.n_clusters} clusters), t({df:g}) p-value and CI"
    if len(treated) == 1:
        warnings.append(
            "only one treated cluster: cluster-robust standard errors and the wild cluster bootstrap are "
            "unreliable with a single treated cluster (MacKinnon & Webb 2017, 2018); reporting "
            "permutation (placebo) inference across the control units instead"
        )
        try:
            perm = inf.permutation_inference(fit, panel, j, alpha=alpha)
        except ToolkitError as err:
            warnings.append(f"permutation inference impossible ({err.message}); no valid p-value or CI")
            p, lo, hi = float("nan"), float("nan"), float("nan")
            inference_text = f"none valid: one treated cluster and too few controls; SE shown is {how}"
        else:
            diagnostics["permutation"] = perm
            p, lo, hi = perm["p_value"], perm["ci_low"], perm["ci_high"]
            inference_text = (
                f"permutation (placebo) inference: treatment reassigned to each of {perm['n_placebos']} control "
                f"clusters; p = share of |placebo| >= |estimate| (with the actual one counted; smallest attainable "
                f"p = 1/{perm['n_placebos'] + 1}); CI from the placebo distribution; SE shown is {how}"
            )
    elif bootstrap in ("wild", "wcr"):
        boot = inf.wild_cluster_bootstrap(fit, j, n_boot=n_boot, weights=boot_weights, seed=seed, alpha=alpha, ssc=ssc)
        diagnostics["wild_bootstrap"] = boot
        warnings.extend(boot.get("warnings", []))
        p, lo, hi = boot["p_value"], boot["ci_low"], boot["ci_high"]
        inference_text = (
            f"wild cluster restricted bootstrap ({boot['weights']} weights, {boot['n_boot']} draws, seed {seed}) "
            f"clustered by {cluster_name} ({fit.n_clusters} clusters); p-value and test-inversion CI; SE shown is {how}"
        )
    elif bootstrap not in (None, "", "none"):
        raise ToolkitError(f"unknown bootstrap '{bootstrap}'; expected 'wild' or none")
    return DidResult(
        estimator=estimator,
        outcome=panel.yname,
        estimate=est,
        se=se,
        ci_low=lo,
        ci_high=hi,
        n_units=panel.n_units,
        n_obs=panel.n_obs,
        inference=inference_text + (f"; weighted least squares, weights '{weights}'" if weights else ""),
        p_value=p,
        diagnostics=diagnostics,
        warnings=warnings,
        options={
            "vcov": vcov,
            "ssc": ssc,
            "cluster": cluster_name,
            "alpha": alpha,
            "covariates": list(panel.covariates),
            "bootstrap": bootstrap or "none",
            "weights": weights,
            **({"n_boot": n_boot, "boot_weights": boot_weights, "seed": seed} if bootstrap else {}),
        },
    )
