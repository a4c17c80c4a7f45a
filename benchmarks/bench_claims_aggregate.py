"""Benchmark: claims → aggregates with DuckDB (toolkit.data.claims) against a plain pandas groupby.

    python benchmarks/bench_claims_aggregate.py                  # 50 M rows, pandas on 10 M
    python benchmarks/bench_claims_aggregate.py --rows 2000000 --pandas-rows 2000000   # quick

Generates synthetic claims (fixed seed, contract columns, in Parquet files of 5 M rows) under
benchmarks/work/ (git-ignored; reused when already there), then runs each measurement in a fresh
subprocess so wall time and peak resident memory (VmHWM of that process, benchmarks/peak_memory.py) are its own:

* ``duckdb``  — ``aggregate_claims`` over all rows (streaming Parquet, 2 threads);
* ``duckdb_same_as_pandas`` — the same over the rows pandas gets, for a like-for-like ratio;
* ``pandas``  — ``read_parquet`` of the needed columns + ``groupby().sum()`` in integer fen, on
  ``--pandas-rows`` rows (default 10 M: pandas materialises every row in memory; pass
  ``--pandas-rows`` equal to ``--rows`` to try all of them).

Both engines must agree exactly (integer fen) on the shared rows; the script fails otherwise.
Results go to benchmarks/results/claims_aggregate.json with the ratios pandas / DuckDB.
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
WORK = ROOT / "work"
RESULTS = ROOT / "results" / "claims_aggregate.json"
CHUNK = 5_000_000
SEED = 20240901


def generate(rows: int, folder: Path) -> list[Path]:
    """Synthetic claims in Parquet files of CHUNK rows (reused if present with the same size)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    files = []
    n_units, n_persons = 232 * 20, 2_000_000  # 20 counties shaped like Suixi
    unit_ids = pa.array([f"C{u // 232 + 1:02d}U{u % 232 + 1:03d}" for u in range(n_units)])
    county_of_unit = pa.array([f"C{u // 232 + 1:02d}" for u in range(n_units)])
    settings = pa.array(["inpatient", "outpatient"])
    levels = pa.array(["county", "township", "village", "outside"])
    for i, start in enumerate(range(0, rows, CHUNK)):
        n = min(CHUNK, rows - start)
        path = folder / f"part-{i:03d}.parquet"
        files.append(path)
        if path.exists() and pq.read_metadata(path).num_rows == n:
            continue
        rng = np.random.default_rng([SEED, i])
        unit = rng.integers(0, n_units, n)
        setting = (rng.random(n) < 0.92).astype("int8")  # 1 = outpatient
        level = rng.choice(4, n, p=[0.25, 0.3, 0.3, 0.15]).astype("int8")
        chronic = np.where((setting == 1) & (rng.random(n) < 0.25), rng.integers(1, 42, n), 0)
        total_fen = np.where(setting == 1, rng.lognormal(4.5, 1.0, n), rng.lognormal(8.8, 0.8, n)) * 100
        total_fen = np.maximum(total_fen.round(), 1).astype("int64")
        fund_fen = (total_fen * rng.uniform(0.3, 0.8, n)).astype("int64")
        critical_fen = np.where(setting == 0, (total_fen - fund_fen) * rng.uniform(0, 0.5, n), 0).astype("int64")
        ids = pa.array(np.arange(start, start + n, dtype="int64"))
        table = pa.table(
            {
                "claim_id": pc.binary_join_element_wise("K", pc.cast(ids, pa.string()), ""),
                "person_id": pc.binary_join_element_wise(
                    "P", pc.cast(pa.array(rng.integers(0, n_persons, n)), pa.string()), ""
                ),
                "unit_id": pc.take(unit_ids, pa.array(unit)),
                "county_id": pc.take(county_of_unit, pa.array(unit)),
                "year": pa.array(rng.integers(2017, 2024, n), pa.int64()),
                "month": pa.array(rng.integers(1, 13, n), pa.int64()),
                "setting": pc.take(settings, pa.array(setting)),
                "provider_level": pc.take(levels, pa.array(level)),
                "chronic_group": pa.array(chronic, pa.int64(), mask=chronic == 0),
                "total_cost": pa.array(total_fen / 100),
                "fund_paid": pa.array(fund_fen / 100),
                "critical_illness_paid": pa.array(critical_fen / 100),
            }
        )
        tmp = path.with_suffix(".part")
        pq.write_table(table, tmp, row_group_size=1_000_000)
        os.replace(tmp, path)
    return files


# --------------------------------------------------------------------------- children
def child_duckdb(files: list[str]) -> dict:
    t0 = time.perf_counter()
    agg = _duckdb(files)
    return {"seconds": time.perf_counter() - t0, "unit_year": agg["unit_year"], "county_year": agg["county_year"]}


def _duckdb(files: list[str]):
    from toolkit.data.claims import aggregate_claims

    folder = Path(files[0]).parent
    if len(files) == len(list(folder.glob("part-*.parquet"))):
        return aggregate_claims(folder, keep_fen=True)
    # a subset of the files: point DuckDB at them through a temporary folder of links
    sub = folder.parent / f"subset_{len(files)}"
    sub.mkdir(exist_ok=True)
    for f in files:
        link = sub / Path(f).name
        if not link.exists():
            link.symlink_to(f)
    return aggregate_claims(sub, keep_fen=True)


def child_pandas(files: list[str]) -> dict:
    import pandas as pd

    t0 = time.perf_counter()
    cols = ["unit_id", "county_id", "year", "setting", "provider_level", "chronic_group", "total_cost", "fund_paid"]
    c = pd.concat([pd.read_parquet(f, columns=cols) for f in files], ignore_index=True)
    fund = (c["fund_paid"] * 100).round().astype("int64")
    total = (c["total_cost"] * 100).round().astype("int64")
    chronic_op = (c["setting"] == "outpatient") & c["chronic_group"].notna()
    inpatient = c["setting"] == "inpatient"
    in_county = c["provider_level"] != "outside"
    primary = c["provider_level"].isin(["township", "village"])
    f = pd.DataFrame(
        {
            "unit_id": c["unit_id"],
            "county_id": c["county_id"],
            "year": c["year"],
            "fund_general": fund.where(~chronic_op, 0),
            "fund_chronic_outpatient": fund.where(chronic_op, 0),
            "total_medical_spending": total,
        }
    )
    unit = f.groupby(["unit_id", "county_id", "year"], as_index=False, sort=True).sum()
    g = pd.DataFrame(
        {
            "county_id": c["county_id"],
            "year": c["year"],
            "admissions": inpatient.astype("int64"),
            "admissions_in_county": (inpatient & in_county).astype("int64"),
            "visits": (~inpatient).astype("int64"),
            "visits_in_county": (~inpatient & in_county).astype("int64"),
            "visits_primary": (~inpatient & primary).astype("int64"),
            "fund_spending": fund,
            "fund_in_county": fund.where(in_county, 0),
            "fund_primary": fund.where(primary, 0),
        }
    )
    county = g.groupby(["county_id", "year"], as_index=False, sort=True).sum()
    return {"seconds": time.perf_counter() - t0, "unit_year": unit, "county_year": county}


def run_child(engine: str, files: list[Path], tag: str) -> dict:
    """Run one measurement in a fresh interpreter; return seconds, peak RSS and result paths."""
    out = WORK / f"result_{tag}"
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", engine, "--child-out", str(out), *map(str, files)],
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{engine} child failed:\n{proc.stderr}")
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    info["process_wall_seconds"] = round(wall, 2)
    info["out"] = str(out)
    return info


def child_main(engine: str, out: Path, files: list[str]) -> None:

    res = child_duckdb(files) if engine == "duckdb" else child_pandas(files)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("unit_year", "county_year"):
        res[name].to_parquet(out / f"{name}.parquet", index=False)
    print(json.dumps({"seconds": round(res["seconds"], 2), "peak_rss_mib": round(peak_rss_mib(), 1)}))


def same(a_dir: str, b_dir: str) -> bool:
    import pandas as pd

    for name, keys in (("unit_year", ["unit_id", "year"]), ("county_year", ["county_id", "year"])):
        a = pd.read_parquet(Path(a_dir) / f"{name}.parquet").sort_values(keys, ignore_index=True)
        b = pd.read_parquet(Path(b_dir) / f"{name}.parquet").sort_values(keys, ignore_index=True)
        cols = [c for c in a.columns if c not in ("unit_id", "county_id", "year")]
        if not (
            a[keys].astype(str).equals(b[keys].astype(str))
            and all((a[c].astype("int64") == b[c].astype("int64")).all() for c in cols)
        ):
            return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--pandas-rows", type=int, default=10_000_000)
    parser.add_argument("--child", choices=["duckdb", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child, Path(args.child_out), args.files)
        return 0
    if args.pandas_rows % CHUNK and args.pandas_rows != args.rows:
        raise SystemExit(f"--pandas-rows must be a multiple of {CHUNK:,} (whole files) or equal --rows")
    t0 = time.perf_counter()
    files = generate(args.rows, WORK / f"claims_{args.rows}")
    gen_seconds = time.perf_counter() - t0
    load_before = os.getloadavg()
    n_pandas_files = len(files) if args.pandas_rows >= args.rows else args.pandas_rows // CHUNK
    pandas_files = files[:n_pandas_files]
    duck_all = run_child("duckdb", files, "duckdb_all")
    duck_sub = run_child("duckdb", pandas_files, "duckdb_sub") if n_pandas_files < len(files) else duck_all
    pand = run_child("pandas", pandas_files, "pandas_sub")
    agree = same(duck_sub["out"], pand["out"])
    if not agree:
        raise SystemExit("DuckDB and pandas aggregates differ: the benchmark result is void")
    pandas_rows = min(args.pandas_rows, args.rows)
    import duckdb
    import pandas as pd

    result = {
        "benchmark": "claims → unit_year / county_year aggregates (toolkit.data.claims.aggregate_claims)",
        "rows": args.rows,
        "parquet_files": len(files),
        "generate_seconds": round(gen_seconds, 1),
        "duckdb": {"rows": args.rows, **{k: duck_all[k] for k in ("seconds", "peak_rss_mib", "process_wall_seconds")}},
        "duckdb_same_rows_as_pandas": {
            "rows": pandas_rows,
            **{k: duck_sub[k] for k in ("seconds", "peak_rss_mib", "process_wall_seconds")},
        },
        "pandas": {"rows": pandas_rows, **{k: pand[k] for k in ("seconds", "peak_rss_mib", "process_wall_seconds")}},
        "ratio_pandas_over_duckdb_same_rows": {
            "seconds": round(pand["seconds"] / duck_sub["seconds"], 2),
            "peak_rss": round(pand["peak_rss_mib"] / duck_sub["peak_rss_mib"], 2),
        },
        "pandas_extrapolated_to_all_rows": {
            "seconds": round(pand["seconds"] * args.rows / pandas_rows, 1),
            "peak_rss_mib": round(pand["peak_rss_mib"] * args.rows / pandas_rows, 0),
            "note": "linear scaling of the measured pandas run; pandas holds every row in memory",
        },
        "exact_agreement_in_fen": agree,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
            "pandas": pd.__version__,
            "duckdb_threads": 2,
        },
        "timing": "seconds inside the process (read + aggregate); peak_rss_mib = VmHWM of that process",
        "load_average_1_5_15min": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()],
        },
        "note": (
            "the machine is shared: a load average above the 2 cores inflates both engines' seconds; "
            "the ratio at equal rows is the comparable figure. DuckDB's peak memory does not grow with "
            "the rows (streaming GROUP BY over row groups); pandas holds every row."
        ),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT.parent))
    from toolkit.io import write_text

    write_text(RESULTS, json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT.parent))
    raise SystemExit(main())
