"""Freeze peer numbers on an unbalanced mpdta into JSON so the tests need no peer package.

Run from the repository root with the benchmark venv (peer tools are NOT project dependencies):

    benchmarks/.venv/bin/python tests/did/reference/make_unbalanced_reference.py [cs] [sa] [bjs]

Data: mpdta (Callaway & Sant'Anna 2021, R package ``did``; shared/data/mpdta.csv beside the
checkout) with 250 of its 2,500 county-years removed at random (``numpy.random.default_rng(17)``,
``choice(2500, 250, replace=False)`` on the file's row order). The removed (countyreal, year) pairs
are written into the JSON, so a test rebuilds the same panel from mpdta without this script.

Peers:
* ``cs``: csdid 0.4.3 (PyPI; Python port of R did 2.5.1), ``allow_unbalanced_panel=True`` — R did's
  repeated-cross-section 2×2 on an unbalanced panel — analytic influence-function SEs.
* ``sa``, ``bjs``: pyfixest (``feols`` with unit and year fixed effects on the unbalanced rows).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import platform
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


def cs_reference(df: pd.DataFrame) -> dict:
    import csdid
    from csdid.att_gt import ATTgt

    out: dict = {
        "provenance": {
            "tool": "csdid",
            "tool_version": getattr(csdid, "__version__", "0.4.3"),
            "call": "ATTgt(yname='lemp', tname='year', idname='countyreal', gname='first.treat', control_group=[...], "
            "allow_unbalanced_panel=True, cband=False).fit(est_method='dr', bstrap=False); "
            ".aggte(typec=..., bstrap=False, cband=False)",
        }
    }
    for control, key in (("nevertreated", "never"), ("notyettreated", "notyet")):
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):  # csdid prints summaries
            warnings.simplefilter("ignore")
            fit = ATTgt(
                yname="lemp",
                tname="year",
                idname="countyreal",
                gname="first.treat",
                data=df.copy(),
                control_group=[control],
                allow_unbalanced_panel=True,
                cband=False,
            ).fit(est_method="dr", bstrap=False)
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


def sa_reference(df: pd.DataFrame, covariates: tuple[str, ...] = ()) -> dict:
    """pyfixest feols with the saturated cohort × relative-period dummies, CRV1 by county; the
    interaction-weighted event study and ATT aggregate the cells with weights equal to the number of
    observations of each cell among the cells at that event time (fixest ``sunab``'s aggregation)."""
    import pyfixest as pf

    d = sa_cells(df)
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
            "cell = 'g:e' for cohort g at relative period e != -1, 'ref' otherwise; aggregation by cell observation counts",
        },
        "cells": {k: [float(beta[i]), float(np.sqrt(V[i, i]))] for k, i in zip(key, idx)},
        "covariates": {c: float(fit.coef()[c]) for c in covariates},
        "event_study": es,
        "att": combo(ge[:, 1] >= 0),
        "n_obs": int(fit._N),
    }


def main() -> None:
    import sys

    which = set(sys.argv[1:]) or {"cs", "sa", "bjs"}
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
    if "sa" in which:
        ref["sa"] = {"unbalanced": sa_reference(df), "balanced": sa_reference(pd.read_csv(MPDTA))}
    OUT.write_text(json.dumps(ref, indent=1) + "\n")


if __name__ == "__main__":
    main()
