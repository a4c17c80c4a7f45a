"""``python -m toolkit synth --out DIR``: write the deterministic synthetic province.

See :mod:`toolkit.data.synth` for what is generated and why. The output folder is replaced only
when it is empty or an earlier synthetic province; anything else is refused (exit status 2).
"""

from __future__ import annotations

import argparse

HELP = "write a deterministic synthetic province following the data contract"
DESCRIPTION = (
    "Write a deterministic synthetic province (合成省份数据): units, unit_year, ph_process, ph_targets, "
    "county_year, deaths (and claims.parquet with --claims), truth.json with the true reform effects and "
    "manifest.json with the seed and file hashes. Same seed, same bytes."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from toolkit.data.synth import DEFAULT_SEED

    parser.add_argument("--out", required=True, help="output folder (new, empty, or an earlier synth output)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--counties", type=int, default=60, help="number of counties (default 60; C01 is Suixi-like)")
    parser.add_argument("--first-year", type=int, default=2012, help="first year (default 2012)")
    parser.add_argument("--last-year", type=int, default=2024, help="last year (default 2024)")
    parser.add_argument(
        "--claims", action="store_true", help="also write claims.parquet; aggregates are then computed from the claims"
    )
    parser.add_argument(
        "--claims-rows",
        type=int,
        default=None,
        help="about how many claims to generate (default 33,000 per county); the province is scaled to fit",
    )
    parser.add_argument(
        "--claims-chunk-rows", type=int, default=500_000, help="rows per Parquet row group (default 500,000)"
    )


def run(args: argparse.Namespace) -> int:
    from toolkit.data.synth import generate_province

    summary = generate_province(
        args.out,
        seed=args.seed,
        n_counties=args.counties,
        years=(args.first_year, args.last_year),
        claims=args.claims,
        claims_rows=args.claims_rows,
        claims_chunk_rows=args.claims_chunk_rows,
    )
    rows = ", ".join(f"{k} {v:,}" for k, v in summary["rows"].items())
    print(
        f"synthetic province written to {summary['out_dir']} (seed {summary['seed']}, {summary['n_counties']} counties): {rows}"
    )
    return 0
