"""Each county's report checks only the figures it states (the dataset's report_claims.yaml)."""

import pytest

from toolkit.report import county
from toolkit.report.context import open_report


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    from toolkit.data.synth import generate_province

    root = tmp_path_factory.mktemp("claims_province") / "data"
    generate_province(root, seed=20240901, n_counties=4, years=(2014, 2024))
    return root


def test_c01_checks_its_own_seed_figures_including_the_seven_year_streak(province):
    ctx = open_report(str(province), "C01", 2024, "zh")
    out = county.claims_checked(ctx)
    table = out.items[1].table.set_index("表述")
    assert len(table) == 5
    streak = table.loc["医保基金包干自2017年起连续7年结余"]
    # C01 (Suixi-shaped) saves in every year 2017–2023 of the synthetic province
    assert streak["结论"] == "相符" and streak["表述值"] == "7 年" and streak["重算值"] == "7 年"
    trend = table.loc["重大慢性病过早死亡率呈稳步下降趋势（2017–2023年）"]
    assert trend["结论"] == "相符" and "Mann–Kendall" in trend["说明"]
    # seed 000's "17.20%" is the figure that does not follow (the compound rate is 8.26%)
    growth = table.loc["村医补助收入由2017年的4.1万元增至6.6万元，年均增长17.20%"]
    assert growth["结论"] == "不符" and growth["重算值"] == "8.26%"
    assert out.summary.startswith("共核对 5 条公开表述，4 条与数据相符，1 条不符")
    prov = ctx.provenance().prov
    assert prov["extra"]["claims_file"] == "report_claims.yaml" and len(prov["extra"]["claims_file_sha256"]) == 64


def test_c02_states_nothing_and_its_report_says_so(province):
    ctx = open_report(str(province), "C02", 2024, "zh")
    out = county.claims_checked(ctx)
    assert len(out.items) == 1 and out.summary == "本县没有需要核对的公开表述。"
    assert "99.16" not in repr(out._repr_html_())


def test_a_given_claims_file_is_read_for_this_county_only(province, tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text(
        "C02:\n  - {text: 住院率下降, indicator: hospitalisation_rate, kind: trend, start: 2017, end: 2023, stated: 下降}\n"
        "C01:\n  - {text: 收入比, indicator: income_ratio, kind: value, year: 2023, stated: '50%'}\n",
        encoding="utf-8",
    )
    out = county.claims_checked(open_report(str(province), "C02", 2024, "en"), str(f))
    assert list(out.items[1].table["Claim"]) == ["住院率下降"]
    assert out.summary.startswith("1 published claim checked")


def test_check_claims_command_reads_the_dataset_file(province, capsys):
    from toolkit.cli import main

    # exit 1: one of C01's five stated figures (17.20% growth) does not follow from the data
    argv = ["check-claims", str(province), "--claims", str(province / "report_claims.yaml"), "--lang", "en"]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "ok       C01 2017–2023: 医保基金包干自2017年起连续7年结余" in out
    assert "MISMATCH C01 2017–2023: 村医补助收入" in out and "4 of 5 claims follow from the data" in out
    assert main(argv[:-2]) == 1  # Chinese by default
    out = capsys.readouterr().out
    assert "相符 C01 2017–2023：医保基金包干自2017年起连续7年结余" in out
    assert "不符 C01 2017–2023：村医补助收入" in out and "5 项表述中 4 项与数据相符" in out


def test_check_claims_writes_gb18030_with_chinese_and_english_header_on_request(province, tmp_path, capsys):
    import os

    from toolkit.cli import main
    from toolkit.report.csvout import ENV_ENCODING

    out = tmp_path / "checked"
    argv = ["check-claims", str(province), "--claims", str(province / "report_claims.yaml"), "--out", str(out)]
    assert main([*argv, "--csv-encoding", "gb18030", "--csv-header", "zh-en"]) == 1
    data = (tmp_path / "checked.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")  # GB18030 has no byte-order mark
    lines = data.decode("gb18030").splitlines()
    assert lines[0].startswith("表述 / Claim,县编码 / County id,")
    assert lines[4].startswith("医保基金包干自2017年起连续7年结余,C01,")
    # 医 in GB18030 is the two bytes D2 BD: the file is not UTF-8 (three bytes E5 8C BB)
    assert "医".encode("gb18030") == b"\xd2\xbd" and b"\xd2\xbd" in data and "医".encode() not in data
    assert ENV_ENCODING not in os.environ  # the setting held for the command only


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_streak_that_cannot_be_checked_is_shown_not_a_crash(province, tmp_path, lang):
    # the data end in 2024: a streak to 2030 cannot be checked, and its stated and recomputed
    # lengths are unknown (NaN), which the table shows as a dash
    f = tmp_path / "streak.yaml"
    f.write_text(
        "C01:\n  - {text: 连续结余, indicator: big_package_savings, kind: streak, start: 2020, end: 2030}\n",
        encoding="utf-8",
    )
    out = county.claims_checked(open_report(str(province), "C01", 2024, lang), str(f))
    row = out.items[1].table.iloc[0]
    assert list(row.iloc[1:3]) == ["—", "—"]
