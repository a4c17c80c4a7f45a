"""Freeze R HonestDiD's own relative-magnitudes confidence sets, at full precision, into JSON.

R HonestDiD's README is knitted with knitr's chunk cache committed beside it
(``README_cache/gfm/*.rdb`` / ``*.rdx``: R lazy-load databases). The printed README tables are
those objects rounded to 3 significant digits; the cache holds the doubles themselves. This
script reads them from a git clone of github.com/asheshrambachan/HonestDiD at the commits below
and writes tests/did/reference/honest_r_readme.json.

Run from the repository root with the benchmark venv (it has ``rdata``, which parses R's
serialisation format; not a project dependency):

    benchmarks/.venv/bin/python tests/did/reference/make_honest_r_readme.py HONESTDID_GIT_DIR

Which grid each table was made on (the ends of a grid-inverted set are grid points, so this is
checkable: every end is a grid point to ~1e-13):

* the 2022–2023 README (commit 9f8379b, package 0.2.5 era): R HonestDiD's default grid,
  ``seq(-20·sd, 20·sd, length.out = 1000)``, sd = sd(l_vec'β̂_post) — the grid of the master
  branch's ``computeConditionalCS_DeltaRM`` to this day;
* the README since 2024 (commit 6813f02, the current one): the grid of HonestDiD's commit
  888de5e ("Fixed grid to match Stata's improvement"), l_vec'β̂_post ± (M̄·Σ_t t·|l_t|·max
  pre-period change + 20·sd) — the package the README was knitted with had it; the master
  branch does not.

The Medicaid tables use betahat/sigma of tests/did/reference/honest_inputs.json (the same
numbers: the set ends sit on those inputs' grids); the Sun–Abraham table's own betahat/sigma
are in the same cache and are frozen with it.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import warnings
import zlib
from pathlib import Path

import numpy as np
import rdata

HERE = Path(__file__).parent
OLD, NEW = "9f8379b", "6813f02"
CHUNKS = {
    "medicaid_rm_r_grid": (OLD, "unnamed-chunk-5_8563727fbd64847ebb1d79b8a34b25a1", "delta_rm_results"),
    "medicaid_rm_avg_r_grid": (OLD, "unnamed-chunk-7_482ac7c83370220ab9608c6870f2083e", "delta_rm_results_avg"),
    "medicaid_rm_centred_grid": (NEW, "unnamed-chunk-4_d08e39374736e71fa1379f8379b56bb5", "delta_rm_results"),
    "medicaid_rm_avg_centred_grid": (NEW, "unnamed-chunk-7_40d31aed1b8b0bc2d595204b6c288837", "delta_rm_results_avg"),
    "medicaid_sd_flci": (NEW, "unnamed-chunk-6_6a1a19c1b25737f3167f0bb30e5b250d", "delta_sd_results"),
    "sunab_rm_centred_grid": (NEW, "unnamed-chunk-10_1f3c743ec6ce57aeac2e128cd86dc961", "sensitivity_results"),
}
SETTINGS = {
    "medicaid_rm_r_grid": {"l_vec": [1.0, 0.0], "grid": "r", "gridPoints": 1000},
    "medicaid_rm_avg_r_grid": {"l_vec": [0.5, 0.5], "grid": "r", "gridPoints": 1000},
    "medicaid_rm_centred_grid": {"l_vec": [1.0, 0.0], "grid": "centred", "gridPoints": 1000},
    "medicaid_rm_avg_centred_grid": {"l_vec": [0.5, 0.5], "grid": "centred", "gridPoints": 1000},
    "medicaid_sd_flci": {"l_vec": [1.0, 0.0]},
    "sunab_rm_centred_grid": {"l_vec": [1.0, 0.0, 0.0, 0.0, 0.0, 0.0], "grid": "centred", "gridPoints": 100},
}


def _git(git_dir: str, commit: str, path: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", git_dir, "show", f"{commit}:{path}"], capture_output=True, check=True
    ).stdout


def _objects(git_dir: str, commit: str, chunk: str) -> dict:
    """Every object of one knitr cache chunk: the .rdx index (gzip) gives each variable's offset and
    length in the .rdb file, whose entries are a 4-byte length and a zlib-compressed serialisation."""
    base = f"README_cache/gfm/{chunk}"
    index = rdata.conversion.convert(rdata.parser.parse_data(gzip.decompress(_git(git_dir, commit, base + ".rdx"))))
    rdb = _git(git_dir, commit, base + ".rdb")
    out = {}
    for name, (offset, length) in index["variables"].items():
        offset, length = int(offset), int(length)
        raw = zlib.decompress(rdb[offset + 4 : offset + length])
        try:
            out[str(name)] = rdata.conversion.convert(rdata.parser.parse_data(raw))
        except ValueError:
            out[str(name)] = None  # objects we do not need (1 × 1 tibble columns of the original CI)
    return out


def main(git_dir: str) -> None:
    warnings.simplefilter("ignore")  # rdata's notes on R classes it has no constructor for
    out = {
        "provenance": {
            "tool": "R HonestDiD, createSensitivityResults_relativeMagnitudes (method C-LF, alpha 0.05) and "
            "createSensitivityResults (FLCI), as cached by knitr in the package README",
            "source": "github.com/asheshrambachan/HonestDiD, README_cache/gfm at the commits given per table",
            "rdata": rdata.__version__,
            "script": "tests/did/reference/make_honest_r_readme.py",
            "inputs": "tests/did/reference/honest_inputs.json (medicaid); sunab: its own betahat/sigma below",
        }
    }
    for key, (commit, chunk, name) in CHUNKS.items():
        objs = _objects(git_dir, commit, chunk)
        table = objs[name]
        col = "Mbar" if "Mbar" in table.columns else "M"
        version = next(
            line.split(":", 1)[1].strip()
            for line in _git(git_dir, commit, "DESCRIPTION").decode().splitlines()
            if line.startswith("Version:")
        )
        entry = {
            "commit": commit,
            "file": f"README_cache/gfm/{chunk}.rdb",
            "object": name,
            "description_version": version,
            "method": str(table["method"].iloc[0]),
            col: [float(x) for x in table[col]],
            "lb": [float(x) for x in table["lb"]],
            "ub": [float(x) for x in table["ub"]],
            **SETTINGS[key],
        }
        if key.startswith("sunab"):
            bv = objs["beta_vcv"]
            cohorts = np.asarray(bv["cohorts"], dtype=float)
            entry.update(
                {
                    "what": "Sun-Abraham event study of dins on the full ehec panel (fixest sunab, clustered by "
                    "stfips), HonestDiD README 'Sun and Abraham'",
                    "betahat": np.asarray(bv["beta"], dtype=float).ravel().tolist(),
                    "sigma": np.asarray(bv["sigma"], dtype=float).tolist(),
                    "event_times": cohorts.tolist(),
                    "numPrePeriods": int((cohorts < 0).sum()),
                    "numPostPeriods": int((cohorts > -1).sum()),
                }
            )
        out[key] = entry
    (HERE / "honest_r_readme.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: {kk: v[kk] for kk in ("lb", "ub")} for k, v in out.items() if k != "provenance"}, indent=1))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_honest_r_readme.py HONESTDID_GIT_DIR (a clone of asheshrambachan/HonestDiD)")
    main(sys.argv[1])
