"""The registry: every entry complete, labels in Chinese and English, docs page generated from it."""

import pytest

from toolkit.errors import ToolkitError
from toolkit.indicators import registry
from toolkit.indicators.docs import DOCS_PAGE


def test_every_entry_has_names_source_and_formula():
    inds = registry.load_registry()
    assert len({i.id for i in inds}) == len(inds)
    for ind in inds:
        assert ind.name_zh and ind.name_en and ind.definition
        assert ind.source.seed in {"000", "001", "002", "003", "004"}
        if ind.computable:
            assert ind.numerator is not None and (ind.denominator is not None or ind.kind == "total")
            terms = [t for t in (ind.numerator, ind.denominator) if t is not None]
            assert all("." in c for t in terms for c in t.columns)


def test_ratio_indicators_are_computed_from_the_registry_expressions_only():
    # the registry is the single source: no second table of numerators/denominators in code
    from toolkit.indicators import monitoring

    assert not hasattr(monitoring, "COUNTY_RATIOS")
    with pytest.raises(ValueError, match="not listed in 'columns'"):
        registry.parse_registry(
            [
                {
                    "id": "x",
                    "name_zh": "甲",
                    "name_en": "X",
                    "definition": "d",
                    "level": "county_year",
                    "kind": "ratio",
                    "unit": "fraction",
                    "direction": "higher_is_better",
                    "source": {"seed": "004", "section": "附2"},
                    "numerator": {"expr": "a - b", "columns": ["county_year.a"]},
                    "denominator": {"expr": "c", "columns": ["county_year.c"]},
                }
            ]
        )
    with pytest.raises(ValueError, match="not allowed"):
        from toolkit.indicators.expr import names

        names("__import__('os')")


def test_seed_targets_are_recorded():
    # seed 001 (Zhejiang): in-county visit rate 90%, primary visit rate 65%, contracting 50%
    assert [t.value for t in registry.get("in_county_visit_rate").targets] == [0.90]
    assert [t.value for t in registry.get("primary_visit_share").targets] == [0.65]
    assert [t.value for t in registry.get("family_doctor_contract_rate").targets] == [0.50]
    # seed 000 §3.2: at least 48% of the public-health subsidy to the village level
    assert [t.value for t in registry.get("ph_village_share").targets] == [0.48]


def test_label_and_unknown_id():
    from toolkit.report.labels import label  # the one label(): report catalogue, then contract and registry names

    assert (
        label("income_ratio", "zh")
        == registry.get("income_ratio").name_zh
        == "基层机构人均工资收入达牵头医院人均工资收入的比例"
    )
    assert label("hospitalisation_rate", "en") == "Hospitalisation rate"
    with pytest.raises(ToolkitError, match="unknown indicator 'no_such'"):
        registry.get("no_such")


def test_parse_rejects_broken_entries():
    good = {
        "id": "x",
        "name_zh": "甲",
        "name_en": "X",
        "definition": "d",
        "level": "county_year",
        "kind": "ratio",
        "unit": "fraction",
        "direction": "higher_is_better",
        "source": {"seed": "000", "section": "§1"},
        "numerator": {"expr": "a", "columns": ["t.a"]},
        "denominator": {"expr": "b", "columns": ["t.b"]},
    }
    assert registry.parse_registry([good])[0].id == "x"
    with pytest.raises(ValueError, match="duplicate id"):
        registry.parse_registry([good, good])
    with pytest.raises(ValueError, match="unknown"):
        registry.parse_registry([{**good, "colour": "red"}])
    with pytest.raises(ValueError, match="direction"):
        registry.parse_registry([{**good, "direction": "up"}])
    with pytest.raises(ValueError, match="numerator and denominator"):
        registry.parse_registry([{k: v for k, v in good.items() if k != "denominator"}])


def test_docs_page_is_generated_from_the_registry():
    expected = registry.render_markdown()
    assert DOCS_PAGE.read_text(encoding="utf-8") == expected, (
        "docs/indicators.md is stale: run python -m toolkit.indicators.docs"
    )
    for ind in registry.load_registry():
        assert f"`{ind.id}`" in expected and ind.name_zh in expected
