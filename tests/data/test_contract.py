"""The contract as data: every column labelled in Chinese and English; the docs page is generated."""

from toolkit.data.contract import CHRONIC_GROUPS, PH_INDICATORS, PH_PROJECTS, TABLES, column_labels, contract_markdown
from toolkit.paths import PROJECT_ROOT


def test_every_column_has_both_labels_and_a_dtype():
    for table in TABLES.values():
        assert set(table.key) <= set(table.names), table.name
        for c in table.columns:
            assert c.label_zh and c.label_en, (table.name, c.name)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in c.label_zh), (table.name, c.name)
            assert c.dtype in ("str", "int64", "Int64", "float64", "bool", "boolean")


def test_contract_numbers_follow_the_domain_rules():
    # rules.md §5: 15 process sub-projects, 16 objective indicators; seed 000 §3.1: 41 chronic groups
    assert len(PH_PROJECTS) == 15 and len(set(PH_PROJECTS)) == 15
    assert len(PH_INDICATORS) == 16 and len(set(PH_INDICATORS)) == 16
    assert CHRONIC_GROUPS == 41
    assert TABLES["claims"].column("chronic_group").max == 41


def test_numerators_are_declared_against_their_denominators():
    cy = {(o.smaller, o.larger) for o in TABLES["county_year"].ordered}
    assert {
        ("admissions_in_county", "admissions"),
        ("visits_primary", "visits_in_county"),
        ("visits_in_county", "visits"),
        ("fund_primary", "fund_in_county"),
        ("fund_in_county", "fund_spending"),
        ("insured_pop", "population"),
    } <= cy
    assert ("chronic_pop", "insured_pop") in {(o.smaller, o.larger) for o in TABLES["unit_year"].ordered}
    assert ("deaths", "population") in {(o.smaller, o.larger) for o in TABLES["deaths"].ordered}


def test_labels_for_excel_headers():
    labels = column_labels("unit_year", "zh")
    assert labels["insured_pop"] == "参保人数"
    assert column_labels("unit_year", "both")["insured_pop"] == "参保人数 / Insured residents"


def test_docs_page_is_the_generated_contract():
    page = (PROJECT_ROOT / "docs" / "data_contract.md").read_text(encoding="utf-8")
    assert page == contract_markdown(), "regenerate docs/data_contract.md (command at its top)"


def test_the_loader_branches_on_declared_rules_not_on_names_or_wording():
    """Every table rule is declared in contract.py: no ``if table.name == ...`` in the engine, and no
    behaviour that depends on how a message is worded (``p.expected.startswith(...)``)."""
    import re
    from pathlib import Path

    import toolkit.data.load

    source = Path(toolkit.data.load.__file__).read_text(encoding="utf-8")
    assert not re.findall(r"table\.name\s*(?:==|!=|in)\s*[\"'(\[{]", source)
    assert not re.findall(r"\.expected\s*(?:==|\.startswith|\.endswith)|in\s+\w+\.expected", source)
