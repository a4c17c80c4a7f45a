"""Freeze the Python HonestDiD port's intervals on HonestDiD's published examples into JSON.

Run from the repository root with the benchmark venv (the port is NOT a project dependency; it
needs torch and cvxpy):

    benchmarks/.venv/bin/python tests/did/reference/make_honest_reference.py

Inputs: tests/did/reference/honest_inputs.json — the Medicaid-expansion event study of R
HonestDiD's README (betahat, sigma from R fixest; the README's published intervals) and R
HonestDiD's BCdata example with R's own results. Output: tests/did/reference/honest_port.json,
the port's Δ^SD FLCIs (createSensitivityResults) and its relative-magnitudes sets
(createSensitivityResults_relativeMagnitudes, method "Conditional" and "C-LF") to full precision.

honestdid 0.1.1 crashes on the relative-magnitudes sets under NumPy ≥ 2.4 (``float()`` of a 1 × 1
array, e.g. ``sigma2_B = float(v_B.T @ sigma_ARP @ v_B)``, is an error there). We do not edit or
copy the port: :func:`_let_port_run` puts a ``float`` into its module namespace that takes a
size-1 array's single element and is otherwise the builtin. If the port still fails, the error it
raises is recorded instead of numbers.
"""

from __future__ import annotations

import builtins
import json
import platform
import traceback
from pathlib import Path

import honestdid as hd
import honestdid.core
import numpy as np

HERE = Path(__file__).parent
M_MEDICAID = [0, 0.01, 0.02, 0.03, 0.04, 0.05]
M_BC = [0, 0.01, 0.02, 0.03]
MBAR = [0.5, 1.0, 1.5, 2.0]


class _PortFloat(builtins.float):
    """``float`` for the port's module: a size-1 array gives its element (NumPy < 2.4 behaviour)."""

    dtype = np.dtype("float64")  # so that ``np.asarray(x, dtype=float)`` inside the port stays float64

    def __new__(cls, x=0.0):
        if isinstance(x, np.ndarray) and x.ndim > 0 and x.size == 1:
            x = x.reshape(-1)[0]
        return builtins.float(x)


def _let_port_run() -> None:
    honestdid.core.float = _PortFloat


def sd_flci(example: dict, Mvec: list[float]) -> dict:
    res = hd.createSensitivityResults(
        betahat=np.array(example["betahat"]),
        sigma=np.array(example["sigma"]),
        numPrePeriods=example["numPrePeriods"],
        numPostPeriods=example["numPostPeriods"],
        l_vec=np.array(example["l_vec"]),
        Mvec=Mvec,
        alpha=0.05,
    )
    return {"M": Mvec, "lb": [float(x) for x in res["lb"]], "ub": [float(x) for x in res["ub"]]}


def first_post_only(example: dict) -> dict:
    """The example with its first post-period coefficient only (HonestDiD's no-nuisance branch)."""
    k = example["numPrePeriods"] + 1
    return {
        "betahat": example["betahat"][:k],
        "sigma": [row[:k] for row in example["sigma"][:k]],
        "numPrePeriods": example["numPrePeriods"],
        "numPostPeriods": 1,
        "l_vec": [1.0],
    }


def sd_conditional(example: dict, Mvec: list[float]) -> dict:
    try:
        res = hd.createSensitivityResults(
            betahat=np.array(example["betahat"]),
            sigma=np.array(example["sigma"]),
            numPrePeriods=example["numPrePeriods"],
            numPostPeriods=example["numPostPeriods"],
            l_vec=np.array(example["l_vec"]),
            Mvec=Mvec,
            alpha=0.05,
            method="Conditional",
        )
        return {
            "method": "Conditional",
            "M": Mvec,
            "lb": [float(x) for x in res["lb"]],
            "ub": [float(x) for x in res["ub"]],
        }
    except Exception as exc:  # the port's own failure, recorded rather than hidden
        return {"error": f"{type(exc).__name__}: {exc}", "where": traceback.format_exc().splitlines()[-3].strip()}


def rm(example: dict, method: str, l_vec: list[float] | None = None) -> dict:
    try:
        res = hd.createSensitivityResults_relativeMagnitudes(
            betahat=np.array(example["betahat"]),
            sigma=np.array(example["sigma"]),
            numPrePeriods=example["numPrePeriods"],
            numPostPeriods=example["numPostPeriods"],
            l_vec=np.array(l_vec or example["l_vec"]),
            Mbarvec=MBAR,
            alpha=0.05,
            method=method,
        )
        return {
            "method": method,
            "l_vec": l_vec or example["l_vec"],
            "Mbar": MBAR,
            "lb": [float(x) for x in res["lb"]],
            "ub": [float(x) for x in res["ub"]],
        }
    except Exception as exc:  # the port's own failure, recorded rather than hidden
        return {"error": f"{type(exc).__name__}: {exc}", "where": traceback.format_exc().splitlines()[-3].strip()}


def main() -> None:
    _let_port_run()
    inputs = json.loads((HERE / "honest_inputs.json").read_text(encoding="utf-8"))
    out = {
        "provenance": {
            "tool": "honestdid (PyPI; Python port of R HonestDiD)",
            "tool_version": hd.__version__,
            "python": platform.python_version(),
            "inputs": "tests/did/reference/honest_inputs.json",
            "script": "tests/did/reference/make_honest_reference.py",
            "numpy": np.__version__,
            "port_shim": "honestdid.core.float replaced by a float that accepts size-1 arrays (module doc)",
        },
        "medicaid": {
            "deltaSD_flci": sd_flci(inputs["medicaid"], M_MEDICAID),
            "deltaRM_conditional": rm(inputs["medicaid"], "Conditional"),
            "deltaRM_conditional_avg": rm(inputs["medicaid"], "Conditional", [0.5, 0.5]),
            "deltaRM_c_lf": rm(inputs["medicaid"], "C-LF"),
            "deltaRM_conditional_first_post": rm(first_post_only(inputs["medicaid"]), "Conditional"),
            "deltaSD_conditional": sd_conditional(inputs["medicaid"], [0.0, 0.01, 0.02]),
        },
        "bcdata": {"deltaSD_flci": sd_flci(inputs["bcdata"], M_BC)},
    }
    (HERE / "honest_port.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(out["medicaid"], indent=1))


if __name__ == "__main__":
    main()
