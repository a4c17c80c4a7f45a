"""Chinese first: a zh output holds no English words beyond codes, estimator and software names,
units and the like (the whitelist below). Scanned: the text a reader sees on every HTML page and
every cell of every workbook the main job writes in Chinese."""

import re

import openpyxl

from .pages import text_nodes

#: words allowed in a Chinese output: estimator and test names, software and formats, units
ALLOWED = {
    # estimators, tests and their symbols
    "twfe", "callaway", "sant", "anna", "sun", "abraham", "goodman", "bacon", "wald", "hotelling", "att",
    "borusyak", "jaravel", "spiess", "bjs", "sdid", "did", "ols", "cr", "ci", "se", "df", "chi", "pre",
    # software, formats and hashes
    "python", "git", "sha", "toolkit", "pandas", "numpy", "scipy", "statsmodels", "matplotlib", "papermill",
    "nbclient", "duckdb", "pyarrow", "openpyxl", "excel", "csv", "xlsx", "html", "pdf", "docx", "wps", "json",
    "digest", "dirty",
    # the banner names the data in both languages
    "synthetic", "data",
}
#: tokens that are codes, not words: C01, C01-U001, hex digests, parameter ids (snake_case), file names
CODE = re.compile(r"^(?:[A-Z]\d+|[0-9a-f]{7,}|[a-z0-9]+(?:_[a-z0-9]+)+|.*\.(?:xlsx|csv|html|ipynb|pdf|docx))$")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-']*[A-Za-z0-9]|[A-Za-z]")


def stray_english(texts) -> list[str]:
    found = []
    for text in texts:
        for token in WORD.findall(text):
            if CODE.match(token) or CODE.match(token.rstrip(".")):
                continue
            for word in re.split(r"[-'.]", token):
                if len(word) > 1 and word.lower() not in ALLOWED and not CODE.match(word):
                    found.append(f"{word!r} in {text.strip()[:80]!r}")
    return found


def test_zh_pages_have_no_stray_english(main_outputs):
    problems = {}
    for page in sorted(main_outputs.rglob("*.html")):
        bad = stray_english(text_nodes(page.read_text(encoding="utf-8")))
        if bad:
            problems[str(page.relative_to(main_outputs))] = bad[:8]
    assert problems == {}


def test_zh_workbooks_have_no_stray_english(main_outputs):
    problems = {}
    for path in sorted(main_outputs.rglob("*.xlsx")):
        wb = openpyxl.load_workbook(path, read_only=True)
        texts = list(wb.sheetnames)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                texts += [v for v in row if isinstance(v, str)]
        bad = stray_english(texts)
        if bad:
            problems[str(path.relative_to(main_outputs))] = bad[:8]
    assert problems == {}
