"""``python -m toolkit did DATA.csv --outcome Y --unit U --time T --cohort G [...]``.

Difference-in-differences on a unit × year panel (R ``did`` vocabulary: outcome = yname,
unit = idname, time = tname, cohort = gname, first treated year; 0 or empty = never treated).
Prints a short report, or with ``--json`` one JSON object (``DidResult.to_dict``: estimator,
estimate, se, ci_low, ci_high, p_value, n_units, n_obs, inference, warnings, and for event studies
an ``event_study`` list of {event_time, estimate, se, ...}, for CS a ``groups`` list of
{cohort, estimate, se, ...}). ``--out`` writes the same JSON to a file, ``--plot`` the
event-study figure (PNG/PDF/SVG); both only after the estimation succeeded, together or neither
(:func:`toolkit.io.write_files`), and never onto the input file.
"""

from __future__ import annotations

import argparse
import io
import math
from pathlib import Path

import pandas as pd

from toolkit.errors import ToolkitError

HELP = "difference-in-differences: TWFE, event study, Bacon, CS, SA/BJS, synthetic DiD (双重差分)"
DESCRIPTION = (
    "Estimate the effect of a reform adopted in waves on a unit x year panel: two-way fixed effects "
    "(clustered by unit; CR1 as fixest, or CR2 as clubSandwich; wild cluster bootstrap for few "
    "clusters), event study with a pre-trend test, Goodman-Bacon decomposition, and the heterogeneity-"
    "robust estimators (Callaway-Sant'Anna, Sun-Abraham, BJS imputation, synthetic DiD)."
)

ESTIMATORS = ["twfe", "event", "bacon", "cs", "sa", "bjs", "sdid"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", metavar="DATA", help="long panel as CSV (or .parquet): one row per unit and year")
    parser.add_argument("--outcome", required=True, help="outcome column (yname)")
    parser.add_argument("--unit", required=True, help="unit id column (idname), e.g. county_id")
    parser.add_argument("--time", required=True, help="year column (tname)")
    parser.add_argument("--cohort", required=True, help="first treated year column (gname); 0 or empty = never treated")
    parser.add_argument("--estimator", default="twfe", choices=ESTIMATORS, help="estimator (default twfe)")
    parser.add_argument(
        "--control",
        default=None,
        choices=["never", "notyet"],
        help="comparison units: never treated or not yet treated (default: the estimator's own — never; bjs: notyet)",
    )
    parser.add_argument("--covariates", default="", help="comma-separated covariate columns")
    parser.add_argument("--cluster", default=None, help="cluster column (default: the unit column)")
    parser.add_argument(
        "--weights",
        default=None,
        metavar="COLUMN",
        help="twfe, event, sa, cs, bjs: sampling (population) weights column (WLS; cs: constant per unit)",
    )
    parser.add_argument(
        "--vcov",
        default="CR1",
        choices=["CR1", "CR2"],
        help="twfe/event/bacon: CR1 (default) or CR2 (Bell-McCaffrey, few clusters)",
    )
    parser.add_argument(
        "--ssc",
        default="nested",
        choices=["nested", "full"],
        help="CR1 small-sample convention: nested = fixest/pyfixest (default), full = statsmodels/linearmodels",
    )
    parser.add_argument(
        "--bootstrap",
        default=None,
        choices=["wild", "cluster"],
        help="twfe: wild = wild cluster restricted bootstrap p-value and CI; "
        "bjs: cluster = unit cluster bootstrap SEs instead of the analytic BJS variance (--n-boot draws)",
    )
    parser.add_argument("--n-boot", type=int, default=9999, help="bootstrap draws (default 9999)")
    parser.add_argument(
        "--boot-weights",
        default="rademacher",
        choices=["rademacher", "webb"],
        help="weight distribution of the wild bootstrap (not sampling weights)",
    )
    parser.add_argument("--seed", type=int, default=20240901, help="random seed (bootstrap, placebo)")
    parser.add_argument("--leads", type=int, default=None, help="event: bin relative years <= -LEADS")
    parser.add_argument("--lags", type=int, default=None, help="event: bin relative years >= LAGS")
    parser.add_argument(
        "--ref", type=int, default=None, help="event, sa: reference event time (default -1; e.g. -5 for 5-yearly data)"
    )
    parser.add_argument("--alpha", type=float, default=0.05, help="1 - confidence level (default 0.05)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    parser.add_argument("--out", default=None, metavar="FILE", help="also write the JSON result to FILE")
    parser.add_argument(
        "--plot", default=None, metavar="FILE", help="event-study figure to FILE (event, cs, sa, bjs, sdid)"
    )


def read_panel(path: str) -> pd.DataFrame:
    p = Path(path)
    if not p.exists():
        raise ToolkitError(f"data file not found: {path}")
    try:
        if p.suffix.lower() == ".parquet":
            return pd.read_parquet(p)
        return pd.read_csv(p, encoding="utf-8-sig")
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise ToolkitError(
            f"cannot read {path} as {'Parquet' if p.suffix.lower() == '.parquet' else 'CSV (UTF-8)'}: {exc}"
        ) from exc


def _options(args: argparse.Namespace) -> dict:
    est = args.estimator
    opts: dict = {}
    if est in ("twfe", "event", "bacon"):
        opts.update(vcov=args.vcov, ssc=args.ssc)
    elif args.vcov != "CR1" or args.ssc != "nested":
        raise ToolkitError(f"--vcov/--ssc apply to twfe, event and bacon, not to {est}")
    if args.bootstrap == "cluster":
        if est != "bjs":
            raise ToolkitError(f"--bootstrap cluster applies to --estimator bjs, not {est}")
        opts.update(se="bootstrap", biters=args.n_boot)
    elif args.bootstrap:
        if est != "twfe":
            raise ToolkitError(f"--bootstrap wild applies to --estimator twfe, not {est}")
        opts.update(bootstrap=args.bootstrap, n_boot=args.n_boot, boot_weights=args.boot_weights, seed=args.seed)
    if args.leads is not None or args.lags is not None:
        if est != "event":
            raise ToolkitError("--leads/--lags apply to --estimator event")
        opts.update(leads=args.leads, lags=args.lags)
    if args.weights:
        opts["weights"] = args.weights
    if args.ref is not None:
        if est not in ("event", "sa"):
            raise ToolkitError("--ref applies to --estimator event or sa")
        opts["ref"] = args.ref
    if est in ("cs", "bjs", "sdid"):
        opts["seed"] = args.seed
    return opts


def _fmt(x) -> str:
    return "NA" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.6g}"


def report_text(result) -> str:
    d = result.to_dict()
    level = int(round(100 * (1 - float(d["options"].get("alpha", 0.05)))))
    lines = [
        f"estimator: {d['estimator']}   outcome: {d['outcome']}",
        f"estimate:  {_fmt(d['estimate'])}   SE {_fmt(d['se'])}   {level}% CI [{_fmt(d['ci_low'])}, {_fmt(d['ci_high'])}]   p {_fmt(d['p_value'])}",
        f"sample:    {d['n_units']} units, {d['n_obs']} observations",
        f"inference: {d['inference']}",
    ]
    if d.get("event_study"):
        lines.append("event study (event_time: estimate [SE]):")
        lines += [f"  {r['event_time']:>4}: {_fmt(r['estimate'])} [{_fmt(r.get('se'))}]" for r in d["event_study"]]
    if d.get("groups"):
        lines.append("by cohort (cohort: estimate [SE]):")
        lines += [f"  {r['cohort']}: {_fmt(r['estimate'])} [{_fmt(r.get('se'))}]" for r in d["groups"]]
    pre = (d.get("diagnostics") or {}).get("pretrend")
    if isinstance(pre, dict) and pre.get("p_value") is not None:
        lines.append(
            f"pre-trend test: F({pre.get('df1')}, {_fmt(pre.get('df2'))}) = {_fmt(pre.get('stat_f'))}, p = {_fmt(pre.get('p_value'))}"
        )
        if pre.get("test"):  # which test and reference distribution (they differ by estimator)
            lines.append(f"  ({pre['test']})")
    bacon = (d.get("diagnostics") or {}).get("bacon")
    if bacon:
        lines.append("Goodman-Bacon decomposition (type: weight, average 2x2 estimate):")
        lines += [f"  {r['type']}: {r['weight']:.4f}, {_fmt(r['estimate'])}" for r in bacon["by_type"]]
    for w in d["warnings"]:
        lines.append(f"warning: {w}")
    return "\n".join(lines)


#: figure formats of --plot (the file's suffix; none means PNG)
PLOT_FORMATS = ("png", "pdf", "svg")


def _plot_format(path: str) -> str:
    return Path(path).suffix.lower().lstrip(".") or "png"


def run(args: argparse.Namespace) -> int:
    from toolkit.did.api import estimate
    from toolkit.io import check_output, write_files

    outputs = [p for p in (args.out, args.plot) if p]
    check_output(outputs, [args.data], folder=False)  # before anything is read or written
    if args.out and args.plot and Path(args.out).resolve() == Path(args.plot).resolve():
        raise ToolkitError(f"--out and --plot name the same file {args.out}; give each its own file")
    if args.plot and _plot_format(args.plot) not in PLOT_FORMATS:
        raise ToolkitError(
            f"--plot {args.plot}: expected a figure file ending in one of "
            f"{', '.join('.' + f for f in PLOT_FORMATS)}, got {Path(args.plot).suffix or 'no suffix'}"
        )
    if not (0 < args.alpha < 1):
        raise ToolkitError(f"--alpha must be between 0 and 1, got {args.alpha}")
    if args.n_boot < 99:
        raise ToolkitError(f"--n-boot must be at least 99, got {args.n_boot}")
    data = read_panel(args.data)
    covariates = tuple(c.strip() for c in args.covariates.split(",") if c.strip())
    result = estimate(
        data,
        yname=args.outcome,
        idname=args.unit,
        tname=args.time,
        gname=args.cohort,
        estimator=args.estimator,
        control=args.control,
        covariates=covariates,
        cluster=args.cluster,
        alpha=args.alpha,
        **_options(args),
    )
    text = result.to_json(indent=None)
    figure = None
    if args.plot:
        if result.event_study is None or len(result.event_study) == 0:
            raise ToolkitError(f"--plot needs an event study; estimator {args.estimator} produced none")
        from toolkit.did.plots import plot_event_study

        figure = plot_event_study(result, title=f"{args.outcome}: {args.estimator}")
    # everything computed: now write (the result and the figure together or neither)
    files: dict[str, bytes] = {}
    if args.out:
        files[args.out] = (text + "\n").encode("utf-8")
    if figure is not None:
        import matplotlib.pyplot as plt

        suffix = _plot_format(args.plot)
        buf = io.BytesIO()
        figure.savefig(buf, format=suffix, dpi=150, metadata={"Software": None} if suffix == "png" else None)
        plt.close(figure)
        files[args.plot] = buf.getvalue()
    write_files(files)
    print(text if args.json else report_text(result))
    return 0
