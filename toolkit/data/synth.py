"""The synthetic province: a deterministic dataset following the data contract (data.md).

``generate_province(out_dir, seed=20240901, n_counties=60, ...)`` writes ``units.csv``,
``unit_year.csv``, ``ph_process.csv``, ``ph_targets.csv``, ``county_year.csv`` (with the optional
columns of the contract extension), ``deaths.csv``, ``facility_year.csv``, ``criteria_year.csv``
(:mod:`toolkit.data.synth_facility`, magnitudes and sources there), optionally ``claims.parquet``,
``report_claims.yaml`` (the figures C01's report states, seed 000 §4.1,
:mod:`toolkit.data.synth_report_claims`), plus ``truth.json`` (the true reform effects, see
:mod:`toolkit.data.synth_truth`) and ``manifest.json`` (generator version, seed, arguments, file
sha256s). The same arguments give the same bytes: every random draw comes from a numpy Generator
seeded from (seed, component), money is drawn in integer fen and written with two decimals,
rates with a fixed number of decimals, rows in a fixed order.

County ``C01`` is shaped like Suixi (seed 000): 232 health management units in 11 townships and
2 medical communities, ~918,000 residents, reform in 2017, the pay ratio of 99.16% in 2023 and
village doctors' subsidy of 41,000 → 66,000 yuan (2017 → 2023, seed 000 §4.1). Adoption is
staggered: a pilot cohort in 2017, a main cohort in 2019, a late one in 2023 and never-reformed
counties (8/20/12/20 of 60, scaled). Magnitudes and their sources: :mod:`toolkit.data.synth_model`.

With ``claims=True`` the province is scaled down (all populations × s) so that it holds about
``claims_rows`` claims, and the claims are the truth: the unit_year spending columns and the
county_year admissions / visits / fund columns are aggregated from them in integer fen.

The village share of the public-health subsidy (rules.md §5, ≥ 48%) is broken on purpose in
about 2% of county-years so the check has something to flag; truth.json and manifest.json list
them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from toolkit.data import synth_claims, synth_facility, synth_ph, synth_tables
from toolkit.data.synth_model import MODELLED_ON, Province, build_province
from toolkit.data.synth_report_claims import report_claims_text
from toolkit.data.synth_truth import build_truth
from toolkit.errors import ToolkitError

GENERATOR = "toolkit.data.synth"
GENERATOR_VERSION = "1.2.0"  # 1.1: fictional county and township names; 1.2: units carry township and community names
DEFAULT_SEED = 20240901
#: default claims for a claims province: ~33,000 per county (≈200,000 for 6 counties)
CLAIMS_PER_COUNTY = 33_000
VILLAGE_SHARE_MINIMUM = 0.48  # rules.md §5; used only to list the planted violations
TABLE_FILES = [
    "units.csv",
    "unit_year.csv",
    "ph_process.csv",
    "ph_targets.csv",
    "county_year.csv",
    "deaths.csv",
    "facility_year.csv",
    "criteria_year.csv",
]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _json_text(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def is_synth_output(folder: Path) -> bool:
    """True when ``folder`` holds a manifest written by this generator."""
    manifest = folder / "manifest.json"
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("generator") == GENERATOR
    except (OSError, ValueError, AttributeError):
        return False


def check_target(out_dir: Path) -> None:
    """Refuse a target that exists and is neither empty nor an earlier synthetic province."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise ToolkitError(f"synth: output path {out_dir} exists and is not a folder; expected a new or empty folder.")
    if any(out_dir.iterdir()) and not is_synth_output(out_dir):
        raise ToolkitError(
            f"synth: output folder {out_dir} is not empty and holds no synthetic-province manifest.json; "
            "expected a new folder, an empty one, or an earlier `toolkit synth` output (which is replaced). Nothing was written."
        )


def _validate_args(seed, n_counties, years, claims_rows, units_per_county, claims_chunk_rows) -> None:
    problems = []
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        problems.append(f"seed must be a non-negative integer, got {seed!r}")
    if not isinstance(n_counties, (int, np.integer)) or not 1 <= n_counties <= 999:
        problems.append(f"counties must be an integer from 1 to 999, got {n_counties!r}")
    if len(years) != 2 or years[0] > years[1] or years[0] < 1990:
        problems.append(f"years must be (first, last) with first ≤ last, got {years!r}")
    if claims_rows is not None and (not isinstance(claims_rows, (int, np.integer)) or claims_rows < 1):
        problems.append(f"claims rows must be a positive integer, got {claims_rows!r}")
    if claims_chunk_rows < 1:
        problems.append(f"claims chunk rows must be positive, got {claims_chunk_rows!r}")
    lo, hi = units_per_county
    if not 1 <= lo <= hi:
        problems.append(f"units per county must be (min, max) with 1 ≤ min ≤ max, got {units_per_county!r}")
    if problems:
        raise ToolkitError("synth: invalid arguments; nothing was written.\n  - " + "\n  - ".join(problems))


def _violations(prov: Province, lump: np.ndarray, subsidy_total: np.ndarray) -> list[dict]:
    county_lump = np.zeros(prov.population.shape, dtype=np.int64)
    np.add.at(county_lump, prov.unit_county, lump)
    share = county_lump / subsidy_total
    out = []
    for c, j in zip(*np.nonzero(share < VILLAGE_SHARE_MINIMUM)):
        out.append(
            {"county_id": prov.county_ids[c], "year": int(prov.years[j]), "village_share": round(float(share[c, j]), 6)}
        )
    return sorted(out, key=lambda d: (d["county_id"], d["year"]))


def _write_tables(prov: Province, folder: Path, claims: bool, claims_chunk_rows: int) -> dict:
    info: dict = {}
    lump, subsidy_total = synth_tables.ph_lump_sums(prov)
    if claims:
        result = synth_claims.write_claims(prov, folder / "claims.parquet", chunk_rows=claims_chunk_rows)
        money, activity = result["unit_money"], result["county"]
        info["claims_rows"] = result["rows"]
        info["claims_max_rows_in_memory"] = result["max_rows_in_memory"]
    else:
        money = synth_tables.unit_spending(prov)
        activity = synth_tables.county_activity(prov, money)
    tables = {
        "units": synth_tables.units_table(prov),
        "unit_year": synth_tables.unit_year_table(prov, money, lump),
        "ph_process": synth_ph.ph_process_table(prov, lump),
        "ph_targets": synth_ph.ph_targets_table(prov),
        "county_year": synth_tables.county_year_table(
            prov, activity, synth_tables.workforce(prov), subsidy_total, synth_facility.county_year_extension(prov)
        ),
        "deaths": synth_tables.deaths_table(prov),
        "facility_year": synth_facility.facility_year_table(prov),
        "criteria_year": synth_facility.criteria_year_table(prov),
    }
    info["rows"] = {name: len(df) for name, df in tables.items()}
    for name, df in tables.items():
        (folder / f"{name}.csv").write_text(synth_tables.csv_text(df), encoding="utf-8", newline="")
    info["violations"] = _violations(prov, lump, subsidy_total)
    (folder / "report_claims.yaml").write_text(
        report_claims_text(prov.county_ids[0], int(prov.years[0]), int(prov.years[-1])), encoding="utf-8", newline=""
    )
    return info


def generate_province(
    out_dir,
    seed: int = DEFAULT_SEED,
    n_counties: int = 60,
    years: tuple[int, int] = (2012, 2024),
    claims: bool = False,
    claims_rows: int | None = None,
    units_per_county: tuple[int, int] = (3, 8),
    claims_chunk_rows: int = 500_000,
) -> dict:
    """Write the synthetic province into ``out_dir`` (atomically) and return a summary.

    The folder is built as a hidden sibling and renamed into place, so ``out_dir`` is either the
    old content or the complete new province. An existing non-empty ``out_dir`` is replaced only
    when it is an earlier synthetic province (it has this generator's ``manifest.json``).
    """
    out_dir = Path(out_dir)
    years = tuple(int(y) for y in years)
    units_per_county = tuple(int(u) for u in units_per_county)
    _validate_args(seed, n_counties, years, claims_rows, units_per_county, claims_chunk_rows)
    check_target(out_dir)
    seed, n_counties = int(seed), int(n_counties)

    scale = 1.0
    prov = build_province(seed, n_counties, years, units_per_county)
    if claims:
        target = claims_rows if claims_rows is not None else CLAIMS_PER_COUNTY * n_counties
        # the per-unit population floor makes claims not quite proportional to the scale: refine
        for _ in range(4):
            expected = synth_claims.expected_claims(prov)
            if abs(expected / target - 1) < 0.01 or (scale == 1.0 and expected < target):
                break
            scale = min(1.0, scale * target / expected)
            prov = build_province(seed, n_counties, years, units_per_county, scale=scale)
        claims_rows = int(target)

    args = {
        "seed": seed,
        "n_counties": n_counties,
        "years": list(years),
        "claims": bool(claims),
        "claims_rows": claims_rows,
        "units_per_county": list(units_per_county),
        "claims_chunk_rows": claims_chunk_rows if claims else None,
    }
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".part", dir=out_dir.parent))
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; the dataset is an ordinary folder
    try:
        info = _write_tables(prov, tmp, claims, claims_chunk_rows)
        truth = build_truth(prov, info["violations"])
        (tmp / "truth.json").write_text(_json_text(truth), encoding="utf-8")
        files = sorted(p.name for p in tmp.iterdir())
        manifest = {
            "generator": GENERATOR,
            "version": GENERATOR_VERSION,
            # read by every report: outputs of this dataset carry the 示例数据 · synthetic data banner
            "synthetic": True,
            "modelled_on": MODELLED_ON,
            "seed": seed,
            "args": args,
            "population_scale": scale,
            "files": {name: {"sha256": _sha256(tmp / name), "bytes": (tmp / name).stat().st_size} for name in files},
            "rows": {**info["rows"], **({"claims": info["claims_rows"]} if claims else {})},
            "focal_county": prov.county_ids[0],
            "cohorts": truth["cohorts"],
            "never_reformed": truth["never_reformed"],
            "ph_village_share_violations": info["violations"],
            "how": "python -m toolkit synth --out DIR "
            + f"--seed {seed} --counties {n_counties}"
            + (f" --claims --claims-rows {claims_rows}" if claims else ""),
        }
        (tmp / "manifest.json").write_text(_json_text(manifest), encoding="utf-8")
        _swap_into_place(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {
        "out_dir": str(out_dir),
        "seed": seed,
        "n_counties": n_counties,
        "rows": manifest["rows"],
        "files": {k: v["sha256"] for k, v in manifest["files"].items()},
        "population_scale": scale,
        "cohorts": truth["cohorts"],
        "ph_village_share_violations": info["violations"],
        **({"claims_max_rows_in_memory": info["claims_max_rows_in_memory"]} if claims else {}),
    }


def _swap_into_place(tmp: Path, out_dir: Path) -> None:
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=out_dir.parent))
        os.rmdir(old)
        os.replace(out_dir, old)
        try:
            os.replace(tmp, out_dir)
        except BaseException:
            os.replace(old, out_dir)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out_dir)
