"""``python -m toolkit check-claims DATASET --claims FILE.yaml [--out OUT]``.

Recomputes every figure stated in a report (toolkit.indicators.claims_check) from the dataset,
prints stated vs recomputed with a verdict, and writes the table as ``OUT.csv``/``OUT.xlsx``
when ``--out`` is given (both or neither: :func:`toolkit.io.write_files`; never inside the dataset). Exit status 0 when every claim follows from the data, 1 when at least
one does not (so a CI job or a batch can stop on it), 2 for bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from toolkit.commands import PRINT_LANGS

HELP = "check figures stated in a report against the data (核对报告数据)"
DESCRIPTION = (
    "Recompute the figures a report states (a YAML list of claims, or the dataset's report_claims.yaml layout "
    "county_id → claims: indicator, kind value/yoy/cagr/change/streak/trend, year or start/end, stated) and flag "
    "those that do not follow from the data."
)


#: the status of a checked claim in words (catalogue keys)
STATUS_KEYS = {
    "consistent": "claim_verdict_consistent",
    "inconsistent": "claim_verdict_inconsistent",
    "not_checkable": "cmd_claims_status_not_checkable",
}
FORMATS = {
    "stated": "num4",
    "recomputed": "num4",
    "difference": "num4",
    "tolerance": "num4",
    "start_value": "num2",
    "end_value": "num2",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from toolkit.catalogue import LANGS

    parser.add_argument("dataset", metavar="DATASET", help="dataset folder")
    parser.add_argument("--claims", required=True, metavar="FILE.yaml", help="the claims to check")
    parser.add_argument("--out", default=None, metavar="OUT", help="also write OUT.csv and OUT.xlsx")
    parser.add_argument(
        "--params",
        default=None,
        metavar="DIR",
        help="parameter folder for the savings series of streak claims (default: the project's params/)",
    )
    parser.add_argument(
        "--from-claims",
        action="store_true",
        help="derive the aggregates from the claims Parquet first (as `indicators --from-claims`)",
    )
    parser.add_argument(
        "--lang",
        default="zh",
        choices=LANGS,
        help="language of the workbook and of what is printed (default zh; en or both on request); "
        "the CSV keeps ids and English explanations",
    )


def column_label(column: str) -> tuple[str, str]:
    """(zh, en) header of a column of the checked claims."""
    from toolkit.catalogue import has
    from toolkit.report.labels import label

    key = f"cmd_claims_col_{column}"
    key = key if has(key) else column
    return label(key, "zh"), label(key, "en")


def workbook_bytes(result, lang: str, synthetic: bool = False) -> bytes:
    """OUT.xlsx: the checked claims, headers in ``lang``, kinds, verdicts and explanations in words of
    its body language (``result``: the claims checked in that language)."""
    from toolkit.catalogue import body_lang, choose, text
    from toolkit.report.excel import Sheet, build_workbook_bytes

    body = body_lang(lang)
    shown = result.copy()
    shown["kind"] = [text(f"cmd_claims_kind_{k}", body) for k in shown["kind"]]
    shown["ok"] = [text("yes" if ok else "no", body) for ok in shown["ok"]]
    shown["status"] = [text(STATUS_KEYS[s], body) if s in STATUS_KEYS else s for s in shown["status"]]
    labels = {c: choose(column_label(c), lang) for c in shown.columns}
    formats = {**FORMATS, "ok": "text"}
    return build_workbook_bytes(
        [Sheet(text("cmd_claims_sheet", body), shown, formats=formats, labels=labels)], lang=lang, synthetic=synthetic
    )


def run(args: argparse.Namespace) -> int:
    from toolkit.catalogue import body_lang, text
    from toolkit.commands.indicators import output_paths, tables_for
    from toolkit.indicators import compute_indicators
    from toolkit.indicators.claims_check import check_claims, read_claims_file
    from toolkit.io import check_output, write_files
    from toolkit.report.claim_series import with_settlement_series

    lang = getattr(args, "lang", "zh")
    if args.out:  # before anything is read or written
        check_output(output_paths(args.out).values(), [args.dataset, args.claims], folder=False)
    claims = read_claims_file(args.claims)  # spec errors before any data is read
    tables = tables_for(args.dataset, args.from_claims)
    counties = sorted({c.county for c in claims if c.county})
    values = compute_indicators(tables, counties=counties or None)
    values = with_settlement_series(values, tables, claims, args.params)
    # the explanations in each language needed: the CSV's English, the workbook's and the printed lines'
    needed = {"en", body_lang(lang), *PRINT_LANGS[lang]}
    results = {lg: check_claims(claims, values, lang=lg) for lg in sorted(needed)}
    result = results["en"]
    n_bad = int((~result["ok"]).sum())
    for lg in PRINT_LANGS[lang]:
        for row in results[lg].itertuples(index=False):
            mark = text("cmd_claims_mark_ok" if row.ok else "cmd_claims_mark_mismatch", lg)
            print(text("cmd_claims_line", lg, mark=mark, county=row.county_id, period=row.period, claim=row.claim))
            print(f"         {row.explanation}")
        print(text("cmd_claims_summary", lg, ok=len(result) - n_bad, n=len(result)))
    if args.out:
        paths = output_paths(args.out)
        from toolkit.report.csvout import csv_bytes

        csv_data = csv_bytes(result, labels=column_label)  # UTF-8 with BOM (toolkit.report.csvout)
        from toolkit.data.synth import is_synth_output

        workbook = workbook_bytes(results[body_lang(lang)], lang, synthetic=is_synth_output(Path(args.dataset)))
        write_files({paths["csv"]: csv_data, paths["xlsx"]: workbook})
    return 1 if n_bad else 0
