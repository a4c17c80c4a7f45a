"""Benchmark: points-based inpatient settlement over 50 M claims rows against plain DuckDB SQL.

    python benchmarks/bench_points.py                 # 50 M rows
    python benchmarks/bench_points.py --rows 2000000  # quick

Generates synthetic claims with the columns the points settlement reads (unit_id, county_id,
year, setting, provider_level, disease_group, bed_days, fund_paid; fixed seed; 20 counties of 232
units, 30 disease groups, 8% inpatient, years 2017–2023, Parquet files of 5 M rows) under
benchmarks/work/points/ (git-ignored; reused when present), then runs each engine in a fresh
subprocess so wall time and peak resident memory (VmHWM, benchmarks/peak_memory.py) are its own:

* ``toolkit`` — :func:`toolkit.settlement.points.settle_points_from_claims` for 2023, every county:
  the DuckDB scan, the exact integer points, largest-remainder payments and the reconciliation;
* ``duckdb_sql`` — the same aggregation written as one plain DuckDB query (facility points joined
  from a points table, payment = points × budget / Σ points in floating point, no fen rounding).

Each engine runs --repeats times (default 5), alternating which goes first; the median run is
reported with every run's wall time. Both must give the same points per facility; the script fails
otherwise. Target ratio
toolkit / duckdb_sql ≤ 1.3. Results: benchmarks/results/bench_points.json (with the load average).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from peak_memory import peak_rss_mib

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
WORK = ROOT / "work" / "points"
RESULTS = ROOT / "results" / "bench_points.json"
CHUNK = 5_000_000
SEED = 20240901
N_COUNTIES, UNITS_PER_COUNTY, N_GROUPS = 20, 232, 30
YEAR = 2023
BUDGET = 400_000_000.0  # yuan per county
PER_BED_DAY = 12.5


def group_points() -> dict[str, float]:
    return {f"G{g:02d}": float(50 + 37 * g % 400) + (0.5 if g % 3 == 0 else 0.0) for g in range(1, N_GROUPS + 1)}


def units():
    import pandas as pd

    u = range(N_COUNTIES * UNITS_PER_COUNTY)
    return pd.DataFrame(
        {
            "unit_id": [f"C{i // UNITS_PER_COUNTY + 1:02d}U{i % UNITS_PER_COUNTY + 1:03d}" for i in u],
            "county_id": [f"C{i // UNITS_PER_COUNTY + 1:02d}" for i in u],
            "township_id": [f"C{i // UNITS_PER_COUNTY + 1:02d}T{i % UNITS_PER_COUNTY % 11 + 1:02d}" for i in u],
            "community_id": [f"C{i // UNITS_PER_COUNTY + 1:02d}M{i % UNITS_PER_COUNTY % 2 + 1}" for i in u],
        }
    )


def generate(rows: int) -> list[Path]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    WORK.mkdir(parents=True, exist_ok=True)
    u = units()
    unit_ids, county_of = pa.array(u["unit_id"]), pa.array(u["county_id"])
    settings = pa.array(["inpatient", "outpatient"])
    levels = pa.array(["county", "township", "village", "outside"])
    codes = pa.array(list(group_points()))
    files = []
    for i, start in enumerate(range(0, rows, CHUNK)):
        n = min(CHUNK, rows - start)
        path = WORK / f"part-{i:03d}.parquet"
        files.append(path)
        if path.exists() and pq.read_metadata(path).num_rows == n:
            continue
        rng = np.random.default_rng([SEED, i])
        unit = pa.array(rng.integers(0, len(u), n))
        outpatient = rng.random(n) < 0.92
        level = rng.choice(4, n, p=[0.45, 0.35, 0.05, 0.15])
        bed_day_stay = rng.random(n) < 0.05
        group = pa.array(rng.integers(0, N_GROUPS, n), mask=outpatient | bed_day_stay)
        bed_days = pa.array(rng.integers(1, 31, n), pa.int32(), mask=outpatient)
        fund = np.where(outpatient, rng.lognormal(4.0, 1.0, n), rng.lognormal(8.5, 0.8, n)).round(2)
        table = pa.table(
            {
                "unit_id": pc.take(unit_ids, unit),
                "county_id": pc.take(county_of, unit),
                "year": pa.array(rng.integers(2017, 2024, n), pa.int32()),
                "setting": pc.take(settings, pa.array(outpatient.astype("int8"))),
                "provider_level": pc.take(levels, pa.array(level)),
                "disease_group": pc.take(codes, group),
                "bed_days": bed_days,
                "fund_paid": pa.array(fund),
            }
        )
        pq.write_table(table, path, row_group_size=1_000_000)
    return files


def snapshots():
    from toolkit.params.load import ParamEntry, load_params
    from toolkit.params.reform import Reform, apply_reform
    from toolkit.params.snapshot import resolve

    values = {"inpatient_budget": BUDGET, "points_per_group": group_points(), "points_per_bed_day": PER_BED_DAY}
    entries = {k: ParamEntry(k, {2017: v}, {2017: "benchmark"}, "bench_points") for k, v in values.items()}
    reform = Reform("bench_points", "bench_points.yaml", entries)
    ps = load_params()
    return {c: apply_reform(resolve(ps, c, YEAR), reform) for c in sorted(units()["county_id"].unique())}


def child_toolkit(files: list[str]) -> dict:
    from toolkit.settlement.points import settle_points_from_claims

    res = settle_points_from_claims(files, units(), YEAR, snapshots(), threads=2)
    return {
        f"{c}|{row.facility_id}": row.points for c, r in res.items() for row in r.facilities.itertuples(index=False)
    }


PEER_SQL = """
WITH adm AS (
  SELECT c.county_id,
         CASE c.provider_level WHEN 'county' THEN u.community_id || '/county'
              WHEN 'township' THEN u.township_id || '/township' ELSE c.unit_id || '/village' END AS facility_id,
         CASE WHEN c.disease_group IS NOT NULL THEN p.points
              WHEN c.bed_days IS NOT NULL THEN c.bed_days * {per_day} ELSE 0 END AS points,
         c.fund_paid
  FROM read_parquet([{files}]) c JOIN units u ON c.unit_id = u.unit_id
  LEFT JOIN points p ON c.disease_group = p.code
  WHERE c.setting = 'inpatient' AND c.provider_level <> 'outside' AND c.year = {year}
), fac AS (
  SELECT county_id, facility_id, sum(points) AS points, sum(fund_paid) AS fund_paid FROM adm GROUP BY ALL
)
SELECT county_id, facility_id, points, fund_paid,
       points * {budget} / sum(points) OVER (PARTITION BY county_id) AS payment
FROM fac ORDER BY county_id, facility_id
"""


def child_duckdb_sql(files: list[str]) -> dict:
    import duckdb
    import pandas as pd

    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute("SET preserve_insertion_order = false")
    con.register("units", units()[["unit_id", "township_id", "community_id"]])
    pts = group_points()
    con.register("points", pd.DataFrame({"code": list(pts), "points": list(pts.values())}))
    sql = PEER_SQL.format(files=", ".join(f"'{f}'" for f in files), per_day=PER_BED_DAY, year=YEAR, budget=BUDGET)
    frame = con.execute(sql).df()
    return {f"{c}|{f}": p for c, f, p in zip(frame["county_id"], frame["facility_id"], frame["points"])}


def child_main(engine: str, out: Path, files: list[str]) -> None:
    import resource

    t0 = time.perf_counter()
    points = {"toolkit": child_toolkit, "duckdb_sql": child_duckdb_sql}[engine](files)
    seconds = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime  # the process's own CPU seconds (its DuckDB threads included)
    result = {"seconds": seconds, "cpu_seconds": cpu, "peak_mib": peak_rss_mib(), "points": points}
    out.write_text(json.dumps(result), encoding="utf-8")


def run_child(engine: str, files: list[Path]) -> dict:
    out = WORK / f"result-{engine}.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT.parent), "OMP_NUM_THREADS": "1"}
    subprocess.run(
        [sys.executable, __file__, "--child", engine, "--out", str(out), *map(str, files)], check=True, env=env
    )
    return json.loads(out.read_text(encoding="utf-8"))


def median_run(runs: list[dict]) -> dict:
    """The run of median wall time (its CPU seconds and peak memory with it)."""
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50_000_000)
    ap.add_argument("--repeats", type=int, default=5, help="runs of each engine; the median is reported")
    ap.add_argument("--child")
    ap.add_argument("--out")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    if args.child:
        child_main(args.child, Path(args.out), args.files)
        return
    t0 = time.perf_counter()
    files = generate(args.rows)
    generated = time.perf_counter() - t0
    load_before = os.getloadavg()
    # each engine in a fresh process, alternating (peer first, then ours first, ...) so neither always
    # meets a cold file cache or a burst of other load; the median of the repeats is reported
    runs: dict[str, list[dict]] = {"duckdb_sql": [], "toolkit": []}
    for i in range(args.repeats):
        for engine in ("duckdb_sql", "toolkit") if i % 2 == 0 else ("toolkit", "duckdb_sql"):
            runs[engine].append(run_child(engine, files))
    peer, ours = (median_run(runs[e]) for e in ("duckdb_sql", "toolkit"))
    if set(peer["points"]) != set(ours["points"]) or any(
        abs(peer["points"][k] - ours["points"][k]) > 1e-6 * max(1.0, abs(ours["points"][k])) for k in ours["points"]
    ):
        raise SystemExit("the toolkit and the plain SQL disagree on the facility points")
    result = {
        "benchmark": "points-based inpatient settlement of 2023, 20 counties, over claims Parquet",
        "rows": args.rows,
        "files": len(files),
        "facilities": len(ours["points"]),
        "generate_seconds": round(generated, 1),
        "toolkit_seconds": round(ours["seconds"], 2),
        "toolkit_peak_mib": round(ours["peak_mib"], 1),
        "duckdb_sql_seconds": round(peer["seconds"], 2),
        "duckdb_sql_peak_mib": round(peer["peak_mib"], 1),
        "toolkit_cpu_seconds": round(ours["cpu_seconds"], 2),
        "duckdb_sql_cpu_seconds": round(peer["cpu_seconds"], 2),
        "repeats": args.repeats,
        "toolkit_seconds_each": [round(r["seconds"], 2) for r in runs["toolkit"]],
        "duckdb_sql_seconds_each": [round(r["seconds"], 2) for r in runs["duckdb_sql"]],
        "ratio_toolkit_to_duckdb_sql": round(ours["seconds"] / peer["seconds"], 3),
        "ratio_cpu": round(ours["cpu_seconds"] / peer["cpu_seconds"], 3),
        "target_ratio": 1.3,
        "meets_target": ours["seconds"] / peer["seconds"] <= 1.3,
        "points_agree": True,
        "load_average_1_5_15_before": [round(v, 2) for v in load_before],
        "load_average_1_5_15_after": [round(v, 2) for v in os.getloadavg()],
        "cpus": os.cpu_count(),
        "threads": 2,
        "python": platform.python_version(),
    }
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
