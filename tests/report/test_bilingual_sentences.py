"""Sentences from the catalogue (toolkit/catalogue/county.yaml): each language keeps its own
punctuation and word order, and a bilingual (``both``) output gives every sentence whole in Chinese,
then in English, never an English sentence with Chinese pieces inside."""

import time

import pandas as pd
import pytest

from toolkit.did.result import DidResult
from toolkit.report.plausibility_notes import county_sentence
from toolkit.report.provenance import run_at_text
from toolkit.report.text import claims_summary, did_paragraph, each_lang, mid_sentence, sentences


def test_sentences_follow_the_language():
    assert sentences(["一。", "二。", "三。"], "zh") == "一。二。三。"
    assert sentences(["One.", "Two.", "Three."], "en") == "One. Two. Three."
    assert sentences([], "en") == ""


def test_each_lang_renders_both_languages_whole():
    assert each_lang("both", lambda lang: f"<{lang}>") == "<zh> / <en>"
    assert each_lang("en", lambda lang: f"<{lang}>") == "<en>"


def test_a_label_mid_sentence():
    assert mid_sentence("Hospitalisation rate") == "hospitalisation rate"
    assert mid_sentence("TWFE estimate") == "TWFE estimate"  # an abbreviation keeps its capitals
    assert mid_sentence("住院率") == "住院率"
    assert mid_sentence("Apgar评分") == "Apgar评分"  # a Chinese label as it is


def test_claims_summary_in_both_languages():
    checked = pd.DataFrame({"claim": ["甲", "乙", "丙"], "status": ["consistent", "inconsistent", "not_checkable"]})
    zh = "共核对 3 条公开表述，1 条与数据相符，1 条不符：乙；1 条因数据缺少所需年份无法核对：丙。"
    en = "3 published claims checked, 1 consistent with the data; 1 not: 乙; 1 cannot be checked (years missing from the data): 丙."
    assert claims_summary(checked, "zh") == zh
    assert claims_summary(checked, "en") == en
    assert claims_summary(checked, "both") == f"{zh} / {en}"
    one = pd.DataFrame({"claim": ["甲"], "ok": [True]})
    assert claims_summary(one, "en") == "1 published claim checked, 1 consistent with the data."


def test_did_paragraph_both_is_the_chinese_then_the_english():
    res = DidResult(
        estimator="cs",
        outcome="y",
        estimate=-0.0123,
        se=0.01,
        ci_low=-0.02,
        ci_high=-0.004,
        n_units=12,
        n_obs=120,
        diagnostics={"pretest_p_value": 0.4},
        options={"control": "never"},
    )
    zh = did_paragraph("住院率", res, lang="zh", unit="fraction")
    en = did_paragraph("住院率", res, lang="en", unit="fraction")
    assert did_paragraph("住院率", res, lang="both", unit="fraction") == f"{zh} / {en}"
    # −0.0123 as percentage points: 1.23; the Chinese names the test only, the English also the estimator
    assert "平均下降了1.23个百分点" in zh and "（平行趋势检验：全部改革前 ATT(g,t) 的 Wald 检验，P=0.400）" in zh
    assert "fell by 1.23 percentage points" in en
    assert "(pre-trend test: Callaway–Sant'Anna Wald test of all pre-reform ATT(g,t), p = 0.400)" in en


def test_the_plausibility_list_in_each_language():
    units = pd.DataFrame({"unit_id": [f"U{i}" for i in range(7)], "county_id": "C01"})
    # 6 of 7 units at 10 yuan per insured resident (below the 50-yuan floor): 5 named, then 等 / …
    spending = [10.0] * 6 + [900_000.0]
    uy = pd.DataFrame(
        {"unit_id": units["unit_id"], "year": 2023, "insured_pop": 1000, "total_medical_spending": spending}
    )
    tables = {"units": units, "unit_year": uy}
    both = county_sentence(tables, "C01", 2023, "both")
    zh, en = both.split(" / ", 1)
    assert "（U0、U1、U2、U3、U4等）" in zh
    assert "(U0, U1, U2, U3, U4 …)" in en


@pytest.fixture
def shanghai_time(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_run_time_formats(shanghai_time):
    # 00:40 UTC is 08:40 in Beijing (UTC+08:00)
    assert run_at_text("2026-12-02T00:40:00Z", "zh") == "2026年12月02日 08:40:00（北京时间）"
    assert run_at_text("2026-12-02T00:40:00Z", "en") == "2026-12-02 08:40:00 (UTC+08:00)"
    assert run_at_text("2026-12-02T00:40:00Z", "both") == "2026年12月02日 08:40:00（北京时间）"
    assert run_at_text("", "zh") == "—"


def test_source_line_lists_standards_in_each_language():
    from types import SimpleNamespace

    from toolkit.report.county import source_text

    ids = ["in_county_inpatient_share", "premature_ncd_mortality"]

    def ctx(lang):
        return SimpleNamespace(lang=lang, year=2024, dataset=SimpleNamespace(data_hash="ab12cd34ef5678"))

    # a Chinese report cites only the Chinese document number; the English both, with an English comma
    assert source_text(ctx("zh"), ids) == (
        "资料来源：报告所用数据集（数据指纹 ab12cd34ef56）；指标口径：国卫办基层发〔2020〕12号。数据年份：2024。"
    )
    assert "definitions: 国卫办基层发〔2020〕12号, WHO SDG indicator 3.4.1 metadata. Data year: 2024." in source_text(
        ctx("en"), ids
    )
