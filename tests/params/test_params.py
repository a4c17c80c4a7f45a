"""Policy parameters: dated values with a reference each, county overrides, validation with clear errors."""

import shutil
from pathlib import Path

import pytest
import yaml

from tests.params.helpers import params_with_dated_change
from toolkit.errors import ValidationError
from toolkit.params.load import load_params
from toolkit.params.reform import apply_reform, changed_keys, load_reform
from toolkit.params.schema import SPECS
from toolkit.params.snapshot import snapshot
from toolkit.paths import PARAMS_DIR

BROKEN = Path(__file__).parent / "broken"


def _params_dir(tmp_path: Path, county_text: str | None = None, county: str = "C99") -> Path:
    root = tmp_path / "params"
    (root / "counties").mkdir(parents=True)
    shutil.copy(PARAMS_DIR / "province.yaml", root / "province.yaml")
    if county_text is not None:
        (root / "counties" / f"{county}.yaml").write_text(county_text, encoding="utf-8")
    return root


def test_every_shipped_parameter_file_loads_and_is_complete():
    ps = load_params()
    assert set(ps.province) == set(SPECS)
    for entry in ps.province.values():
        assert entry.label_zh and entry.label_en and entry.unit
        assert set(entry.references) == set(entry.values)
    assert "C02" in ps.counties


def test_every_shipped_value_carries_its_own_reference():
    """In the parameter files (province default, county overrides, example reforms) each dated value
    is {value, reference: {document, article?, note?}} — no file-wide source."""
    reforms = sorted((PARAMS_DIR / "reforms").glob("*.yaml"))
    assert reforms  # the example reform the scenario notebook runs is checked too
    for path in [PARAMS_DIR / "province.yaml", *sorted((PARAMS_DIR / "counties").glob("*.yaml")), *reforms]:
        for key, body in yaml.safe_load(path.read_text(encoding="utf-8")).items():
            assert "source" not in body, f"{path.name} {key}: one source for all values; give each value its reference"
            for year, dated in body["values"].items():
                where = f"{path.relative_to(PARAMS_DIR)} {key} {year}"
                assert isinstance(dated, dict) and set(dated) == {"value", "reference"}, where
                assert dated["reference"].get("document"), where


def test_values_start_when_the_reform_did():
    """Seed 000 §4.1: the capitation has saved money every year since 2017; nothing is settled before."""
    ps = load_params()
    assert {min(e.values) for e in ps.province.values()} == {2017}
    with pytest.raises(ValidationError, match="value in force in 2016 \\(the first entry starts in 2017\\)"):
        snapshot("C99", 2016)
    assert (
        snapshot("C99", 2017).resolved("savings_split").source
        == "seed 000 §3.1 (按县镇村对应比例; 4:4:2 as the small package)"
    )


def test_the_short_form_with_one_source_is_still_read(tmp_path):
    root = _params_dir(
        tmp_path, "yuan_per_credit:\n  source: commission minutes\n  values:\n    2020: 2.5\n    2022: 3\n"
    )
    assert snapshot("C99", 2021, root).resolved("yuan_per_credit").source == "commission minutes"
    assert snapshot("C99", 2023, root).yuan_per_credit == 3


def test_default_values_are_the_suixi_rules():
    s = snapshot("C99", 2023)  # a county with no override file gets the province default
    assert s.baseline_years == 3
    assert s.savings_split == {"county": 0.4, "township": 0.4, "village": 0.2}
    assert s.chronic_savings_split == {"county": 0.4, "township": 0.4, "village": 0.2}
    assert s.chronic_groups == 41
    assert s.evaluation_split == {"process": 0.7, "objective": 0.2, "effect": 0.1}
    assert s.quarter_weights == {"q1": 0.2, "q2": 0.2, "q3": 0.2, "q4": 0.4}
    assert [b["upper"] for b in s.effect_brackets] == [0.125, 0.25, 0.375, 0.5]
    assert [b["share"] for b in s.effect_brackets] == [0.4, 0.3, 0.2, 0.1]
    assert s.ph_village_share_min == 0.48
    assert len(s.objective_benchmarks) == 16
    assert s.objective_benchmarks["tcm_child_rate"] == 0.84
    assert len(s.two_card_projects) == 8 and len(s.ph_projects) == 15


def test_a_dated_change_does_not_rewrite_earlier_years(tmp_path):
    # the fixture's C01 advances 90% from 2023; 2022 still uses the province value 1.0
    root = params_with_dated_change(tmp_path / "params")
    assert snapshot("C01", 2022, root).advance_rate == 1.0
    assert snapshot("C01", 2023, root).advance_rate == 0.9
    assert snapshot("C01", 2024, root).advance_rate == 0.9
    r = snapshot("C01", 2023, root).resolved("advance_rate")
    assert r.since == 2023 and r.file == "counties/C01.yaml"
    assert r.source == "local decision (an invented dated change)"
    assert snapshot("C01", 2022, root).resolved("advance_rate").source.startswith("local decision (seed 000 §3.1")


def test_budget_growth_override_from_seed_001():
    assert snapshot("C02", 2019).budget_growth == 0.0
    assert snapshot("C02", 2020).budget_growth == 0.03


def test_later_province_entry_replaces_earlier_county_entry(tmp_path):
    root = _params_dir(tmp_path, "advance_rate:\n  source: local decision\n  values:\n    2020: 0.8\n")
    text = (root / "province.yaml").read_text(encoding="utf-8")
    text = text.replace("advance_rate:\n  label_zh: 按月预拨比例", "advance_rate:\n  label_zh: 按月预拨比例", 1)
    dated = "      reference: {document: local decision, note: seed 000 §3.1 按月预拨 gives no rate}\n"
    assert dated in text
    text = text.replace(dated, dated + "    2022:\n      value: 0.95\n      reference: {document: test}\n")
    (root / "province.yaml").write_text(text, encoding="utf-8")
    assert snapshot("C99", 2019, root).advance_rate == 1.0
    assert snapshot("C99", 2021, root).advance_rate == 0.8
    assert snapshot("C99", 2023, root).advance_rate == 0.95


def test_same_start_year_county_wins(tmp_path):
    root = _params_dir(tmp_path, "yuan_per_credit:\n  source: local decision\n  values:\n    2017: 2.5\n")
    assert snapshot("C99", 2019, root).yuan_per_credit == 2.5
    assert snapshot("C98", 2019, root).yuan_per_credit == 2.0


def test_snapshot_is_printable_hashable_and_stable(tmp_path):
    root = params_with_dated_change(tmp_path / "params")
    a, b = snapshot("C01", 2023, root), snapshot("C01", 2023, root)
    assert a == b and hash(a) == hash(b) and a.digest() == b.digest()
    assert a != snapshot("C01", 2022, root)  # advance rate differs
    frame = a.to_frame()
    assert list(frame.columns) == [
        "county_id",
        "year",
        "key",
        "label_zh",
        "label_en",
        "value",
        "unit",
        "since",
        "source",
        "file",
    ]
    assert len(frame) == len(SPECS)
    row = frame.set_index("key").loc["savings_split"]
    assert row["value"] == "county 0.4 · township 0.4 · village 0.2"
    assert "advance_rate" in str(a)
    # values handed out are copies: mutating one does not change the snapshot
    split = a.savings_split
    split["county"] = 1.0
    assert a.savings_split["county"] == 0.4


def test_year_before_any_value_is_an_error():
    with pytest.raises(ValidationError, match="value in force in 2000"):
        snapshot("C01", 2000)


def test_missing_province_file_is_a_clear_error(tmp_path):
    with pytest.raises(Exception, match="no province.yaml"):
        load_params(tmp_path)


# one broken fixture per error kind: (file, key named in the message, fragment of what was expected)
COUNTY_CASES = [
    ("unknown_key.yaml", "savings_splt", "a known parameter key"),
    ("duplicate_key.yaml", "advance_rate", "each key once (key repeated at line 6)"),
    ("duplicate_year.yaml", "2023", "each key once"),
    ("non_numeric.yaml", "advance_rate.values.2023", "a number in [0, 1]"),
    ("shares_not_one.yaml", "savings_split.values.2023", "shares adding up to 1 (they add up to 1.1)"),
    ("shares_wrong_keys.yaml", "chronic_savings_split.values.2023", "exactly the keys county, township, village"),
    ("unordered_brackets.yaml", "effect_brackets.values.2023", "brackets ordered by upper edge"),
    ("bracket_shares_not_one.yaml", "effect_brackets.values.2023", "bracket shares adding up to 1"),
    ("rate_out_of_range.yaml", "overspend_share.values.2023", "a number in [0, 1]"),
    ("negative_yuan_per_credit.yaml", "yuan_per_credit.values.2023", "a number ≥ 0"),
    ("bad_start_year.yaml", "advance_rate.values", "a start year between"),
    ("unknown_field.yaml", "advance_rate.note", "only the fields"),
    ("missing_source.yaml", "advance_rate.values.2023", "a value with its reference"),
    ("reference_without_document.yaml", "advance_rate.values.2023.reference", "with a non-empty document"),
    ("bad_choice.yaml", "credit_calibration.values.2023", "one of annual | quarterly"),
    ("invalid_yaml.yaml", "(file)", "valid YAML (line"),
    (
        "benchmark_rate_above_one.yaml",
        "objective_benchmarks.values.2023",
        "a rate in [0, 1] for vaccination_rate (got 90)",
    ),
]


@pytest.mark.parametrize("fixture, key, expected", COUNTY_CASES, ids=[c[0] for c in COUNTY_CASES])
def test_broken_county_file_names_file_key_and_expectation(tmp_path, fixture, key, expected):
    root = _params_dir(tmp_path, (BROKEN / fixture).read_text(encoding="utf-8"))
    with pytest.raises(ValidationError) as info:
        load_params(root)
    message = str(info.value)
    assert "C99.yaml" in message
    assert f"column '{key}'" in message
    assert expected in message
    assert "nothing was written" in message


@pytest.mark.parametrize("fixture, key, expected", COUNTY_CASES, ids=[c[0] for c in COUNTY_CASES])
def test_broken_reform_file_is_refused_by_the_rules_of_a_county_file(tmp_path, fixture, key, expected):
    """A reform file (toolkit.params.reform) has the county file's format and is checked by the same
    rules: every broken county fixture, read as a reform, names the reform file, the key and the
    same expectation."""
    path = tmp_path / f"reform_{fixture}"
    shutil.copy(BROKEN / fixture, path)
    with pytest.raises(ValidationError) as info:
        load_reform(path)
    message = str(info.value)
    assert path.name in message
    assert f"column '{key}'" in message
    assert expected in message


def test_example_reform_is_in_force_from_its_start_year():
    """params/reforms/savings_split_532.yaml: 5:3:2 from the 2024 settlement on; 2023 keeps 4:4:2."""
    reform = load_reform(PARAMS_DIR / "reforms" / "savings_split_532.yaml")
    assert {e.key: sorted(e.values) for e in reform.entries.values()} == {
        "savings_split": [2024],
        "chronic_savings_split": [2024],
    }
    later, before = apply_reform(snapshot("C01", 2024), reform), apply_reform(snapshot("C01", 2023), reform)
    assert later["savings_split"] == {"county": 0.5, "township": 0.3, "village": 0.2}
    assert later.resolved("savings_split").since == 2024
    assert "5:3:2" in later.resolved("chronic_savings_split").source
    assert changed_keys(snapshot("C01", 2023), before) == []


def test_value_is_shown_in_the_error(tmp_path):
    root = _params_dir(tmp_path, (BROKEN / "rate_out_of_range.yaml").read_text(encoding="utf-8"))
    with pytest.raises(ValidationError, match=r"value 1\.5"):
        load_params(root)


def test_two_card_project_must_be_a_project(tmp_path):
    root = _params_dir(tmp_path, (BROKEN / "two_card_not_a_project.yaml").read_text(encoding="utf-8"))
    load_params(root)  # each file is fine on its own
    with pytest.raises(ValidationError, match=r"two_card_projects.*dental.*projects listed in ph_projects"):
        snapshot("C99", 2023, root)
    snapshot("C99", 2022, root)  # before the override the default holds


@pytest.mark.parametrize(
    "fixture, expected",
    [
        (
            "province_missing_key.yaml",
            "column 'savings_split' — expected every parameter defined in the province default file",
        ),
        ("province_missing_label.yaml", "column 'baseline_years' — expected the field label_en"),
    ],
)
def test_broken_province_file(tmp_path, fixture, expected):
    root = tmp_path / "p"
    root.mkdir()
    shutil.copy(BROKEN / fixture, root / "province.yaml")
    with pytest.raises(ValidationError) as info:
        load_params(root)
    assert expected in str(info.value)
    assert "province.yaml" in str(info.value)


def test_every_broken_fixture_is_used():
    used = {c[0] for c in COUNTY_CASES} | {
        "two_card_not_a_project.yaml",
        "province_missing_key.yaml",
        "province_missing_label.yaml",
    }
    assert {p.name for p in BROKEN.glob("*.yaml")} == used
