"""Chinese first beyond the main job: the commands a commission runs on its own (assess, settle-points,
template, check-claims, scenario) write Chinese-only workbooks by default, and Chinese CSV headers when asked for
(``--csv-header zh``); English words only as the whitelist of :mod:`tests.outputs.test_language` allows.

Each command runs once, in its default language, on a two-county synthetic province with claims. The
template is a workbook the clerk fills in and the loader reads back, so two of its texts are codes, not
words: the 填表说明 sheet's 列名（英文） column (the contract's column names, shown beside the Chinese
headers on purpose) and the drop-down codes of the contract's code columns (``male``, ``cvd``…), which the
loader reads as they are; the command line it tells the clerk to run (``python -m toolkit validate``) is
a command, not prose."""

import re
import shutil

import openpyxl
import pytest

from toolkit import cli
from toolkit.data import synth
from toolkit.data.contract import TABLES
from toolkit.paths import PARAMS_DIR

from .test_language import _workbook_texts, stray_english

YEAR, POINTS_YEAR, POINTS_COUNTY = 2023, 2024, "C02"
#: the points county's parameters, their sources written by the commission (in Chinese, as it would)
COUNTY_FILE = (
    "inpatient_budget:\n  values:\n    2024:\n      value: 1000000\n"
    "      reference: {document: 县医保局按分值付费方案, article: 住院按分值付费}\n"
    "points_per_group:\n  values:\n    2024:\n      value: {"
    + ", ".join(f"G{g:02d}: {10 * g}" for g in range(1, 21))
    + "}\n      reference: {document: 县医保局按分值付费方案, article: 病组分值}\n"
    "points_per_bed_day:\n  values:\n    2024:\n      value: 4.5\n"
    "      reference: {document: 县医保局按分值付费方案, article: 床日分值}\n"
)
#: the template's column of contract column names (machine names beside the Chinese headers)
TEMPLATE_NAME_COLUMN = "列名（英文）"
COMMAND_LINE = re.compile(r"python -m toolkit [a-z-]+")
#: a standard's indicator number is a code (重大慢性病过早死亡率（SDG 3.4.1）)
STANDARD = re.compile(r"\bSDG \d+(?:\.\d+)*")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("commands")
    ds = root / "province"
    synth.generate_province(ds, n_counties=2, claims=True)
    params = root / "params"
    shutil.copytree(PARAMS_DIR, params)
    (params / "counties" / f"{POINTS_COUNTY}.yaml").write_text(COUNTY_FILE, encoding="utf-8")
    runs = {
        "assess": ["assess", str(ds), "--year", str(YEAR), "--out", str(root / "assess"), "--csv-header", "zh"],
        "settle-points": ["settle-points", str(ds), "--year", str(POINTS_YEAR), "--county", POINTS_COUNTY]
        + ["--params", str(params), "--out", str(root / "settle-points"), "--csv-header", "zh"],
        "template": ["template", "--out", str(root / "template" / "数据模板.xlsx")],
        "scenario": ["scenario", str(ds), "--reform", str(PARAMS_DIR / "reforms" / "savings_split_532.yaml")]
        + ["--year", str(POINTS_YEAR), "--out", str(root / "scenario"), "--csv-header", "zh"],
        "check-claims": ["check-claims", str(ds), "--claims", str(ds / "report_claims.yaml")]
        + ["--out", str(root / "check-claims" / "checked"), "--csv-header", "zh"],
    }
    (root / "template").mkdir()
    (root / "check-claims").mkdir()
    for name, argv in runs.items():
        # check-claims: exit 1, one of the sample's stated figures does not follow from the data
        assert cli.main(argv) == (1 if name == "check-claims" else 0), name
    return root


def _codes() -> set[str]:
    """Every code a code column of the contract accepts."""
    return {str(c) for table in TABLES.values() for col in table.columns for c in (col.choices or ())}


def _template_texts(path) -> list[str]:
    """The template's texts less its codes: the column-name column, drop-down codes, the command line."""
    codes = _codes()
    wb = openpyxl.load_workbook(path, read_only=True)
    texts = list(wb.sheetnames)
    for ws in wb.worksheets:
        rows = ws.iter_rows(values_only=True)
        header = next(rows, ())
        texts += [STANDARD.sub(" ", h) for h in header if isinstance(h, str)]
        keep = [i for i, h in enumerate(header) if h != TEMPLATE_NAME_COLUMN]
        for row in rows:
            for i in keep:
                cell = row[i] if i < len(row) else None
                if isinstance(cell, str) and not set(re.split(r"[、,，\s]+", cell.strip())) <= codes:
                    texts.append(STANDARD.sub(" ", COMMAND_LINE.sub(" ", cell)))
    return texts


@pytest.mark.parametrize("command", ["assess", "settle-points", "template", "check-claims", "scenario"])
def test_zh_workbooks_of_commands_have_no_stray_english(outputs, command):
    books = sorted((outputs / command).rglob("*.xlsx"))
    assert books, f"{command} wrote no workbook"
    problems = {}
    for path in books:
        texts = _template_texts(path) if command == "template" else _workbook_texts(path)
        bad = stray_english(texts)
        if bad:
            problems[str(path.relative_to(outputs))] = (len(bad), bad[:8])
    assert problems == {}


def test_zh_scenario_page_has_no_stray_english(outputs):
    from .pages import text_nodes

    page = outputs / "scenario" / "scenario.html"
    assert stray_english(text_nodes(page.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("command", ["assess", "settle-points", "check-claims", "scenario"])
def test_zh_csv_headers_of_commands_have_no_stray_english(outputs, command):
    csvs = sorted((outputs / command).rglob("*.csv"))
    assert csvs, f"{command} wrote no CSV"
    problems = {}
    for path in csvs:
        with open(path, encoding="utf-8-sig") as f:
            header = f.readline().rstrip("\n").split(",")
        bad = stray_english(header)
        if bad:
            problems[str(path.relative_to(outputs))] = bad[:8]
    assert problems == {}


def test_template_codes_are_what_the_loader_reads(outputs):
    """The codes the scan lets through are the contract's: the example rows hold codes the loader accepts."""
    wb = openpyxl.load_workbook(outputs / "template" / "数据模板.xlsx", read_only=True)
    guide = list(wb["填表说明"].iter_rows(values_only=True))
    assert guide[0][2] == TEMPLATE_NAME_COLUMN
    assert "male" in _codes() and "cvd" in _codes()


@pytest.mark.parametrize(
    ("lang", "sheets", "header"),
    [
        ("en", ["totals", "points"], "Points possible"),
        ("both", ["总分", "指标得分"], "应得分值 / Points possible"),
    ],
)
def test_assess_writes_english_or_both_on_request(outputs, tmp_path, lang, sheets, header):
    out = tmp_path / "assess"
    assert cli.main(["assess", str(outputs / "province"), "--year", str(YEAR), "--out", str(out), "--lang", lang]) == 0
    wb = openpyxl.load_workbook(out / "assessment.xlsx", read_only=True)
    assert wb.sheetnames == sheets
    assert header in [c.value for c in next(wb[sheets[1]].iter_rows(max_row=1))]
    # the CSVs keep their ids whatever the language (header and body)
    points = (out / "assessment_points.csv").read_text(encoding="utf-8-sig").splitlines()
    assert points[0].startswith("level,entity_id,county_id,year,dimension,indicator,method,direction")
    assert points[1].startswith("community,") and ",yoy,lower_is_better," in points[1]


def test_settle_points_both_gives_bilingual_headers_over_chinese_words(outputs, tmp_path):
    out = tmp_path / "points"
    argv = ["settle-points", str(outputs / "province"), "--year", str(POINTS_YEAR), "--county", POINTS_COUNTY]
    assert cli.main(argv + ["--params", str(outputs / "params"), "--out", str(out), "--lang", "both"]) == 0
    wb = openpyxl.load_workbook(out / POINTS_COUNTY / str(POINTS_YEAR) / "points.xlsx", read_only=True)
    rows = list(wb["参数"].iter_rows(values_only=True))
    assert "单位 / unit" in rows[0] and "参数名称(英) / label (en)" in rows[0]
    assert rows[1][rows[0].index("单位 / unit")] == "元"


def test_check_claims_prints_chinese_by_default_and_english_on_request(outputs, capsys):
    argv = ["check-claims", str(outputs / "province"), "--claims", str(outputs / "province" / "report_claims.yaml")]
    assert cli.main(argv) == 1
    zh = capsys.readouterr().out
    assert "不符 C01 2017–2023：" in zh and "项表述中" in zh
    assert stray_english(zh.splitlines()) == []
    assert cli.main([*argv, "--lang", "en"]) == 1
    en = capsys.readouterr().out
    assert "MISMATCH C01 2017–2023: " in en and "claims follow from the data" in en
