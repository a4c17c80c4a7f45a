"""Chinese first: a zh output holds no English words beyond codes, estimator and software names,
units and the like (the whitelist below). Scanned: the text a reader sees on the pages and the
cells of every workbook the job writes (the index, the province overview, indicators.xlsx, the
county report's tables, the settlement workbooks and the unit statements' workbooks: Chinese headers
with their units, yes/no as 是/否). :data:`NOT_YET` and :data:`NOT_YET_WORKBOOKS` name outputs that
still carry English; the test fails once one of them becomes clean, so the lists only shrink."""

import re

import openpyxl

from .pages import text_nodes

#: words allowed in a Chinese output: estimator and test names, software and formats, units
ALLOWED = {
    # estimators, tests and their symbols
    "twfe",
    "callaway",
    "sant",
    "anna",
    "sun",
    "abraham",
    "goodman",
    "bacon",
    "wald",
    "hotelling",
    "att",
    "borusyak",
    "jaravel",
    "spiess",
    "bjs",
    "sdid",
    "did",
    "ols",
    "cr",
    "ci",
    "se",
    "df",
    "chi",
    "pre",
    "mann",
    "kendall",
    "sen",
    "mackinnon",
    "webb",
    "rademacher",
    "sup",
    # software, formats and hashes
    "python",
    "git",
    "sha",
    "toolkit",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "papermill",
    "nbclient",
    "duckdb",
    "pyarrow",
    "openpyxl",
    "excel",
    "csv",
    "xlsx",
    "html",
    "pdf",
    "docx",
    "wps",
    "word",
    "json",
    "ipynb",
    "digest",
    "dirty",
    # the banner names the data in both languages
    "synthetic",
    "data",
}
#: tokens that are codes, not words: C01, C01-U001, hex digests, parameter ids (snake_case), file names
CODE = re.compile(
    r"^(?:[A-Z]\d+|[0-9a-f]{7,}|[a-z0-9]+(?:_[a-z0-9]+)+|.*\.(?:xlsx|csv|html|ipynb|pdf|docx|json|yaml))$"
)
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-']*[A-Za-z0-9]|[A-Za-z]")


PATH = re.compile(r"\S*/\S*")  # file paths and URLs are names, not words


def stray_english(texts) -> list[str]:
    found = []
    for text in texts:
        for token in WORD.findall(PATH.sub(" ", text)):
            if CODE.match(token) or CODE.match(token.rstrip(".")):
                continue
            for word in re.split(r"[-'.]", token):
                if (
                    len(word) > 1
                    and re.search("[A-Za-z]", word)
                    and word.lower() not in ALLOWED
                    and not CODE.match(word)
                ):
                    found.append(f"{word!r} in {text.strip()[:80]!r}")
    return found


#: outputs (first path part) whose own sections still write English into a zh page (none left)
NOT_YET: set[str] = set()
#: workbooks (first path part) that still write English into a zh workbook (none left)
NOT_YET_WORKBOOKS: set[str] = set()
#: workbook columns that hold English on purpose (the registry's English names, cited sources)
BILINGUAL_COLUMNS = {"英文名称", "来源", "目标", "说明"}


def _kind(path, root) -> str:
    return path.relative_to(root).parts[0]


def test_zh_pages_have_no_stray_english(main_outputs):
    problems, dirty = {}, set()
    for page in sorted(main_outputs.rglob("*.html")):
        bad = stray_english(text_nodes(page.read_text(encoding="utf-8")))
        if _kind(page, main_outputs) in NOT_YET:
            dirty |= {_kind(page, main_outputs)} if bad else set()
        elif bad:
            problems[str(page.relative_to(main_outputs))] = bad[:8]
    assert problems == {}
    assert dirty == NOT_YET, f"{NOT_YET - dirty} became clean: take it off NOT_YET"


def _workbook_texts(path) -> list[str]:
    wb = openpyxl.load_workbook(path, read_only=True)
    texts = list(wb.sheetnames)
    for ws in wb.worksheets:
        rows = ws.iter_rows(values_only=True)
        header = next(rows, ())
        texts += [h for h in header if isinstance(h, str)]
        keep = [i for i, h in enumerate(header) if h not in BILINGUAL_COLUMNS]
        for row in rows:
            texts += [row[i] for i in keep if i < len(row) and isinstance(row[i], str)]
    return texts


def test_zh_workbooks_have_no_stray_english(main_outputs):
    problems, dirty = {}, set()
    for path in sorted(main_outputs.rglob("*.xlsx")):
        bad = stray_english(_workbook_texts(path))
        if _kind(path, main_outputs) in NOT_YET_WORKBOOKS:
            dirty |= {_kind(path, main_outputs)} if bad else set()
        elif bad:
            problems[str(path.relative_to(main_outputs))] = bad[:8]
    assert problems == {}
    assert dirty == NOT_YET_WORKBOOKS, f"{NOT_YET_WORKBOOKS - dirty} became clean: take it off NOT_YET_WORKBOOKS"


def _csv_labels(path, root):
    """The labels the CSV's writer uses for a Chinese header (the settlement command: its column labels)."""
    if _kind(path, root) == "settlement":
        from toolkit.settlement.labels import column_label

        return column_label
    return None


def test_zh_csv_headers_have_no_stray_english(main_outputs):
    """Every CSV of the job, its header as ``--csv-header zh`` writes it (the job writes column ids by
    default, for programs): Chinese labels, ids only where a column has no label (snake_case codes)."""
    from toolkit.report.csvout import header_row

    problems = {}
    csvs = sorted(main_outputs.rglob("*.csv"))
    assert csvs
    for path in csvs:
        with open(path, encoding="utf-8-sig") as f:
            ids = f.readline().rstrip("\n").split(",")
        bad = stray_english(header_row(ids, "zh", _csv_labels(path, main_outputs)))
        if bad:
            problems[str(path.relative_to(main_outputs))] = bad[:8]
    assert problems == {}
