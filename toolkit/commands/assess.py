"""``python -m toolkit assess DATASET [--scheme NAME] --year Y --out OUT [--level L]``.

Scores the units of one level (medical community by default, as the Sichuan "一个总额付费"
assessment does; seed 004) on a points scheme from ``params/schemes/`` (toolkit.indicators.
assessment): each indicator's value, basis (change against last year, rank, or value), share
and points, and each unit's points by dimension and total. A scheme whose points do not add up,
an unknown indicator or a year without data is an error (exit 2) before anything is written.
Writes into the folder OUT: ``assessment_points.csv`` (unit × indicator), ``assessment_totals.csv``
(unit), ``assessment.xlsx`` and ``provenance.json`` (data hash, scheme digest, versions).
"""

from __future__ import annotations

import argparse

from toolkit.commands import PRINT_LANGS

HELP = "score medical communities on an assessment scheme (医共体考核评分)"
DESCRIPTION = (
    "Score every unit of a level (default: medical community) on a points scheme (params/schemes/NAME.yaml; "
    "default the Sichuan-style 100-point scheme): per indicator value, basis, share and points; per unit the "
    "points by dimension and the total."
)


#: the columns of the points table a workbook shows in words (the CSVs keep the ids)
LEVEL_KEY, MISSING_KEY = "cmd_assess_level_{}", "cmd_assess_missing_{}"
#: columns of the totals table whose header differs from the points table's
TOTALS_KEYS = {"points": "cmd_assess_col_totals_points", "points_possible": "cmd_assess_col_totals_points_possible"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from toolkit.catalogue import LANGS

    parser.add_argument("dataset", metavar="DATASET", help="dataset folder")
    parser.add_argument("--scheme", default=None, metavar="NAME", help="scheme name in params/schemes/ or a .yaml path")
    parser.add_argument("--year", required=True, type=int, metavar="Y", help="assessment year")
    parser.add_argument(
        "--level",
        default=None,
        choices=["facility", "community", "county", "province"],
        help="unit level scored (default: the scheme's, medical community for the Sichuan scheme)",
    )
    parser.add_argument("--out", required=True, metavar="OUT", help="output folder")
    parser.add_argument(
        "--lang",
        default="zh",
        choices=LANGS,
        help="language of the workbook and of what is printed (default zh; en or both on request); the CSVs keep ids",
    )


def column_label(column: str, scheme=None, table: str = "points") -> tuple[str, str]:
    """(zh, en) header of a column of the points or totals table (a dimension's column: its name)."""
    from toolkit.catalogue import has, localized
    from toolkit.report.labels import label

    dims = {d.id: d for d in scheme.dimensions} if scheme is not None else {}
    if column in dims:
        return localized(dims[column], "name", "zh"), localized(dims[column], "name", "en")
    key = TOTALS_KEYS.get(column) if table == "totals" else None
    key = key or f"cmd_assess_col_{column}"
    if has(key):
        return label(key, "zh"), label(key, "en")
    return label(column, "zh"), label(column, "en")


def _words(frame, scheme, body: str):
    """The points or totals table with its codes in words of ``body`` (level, dimension, method, ...)."""
    from toolkit.catalogue import localized, text
    from toolkit.indicators.registry import registry_by_id
    from toolkit.report.national import basis_text, note_text

    shown = frame.copy()
    dims = {d.id: d for d in scheme.dimensions}
    if "level" in shown.columns:
        shown["level"] = [text(LEVEL_KEY.format(v), body) for v in shown["level"]]
    if "dimension" in shown.columns:
        shown["dimension"] = [localized(dims[v], "name", body) if v in dims else v for v in shown["dimension"]]
    if "indicator" in shown.columns:
        reg = registry_by_id()
        names = [localized(reg[i], "name", body) if i in reg else i for i in shown["indicator"]]
        shown.insert(shown.columns.get_loc("indicator") + 1, "indicator_name", names)
    if "method" in shown.columns:
        shown["method"] = [text(f"national_method_{m}", body) for m in shown["method"]]
    if "direction" in shown.columns:
        shown["direction"] = [text(f"direction_{d}", body) for d in shown["direction"]]
    if "basis" in shown.columns:
        shown["basis"] = [basis_text(b, body) for b in shown["basis"]]
    if "missing_rule" in shown.columns:
        shown["missing_rule"] = [text(MISSING_KEY.format(m), body) if m else "" for m in shown["missing_rule"]]
    if "note" in shown.columns:
        shown["note"] = [note_text(n, body) for n in shown["note"]]
    return shown


def workbook_bytes(points, totals, scheme, lang: str, synthetic: bool = False) -> bytes:
    """assessment.xlsx: the totals and the points per indicator, headers in ``lang``, words in its body
    language (``both``: bilingual headers over a Chinese body)."""
    from toolkit.catalogue import body_lang, choose, text
    from toolkit.report.excel import Sheet, build_workbook_bytes

    body = body_lang(lang)
    sheets = []
    for name, frame, formats in (
        ("totals", totals, {c: "num2" for c in totals.columns if totals[c].dtype.kind == "f"}),
        ("points", points, {"value": "num4", "share": "num4", "points": "num2", "points_possible": "num2"}),
    ):
        shown = _words(frame, scheme, body)
        labels = {c: choose(column_label(c, scheme, name), lang) for c in shown.columns}
        sheets.append(Sheet(text(f"cmd_assess_sheet_{name}", body), shown, formats=formats, labels=labels))
    return build_workbook_bytes(sheets, lang=lang, synthetic=synthetic)


def run(args: argparse.Namespace) -> int:
    from toolkit.data.load import load_dataset
    from toolkit.indicators.assessment import DEFAULT_SCHEME, load_scheme, score
    from toolkit.io import check_output, staged_output
    from toolkit.report.csvout import csv_bytes
    from toolkit.report.provenance import provenance_for_dataset, provenance_json

    lang = getattr(args, "lang", "zh")
    check_output([args.out], [args.dataset], folder=True)  # before anything is read or written
    scheme = load_scheme(args.scheme or DEFAULT_SCHEME)  # a broken scheme is reported before the data is read
    ds = load_dataset(args.dataset)
    points, totals = score(ds.tables, scheme, args.year, args.level)
    prov = provenance_for_dataset(
        ds,
        {"scheme": scheme.id, "scheme_file": scheme.path, "scheme_digest": scheme.digest},
        {"year": args.year, "level": args.level or scheme.level, "command": "assess"},
    )
    files = {
        # UTF-8 with BOM (toolkit.report.csvout); ids in the body, the header as --csv-header asks
        "assessment_points.csv": csv_bytes(points, labels=lambda c: column_label(c, scheme, "points")),
        "assessment_totals.csv": csv_bytes(totals, labels=lambda c: column_label(c, scheme, "totals")),
        "assessment.xlsx": workbook_bytes(points, totals, scheme, lang, synthetic=bool(prov.get("synthetic"))),
        "provenance.json": (provenance_json(prov) + "\n").encode("utf-8"),
    }
    with staged_output(args.out) as stage:
        for name, data in files.items():
            stage.write_bytes(name, data)
    level = totals["level"].iloc[0] if len(totals) else (args.level or scheme.level)
    for lg in PRINT_LANGS[lang]:  # both: the Chinese lines, then the English ones
        _report(lg, scheme, args, level, points, totals)
    return 0


def _report(lang: str, scheme, args, level: str, points, totals) -> None:
    """What the command prints, in ``lang`` (zh or en)."""
    from toolkit.catalogue import localized, text
    from toolkit.report.national import note_text

    name = localized(scheme, "name", lang)
    level_words = text(LEVEL_KEY.format(level), lang)
    print(
        text(
            "cmd_assess_scored",
            lang,
            scheme=scheme.id,
            name=name,
            year=args.year,
            n=len(totals),
            level=level_words,
            out=args.out,
        )
    )
    for row in totals.sort_values("total", ascending=False, kind="mergesort").head(10).itertuples(index=False):
        fields = {"total": f"{row.total:.2f}", "out_of": f"{row.out_of:g}", "points": f"{row.points:.2f}"}
        print(text("cmd_assess_unit_line", lang, unit=row.entity_id, possible=f"{row.points_possible:g}", **fields))
    missing = points.loc[points["note"] != ""]
    if len(missing):
        print(text("cmd_assess_missing_cells", lang, n=len(missing), example=note_text(missing["note"].iloc[0], lang)))
