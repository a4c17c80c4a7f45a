"""scenario.html prints on A4 portrait: its comparison is one row per measure and one column per
reform (the table of one row per reform has 18 columns, whose numbers broke in the middle on A4);
printed by headless Chromium where the machine has it, every word stays inside the page's margins and
every number of the comparison reads whole.

Hand-worked (tests/settlement/test_scenario.py): four units each saving 100,000 yuan; 5:3:2 instead of
4:4:2 moves 10,000 yuan per unit from the township tier to the county tier: 40,000.00 and -40,000.00."""

import re
import subprocess

import pytest

from tests.outputs.pages import CHROMIUM, NO_BROWSER, POPPLER, page_size_pt, print_to_pdf
from tests.settlement.test_scenario import _reform, _scenario
from toolkit.report.scenario import column_label, comparison_by_measure, html_page

A4_PT = (595.28, 841.89)
#: the page's left and right margin (toolkit/report/print_css.py: 15 mm)
MARGIN_PT = 15 / 25.4 * 72


def _table(page: str, after: str) -> list[list[str]]:
    """The cells of the first table after the text ``after``, row by row (header first)."""
    body = page[page.index(after) :]
    table = body[: body.index("</table>")]
    return [
        [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table)
    ]


def test_the_comparison_is_one_row_per_measure_and_one_column_per_reform(tmp_path):
    res = _scenario(
        tmp_path, _reform(tmp_path, "split_532", (0.5, 0.3, 0.2)), _reform(tmp_path, "same", (0.4, 0.4, 0.2))
    )
    rows = _table(html_page(res, "zh"), "方案比较")
    assert rows[0] == ["项目", "split_532", "same"]
    by_measure = {r[0]: r[1:] for r in rows[1:]}
    assert by_measure["流向县级"] == ["40,000.00", "0.00"]
    assert by_measure["流向乡镇"] == ["-40,000.00", "0.00"]
    assert by_measure["单元数"] == ["4", "4"]
    assert by_measure["调整的参数"][1] == "无"
    # every column of the comparison is a row: 17 measures besides the reform's name
    assert len(rows) == 1 + 17 and len(comparison_by_measure(res, "en").columns) == 3
    assert comparison_by_measure(res, "en").iloc[:, 0].tolist()[:2] == ["counties", "units"]


def test_bilingual_headers_of_the_measures_name_both_languages():
    assert column_label("savings_county_difference", "zh") == "县级结余分配·差额"
    assert column_label("savings_county_difference", "en") == "savings share, county tier, difference"
    assert (
        column_label("savings_county_difference", "both")
        == "县级结余分配·差额 / savings share, county tier, difference"
    )


@pytest.mark.skipif(not (CHROMIUM and POPPLER), reason=NO_BROWSER)
def test_the_printed_page_fits_a4_portrait_and_its_numbers_read_whole(tmp_path):
    from toolkit.data.load import load_dataset
    from toolkit.data.synth import generate_province
    from toolkit.params.load import load_params
    from toolkit.params.reform import load_reform
    from toolkit.params.snapshot import resolve
    from toolkit.paths import PARAMS_DIR
    from toolkit.settlement.scenario import run_scenario

    # six synthetic counties: province totals of hundreds of millions of yuan (13+ characters a number)
    generate_province(tmp_path / "province", n_counties=6)
    tables = load_dataset(tmp_path / "province", tables=["units", "unit_year", "ph_process", "ph_targets"]).tables
    paramset = load_params()
    counties = sorted(tables["units"]["county_id"].astype(str).unique())
    reforms = [load_reform(PARAMS_DIR / "reforms" / "savings_split_532.yaml")]
    res = run_scenario(tables, 2024, {c: resolve(paramset, c, 2024) for c in counties}, reforms)
    page = tmp_path / "scenario.html"
    page.write_text(html_page(res, "zh"), encoding="utf-8")
    pdf = print_to_pdf(page, tmp_path / "scenario.pdf", tmp_path)
    width, height = page_size_pt(pdf)
    assert (width, height) == pytest.approx(A4_PT, abs=1.0)
    # every word inside the left and right margins (1 pt of slack for the glyphs' side bearings)
    words = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    boxes = [(float(a), float(b)) for a, b in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', words)]
    assert boxes and min(a for a, _ in boxes) >= MARGIN_PT - 1 and max(b for _, b in boxes) <= width - MARGIN_PT + 1
    # each number of the comparison on one line of the printed text (not 673,585, / 837.95)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    cells = [c for row in _table(html_page(res, "zh"), "方案比较")[1:] for c in row[1:]]
    numbers = [c for c in cells if re.fullmatch(r"[-+]?[\d,]+(\.\d+)?%?", c)]
    assert any(len(n) >= 13 for n in numbers), numbers  # the test holds numbers wide enough to break
    assert [n for n in numbers if n not in text] == []
