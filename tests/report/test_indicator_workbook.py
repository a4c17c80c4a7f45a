"""indicators.xlsx says how to read each county value: unit, direction (越高越好 / 越低越好), the
province median, 优于 / 劣于 / 等于 it in the indicator's direction and the rank (1 = 最优). Three
hand-made counties; medians and ranks worked by hand in the comments."""

import io

import openpyxl
import pandas as pd
import pytest

from toolkit.report.excel import build_workbook_bytes
from toolkit.report.indicator_workbook import comparison, indicator_sheets, registry_frame

#            fund_in_county_rate (higher is better)   hospitalisation_rate (lower is better)
#            2024                                     2023      2024
# C01 甲县   0.7134                                   13.00     12.71
# C02 乙县   0.7500                                   (none)    14.00
# C03 丙县   0.7600                                   15.10     15.00
# 2024 fund: median 0.7500 → C01 劣于, rank 3; C02 等于, rank 2; C03 优于, rank 1 (of 3)
# 2024 hospitalisation: median 14.00 → C01 优于, rank 1; C02 等于, rank 2; C03 劣于, rank 3 (of 3)
# 2023 hospitalisation: two counties, median (13.00 + 15.10) / 2 = 14.05 → C01 优于, rank 1 of 2;
#                       C03 劣于, rank 2 of 2; C02 has no value and no comparison
ROWS = [
    ("C01", 2024, "fund_in_county_rate", 0.7134),
    ("C02", 2024, "fund_in_county_rate", 0.7500),
    ("C03", 2024, "fund_in_county_rate", 0.7600),
    ("C01", 2023, "hospitalisation_rate", 13.00),
    ("C02", 2023, "hospitalisation_rate", None),
    ("C03", 2023, "hospitalisation_rate", 15.10),
    ("C01", 2024, "hospitalisation_rate", 12.71),
    ("C02", 2024, "hospitalisation_rate", 14.00),
    ("C03", 2024, "hospitalisation_rate", 15.00),
]
NAMES = {"C01": "甲县", "C02": "乙县", "C03": "丙县"}


def _tidy(rows=ROWS):
    frame = pd.DataFrame(rows, columns=["county_id", "year", "indicator", "value"])
    frame["value"] = frame["value"].astype(float)
    frame["lower"] = frame["upper"] = float("nan")
    return frame


def _sheet(tidy, peers=None):
    data = build_workbook_bytes(indicator_sheets(tidy, None, NAMES, registry_frame(), peers=peers), lang="zh")
    ws = openpyxl.load_workbook(io.BytesIO(data))["县级指标"]
    header = [c.value for c in ws[1]]
    return header, [dict(zip(header, row)) for row in ws.iter_rows(min_row=2)], data


def test_each_county_row_has_direction_median_comparison_and_rank():
    header, rows, _ = _sheet(_tidy())
    assert header[:3] == ["县编码", "县名", "年份"]
    for name in ("单位", "方向", "全省中位数", "与全省中位数比", "名次（1 = 最优）", "参与排名的县数"):
        assert name in header
    got = {
        (r["县编码"].value, r["年份"].value, r["指标编码"].value): (
            r["方向"].value,
            r["全省中位数"].value,
            r["与全省中位数比"].value,
            r["名次（1 = 最优）"].value,
            r["参与排名的县数"].value,
        )
        for r in rows
    }
    assert got[("C01", 2024, "fund_in_county_rate")] == ("越高越好", 0.75, "劣于", 3, 3)
    assert got[("C02", 2024, "fund_in_county_rate")] == ("越高越好", 0.75, "等于", 2, 3)
    assert got[("C03", 2024, "fund_in_county_rate")] == ("越高越好", 0.75, "优于", 1, 3)
    assert got[("C01", 2024, "hospitalisation_rate")] == ("越低越好", 14.0, "优于", 1, 3)
    assert got[("C02", 2024, "hospitalisation_rate")] == ("越低越好", 14.0, "等于", 2, 3)
    assert got[("C03", 2024, "hospitalisation_rate")] == ("越低越好", 14.0, "劣于", 3, 3)
    assert got[("C01", 2023, "hospitalisation_rate")][1:] == (14.05, "优于", 1, 2)
    assert got[("C03", 2023, "hospitalisation_rate")][1:] == (14.05, "劣于", 2, 2)
    assert got[("C02", 2023, "hospitalisation_rate")] == ("越低越好", None, None, None, None)
    # the median in the indicator's format: a share as 75.00%, a rate with two decimals; ranks whole
    fund = next(r for r in rows if r["指标编码"].value == "fund_in_county_rate")
    hosp = next(r for r in rows if r["指标编码"].value == "hospitalisation_rate")
    assert fund["全省中位数"].number_format == "0.00%" and hosp["全省中位数"].number_format == "0.00"
    assert fund["名次（1 = 最优）"].data_type == "n" and fund["名次（1 = 最优）"].number_format == "0"


def test_equal_means_equal_as_shown_and_ties_share_the_better_rank():
    # 0.75004 shows as 75.00% like the median 0.7500 → 等于; C02 and C03 tie at 0.76 → both rank 1
    rows = [
        ("C01", 2024, "fund_in_county_rate", 0.75004),
        ("C02", 2024, "fund_in_county_rate", 0.7600),
        ("C03", 2024, "fund_in_county_rate", 0.7600),
        ("C04", 2024, "fund_in_county_rate", 0.7000),
    ]
    # median of 0.70, 0.75004, 0.76, 0.76 = (0.75004 + 0.76) / 2 = 0.75502 → C01 (75.00%) 劣于
    got = comparison(_tidy(rows))
    assert list(got["vs_median"]) == ["劣于", "优于", "优于", "劣于"]
    assert list(got["rank"]) == [3, 1, 1, 4]
    # values 0.75004 (C01, C03, C04) and 0.76 (C02): median 0.75004 → three 等于, each ranked after C02
    rows[2] = ("C03", 2024, "fund_in_county_rate", 0.75004)
    rows[3] = ("C04", 2024, "fund_in_county_rate", 0.75004)
    got = comparison(_tidy(rows))
    assert list(got["vs_median"]) == ["等于", "优于", "等于", "等于"]
    assert list(got["rank"]) == [2, 1, 2, 2]


def test_a_selection_is_compared_with_its_peers():
    # only C01 in the table, the three counties as peers: the same 2024 comparison as above
    tidy = _tidy()
    mine = tidy.loc[tidy["county_id"] == "C01"].reset_index(drop=True)
    _, rows, _ = _sheet(mine, peers=tidy)
    got = {
        (r["年份"].value, r["指标编码"].value): (r["与全省中位数比"].value, r["名次（1 = 最优）"].value) for r in rows
    }
    assert got[(2024, "fund_in_county_rate")] == ("劣于", 3)
    assert got[(2024, "hospitalisation_rate")] == ("优于", 1)
    # without peers the county is compared with itself: equal, rank 1 of 1
    _, alone, _ = _sheet(mine)
    assert {r["与全省中位数比"].value for r in alone} == {"等于"}


def test_the_workbook_bytes_are_the_same_on_every_write():
    assert _sheet(_tidy())[2] == _sheet(_tidy())[2]


def test_the_indicators_command_ranks_a_selected_county_among_the_whole_province(tmp_path):
    from tests.indicators.test_monitoring import county_year
    from toolkit.cli import main

    # 2023 in-county inpatient share: C01 1,080 / 1,200 = 90.00%, C02 1,116 / 1,200 = 93.00%,
    # C03 1,140 / 1,200 = 95.00% → median 93.00%; C01 劣于, rank 3 of 3 (not 等于, 1 of 1)
    frames = [
        county_year(county_id=[c, c], county_name=[n, n], admissions_in_county=[850, k])
        for c, n, k in (("C01", "甲县", 1_080), ("C02", "乙县", 1_116), ("C03", "丙县", 1_140))
    ]
    root = tmp_path / "ds"
    root.mkdir()
    pd.concat(frames, ignore_index=True).to_csv(root / "county_year.csv", index=False)
    assert main(["indicators", str(root), "--county", "C01", "--years", "2023", "--out", str(tmp_path / "ind")]) == 0
    ws = openpyxl.load_workbook(tmp_path / "ind.xlsx")["县级指标"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    share = next(r for r in rows if r["指标编码"] == "in_county_inpatient_share")
    assert share["县编码"] == "C01" and share["县名"] == "甲县" and {r["县编码"] for r in rows} == {"C01"}
    assert share["全省中位数"] == pytest.approx(0.93) and share["数值"] == pytest.approx(0.90)
    assert (share["与全省中位数比"], share["名次（1 = 最优）"], share["参与排名的县数"]) == ("劣于", 3, 3)
