"""Goodman–Bacon (2021) decomposition of the static TWFE DiD estimate.

On a balanced panel without covariates the TWFE coefficient on ``treated = 1[t >= g]`` is exactly a
weighted average of all 2×2 DiD comparisons between timing groups (Goodman-Bacon 2021, J. of
Econometrics 225(2), Theorem 1, eq. 10a–10g):

* **treated vs never treated** ``β_kU`` — cohort k against the never-treated units, whole window;
* **early vs late** ``β_kl^k`` — earlier cohort k treated, later cohort l not yet treated, window
  before l adopts (a clean comparison);
* **late vs early** ``β_kl^l`` — later cohort l treated, *already treated* cohort k as control,
  window after k adopted — the "forbidden" comparison: if k's effect grows over time, it is
  subtracted from l's effect and TWFE can even get the sign wrong.

Weights (with n_k the share of units in group k and D̄_k the share of periods k is treated):
``s_kU ∝ (n_k+n_U)² n_kU(1−n_kU) D̄_k(1−D̄_k)``,
``s_kl^k ∝ ((n_k+n_l)(1−D̄_l))² n_kl(1−n_kl) (D̄_k−D̄_l)/(1−D̄_l) · (1−D̄_k)/(1−D̄_l)``,
``s_kl^l ∝ ((n_k+n_l)D̄_k)² n_kl(1−n_kl) (D̄_l/D̄_k) · (D̄_k−D̄_l)/D̄_k``, normalised to sum to one.
Cohorts first treated after the last period count as never treated (D̄ = 0). ``Σ s·β`` equals the
TWFE coefficient to rounding; the result reports that identity.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from toolkit.did.panel import Panel, regression_panel
from toolkit.did.result import DidResult
from toolkit.errors import ToolkitError

TYPES = {
    "treated_vs_never": "Treated vs never treated 处理组 vs 从未处理组",
    "early_vs_late": "Earlier vs later treated (clean) 早处理 vs 晚处理",
    "late_vs_early": "Later vs earlier treated (already-treated controls) 晚处理 vs 已处理",
}


def bacon_decomposition(panel: Panel) -> pd.DataFrame:
    """All 2×2 comparisons: ``type, treated, control, estimate, weight`` (control 0 = never
    treated), sorted by type, treated, control. Needs a balanced panel without covariates."""
    panel.require_balanced(
        "the Goodman–Bacon decomposition is defined for balanced panels only (as R bacondecomp, which refuses "
        "others; use cs, sa or bjs on an unbalanced panel): it"
    )
    d = panel.data
    times = panel.times
    t_max = int(times[-1])
    cohort_of_unit = panel.unit_cohort.where(panel.unit_cohort <= t_max, 0)  # late adopters = untreated
    # mean outcome by (group, time): wide table, groups as rows
    group = d["unit"].map(cohort_of_unit)
    means = (
        d.assign(group=group.to_numpy())
        .pivot_table(index="group", columns="time", values="y", aggfunc="mean")
        .reindex(columns=times)
    )
    n_units = cohort_of_unit.value_counts()
    N = float(len(cohort_of_unit))
    share = {int(g): n_units[g] / N for g in n_units.index}
    dbar = {int(g): float(np.mean(times >= g)) if g > 0 else 0.0 for g in n_units.index}
    cohorts = sorted(g for g in share if g > 0)

    def window_mean(g: int, lo: float, hi: float) -> float:
        cols = [t for t in times if lo <= t < hi]
        return float(means.loc[g, cols].mean())

    rows = []
    if 0 in share:
        nU = share[0]
        for k in cohorts:
            nk = share[k]
            nkU = nk / (nk + nU)
            s = (nk + nU) ** 2 * nkU * (1 - nkU) * dbar[k] * (1 - dbar[k])
            beta = (window_mean(k, k, np.inf) - window_mean(k, -np.inf, k)) - (
                window_mean(0, k, np.inf) - window_mean(0, -np.inf, k)
            )
            rows.append(("treated_vs_never", k, 0, beta, s))
    for i, k in enumerate(cohorts):  # k earlier
        for l in cohorts[i + 1 :]:  # l later
            nk, nl = share[k], share[l]
            nkl = nk / (nk + nl)
            Dk, Dl = dbar[k], dbar[l]
            s_k = ((nk + nl) * (1 - Dl)) ** 2 * nkl * (1 - nkl) * (Dk - Dl) / (1 - Dl) * (1 - Dk) / (1 - Dl)
            b_k = (window_mean(k, k, l) - window_mean(k, -np.inf, k)) - (
                window_mean(l, k, l) - window_mean(l, -np.inf, k)
            )
            rows.append(("early_vs_late", k, l, b_k, s_k))
            s_l = ((nk + nl) * Dk) ** 2 * nkl * (1 - nkl) * (Dl / Dk) * (Dk - Dl) / Dk
            b_l = (window_mean(l, l, np.inf) - window_mean(l, k, l)) - (
                window_mean(k, l, np.inf) - window_mean(k, k, l)
            )
            rows.append(("late_vs_early", l, k, b_l, s_l))
    if not rows:
        raise ToolkitError("no 2x2 comparisons: the panel needs at least one treated cohort and a comparison group")
    out = pd.DataFrame(rows, columns=["type", "treated", "control", "estimate", "weight"])
    out["weight"] = out["weight"] / out["weight"].sum()
    out["type"] = pd.Categorical(out["type"], categories=list(TYPES), ordered=True)
    out = out.sort_values(["type", "treated", "control"], kind="mergesort").reset_index(drop=True)
    out["type"] = out["type"].astype(str)
    return out


def bacon_summary(components: pd.DataFrame) -> pd.DataFrame:
    """Weight and weighted-average 2×2 estimate by comparison type."""
    rows = []
    for kind, label in TYPES.items():
        part = components[components["type"] == kind]
        if part.empty:
            continue
        w = float(part["weight"].sum())
        rows.append(
            {
                "type": kind,
                "label": label,
                "weight": w,
                "estimate": float((part["weight"] * part["estimate"]).sum() / w),
                "n_comparisons": int(len(part)),
            }
        )
    return pd.DataFrame(rows)


def bacon_result(
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
) -> DidResult:
    """TWFE estimate (with its clustered inference) plus its Goodman–Bacon decomposition in
    ``diagnostics["bacon"]`` (``components``, ``by_type``, ``weighted_sum``, ``twfe``)."""
    from toolkit.did.twfe import twfe

    if covariates:
        raise ToolkitError("the Goodman–Bacon decomposition here is for the TWFE model without covariates")
    panel = regression_panel(data, yname, idname, tname, gname, cluster=cluster)
    components = bacon_decomposition(panel)
    res = twfe(
        panel, yname=yname, idname=idname, tname=tname, gname=gname, cluster=cluster, vcov=vcov, ssc=ssc, alpha=alpha
    )
    weighted = float((components["weight"] * components["estimate"]).sum())
    summary = bacon_summary(components)
    res.estimator = "bacon"
    res.diagnostics["bacon"] = {
        "components": components.to_dict(orient="records"),
        "by_type": summary.to_dict(orient="records"),
        "weighted_sum": weighted,
        "twfe": res.estimate,
        "identity_gap": weighted - res.estimate,
    }
    late = summary.loc[summary["type"] == "late_vs_early", "weight"]
    if len(late) and float(late.iloc[0]) > 0:
        res.warnings.append(
            f"{float(late.iloc[0]):.1%} of the TWFE weight comes from comparisons that use already-treated units as "
            "controls (late vs early); with effects that change over time TWFE is biased — prefer cs/sa/bjs"
        )
    return res
