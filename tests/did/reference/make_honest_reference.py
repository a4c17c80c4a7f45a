"""Freeze the Python HonestDiD port's intervals on HonestDiD's published examples into JSON.

Run from the repository root with the benchmark venv (the port is NOT a project dependency; it
needs torch and cvxpy):

    benchmarks/.venv/bin/python tests/did/reference/make_honest_reference.py

Inputs: tests/did/reference/honest_inputs.json — the Medicaid-expansion event study of R
HonestDiD's README (betahat, sigma from R fixest; the README's published intervals) and R
HonestDiD's BCdata example with R's own results. Output: tests/did/reference/honest_port.json,
the port's Δ^SD FLCIs (createSensitivityResults) to full precision; its relative-magnitudes
(conditional/hybrid) sets are recorded as the error the port raises, if it raises one.
"""

from __future__ import annotations

import json
import platform
import traceback
from pathlib import Path

import honestdid as hd
import numpy as np

HERE = Path(__file__).parent
M_MEDICAID = [0, 0.01, 0.02, 0.03, 0.04, 0.05]
M_BC = [0, 0.01, 0.02, 0.03]


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


def rm(example: dict) -> dict:
    try:
        res = hd.createSensitivityResults_relativeMagnitudes(
            betahat=np.array(example["betahat"]),
            sigma=np.array(example["sigma"]),
            numPrePeriods=example["numPrePeriods"],
            numPostPeriods=example["numPostPeriods"],
            l_vec=np.array(example["l_vec"]),
            Mbarvec=[0.5, 1.0, 1.5, 2.0],
            alpha=0.05,
        )
        return {"lb": [float(x) for x in res["lb"]], "ub": [float(x) for x in res["ub"]]}
    except Exception as exc:  # the port's own failure, recorded rather than hidden
        return {"error": f"{type(exc).__name__}: {exc}", "where": traceback.format_exc().splitlines()[-3].strip()}


def main() -> None:
    inputs = json.loads((HERE / "honest_inputs.json").read_text(encoding="utf-8"))
    out = {
        "provenance": {
            "tool": "honestdid (PyPI; Python port of R HonestDiD)",
            "tool_version": hd.__version__,
            "python": platform.python_version(),
            "inputs": "tests/did/reference/honest_inputs.json",
            "script": "tests/did/reference/make_honest_reference.py",
        },
        "medicaid": {"deltaSD_flci": sd_flci(inputs["medicaid"], M_MEDICAID), "deltaRM": rm(inputs["medicaid"])},
        "bcdata": {"deltaSD_flci": sd_flci(inputs["bcdata"], M_BC)},
    }
    (HERE / "honest_port.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(out["medicaid"], indent=1))


if __name__ == "__main__":
    main()
