"""The index links every file the province indicator step writes (the workbook and its three CSVs:
county, unit and hierarchy levels), and gives each county a row with its code, name, the headline
indicators of the latest year and its links, the notebook last in the researchers' cell."""

import re

from toolkit.batch import cache
from toolkit.batch.index import render_index

PROVINCE_FILES = ("indicators.xlsx", "indicators.csv", "indicators_units.csv", "indicators_levels.csv")


def test_index_links_every_province_indicator_file(tmp_path):
    for name in PROVINCE_FILES:
        (tmp_path / name).write_bytes("\ufeffcounty_id,year,indicator,value\n".encode())
    m = cache.Manifest(path=tmp_path / cache.MANIFEST_NAME)
    page = render_index(m, tmp_path)
    links = re.findall(r'href="([^"]+)"', page)
    assert [h for h in links if h.startswith("indicators")] == list(PROVINCE_FILES)
    # a file the folder lacks is not linked
    (tmp_path / "indicators_levels.csv").unlink()
    assert 'href="indicators_levels.csv"' not in render_index(m, tmp_path)


def test_the_county_row_has_code_name_headline_indicators_and_its_links(tmp_path):
    # C02 乙县, latest year 2024: in-county inpatient share 0.8009 → 80.09%, visit rate 0.9 → 90.00%,
    # fund rate 0.7134 → 71.34% (the 2023 values are not shown)
    data = tmp_path / "data"
    data.mkdir()
    (data / "county_year.csv").write_text(
        "county_id,year,county_name\nC02,2023,乙县\nC02,2024,乙县\n", encoding="utf-8"
    )
    (tmp_path / "indicators.csv").write_text(
        "\ufeffcounty_id,year,indicator,value\n"
        "C02,2023,in_county_inpatient_share,0.5\n"
        "C02,2024,in_county_inpatient_share,0.8009\n"
        "C02,2024,in_county_visit_rate,0.9\n"
        "C02,2024,fund_in_county_rate,0.7134\n",
        encoding="utf-8",
    )
    m = cache.Manifest(path=tmp_path / cache.MANIFEST_NAME)
    m.record(
        "county_annual_report/C02/2024",
        {
            "notebook": "county_annual_report",
            "parameters": {"county_id": "C02", "year": 2024, "data_dir": str(data)},
            "status": "ok",
            "outputs": {"county_annual_report/C02/2024_files/t.xlsx": "x"},
        },
    )
    page = render_index(m, tmp_path)
    row = re.search(r"<tr><td>C02</td>.*?</tr>", page, re.S).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[:5] == ["C02", "乙县", "80.09%", "90.00%", "71.34%"]
    assert (
        'href="county_annual_report/C02/2024.html"' in cells[5]
        and 'href="county_annual_report/C02/2024_files/t.xlsx"' in cells[6]
    )
    assert 'href="county_annual_report/C02/2024.ipynb"' in cells[7]  # the researcher's cell, last
    heads = re.findall(r'<th class="sortable">([^<]*)</th>', page)
    assert heads == ["县编码", "县名", "县域内住院人次占比 2024", "县域就诊率 2024", "医保基金县域内支出率 2024"]
