"""The one bilingual catalogue (toolkit/catalogue): every entry in both languages with the same fields,
each key once across all files, and lookups that never show a reader a key."""

import pytest

from toolkit import catalogue
from toolkit.catalogue import choose, localized, read_catalogue, text
from toolkit.errors import ToolkitError


def write(folder, name, body):
    (folder / name).write_text(body, encoding="utf-8")


def test_the_shipped_catalogue_reads_and_has_the_report_vocabulary():
    entries = catalogue.entries()
    assert entries["county_annual_report"] == ("县域医共体年度报告", "County medical community annual report")
    assert len(entries) > 250


def test_text_fills_fields_in_the_language_asked(tmp_path):
    write(tmp_path, "a.yaml", "greet:\n  zh: 共 {n} 县\n  en: '{n} counties'\n")
    pair = read_catalogue(tmp_path)["greet"]
    assert choose(pair, "zh").format(n=3) == "共 3 县"
    assert choose(pair, "en").format(n=3) == "3 counties"
    assert choose(pair, "both").format(n=3) == "共 3 县 / 3 counties"


def test_a_key_given_twice_in_one_file_is_refused(tmp_path):
    write(tmp_path, "a.yaml", "k:\n  zh: 甲\n  en: a\nk:\n  zh: 乙\n  en: b\n")
    with pytest.raises(ToolkitError, match=r"'k' given twice \(line 4\)"):
        read_catalogue(tmp_path)


def test_a_key_in_two_files_is_refused(tmp_path):
    write(tmp_path, "a.yaml", "k:\n  zh: 甲\n  en: a\n")
    write(tmp_path, "b.yaml", "k:\n  zh: 乙\n  en: b\n")
    with pytest.raises(ToolkitError, match="'k' is also in a.yaml"):
        read_catalogue(tmp_path)


@pytest.mark.parametrize(
    "body, what",
    [
        ("k:\n  zh: 甲\n", "exactly the fields zh and en"),
        ("k:\n  zh: 甲\n  en: a\n  fr: b\n", "exactly the fields zh and en"),
        ("k:\n  zh: ''\n  en: a\n", "non-empty zh"),
        ("k:\n  zh: 甲\n  en:\n", "an en text"),
        ("k:\n  zh: 共 {n} 县\n  en: counties\n", "the same fields in both"),
        ("k:\n  zh: '{m} 县'\n  en: '{n} counties'\n", "the same fields in both"),
    ],
)
def test_an_entry_missing_a_language_or_a_field_is_refused(tmp_path, body, what):
    write(tmp_path, "a.yaml", body)
    with pytest.raises(ToolkitError, match=what):
        read_catalogue(tmp_path)


def test_an_english_pass_through_leaves_the_chinese_its_own_fields(tmp_path):
    write(tmp_path, "a.yaml", "k:\n  zh: 删去 {n} 行\n  en: '{text}'\n")
    assert read_catalogue(tmp_path)["k"] == ("删去 {n} 行", "{text}")


def test_every_shipped_entry_names_the_same_fields_in_both_languages():
    # read_catalogue checks it; this asserts the check ran over the real files (a broken file fails here)
    assert read_catalogue() == catalogue.entries()


def test_an_unknown_key_is_a_programming_error_not_a_shown_id():
    with pytest.raises(KeyError, match="no entry 'no_such_key'"):
        text("no_such_key", "zh")


def test_an_unknown_language_is_refused():
    with pytest.raises(ToolkitError, match="expected one of zh, en, both"):
        text("county_annual_report", "fr")


def test_localized_picks_the_field_of_a_dict_an_object_or_a_column():
    import pandas as pd

    record = {"name_zh": "住院率", "name_en": "Admission rate"}
    assert localized(record, "name", "zh") == "住院率"
    assert localized(record, "name", "en") == "Admission rate"
    assert localized(record, "name", "both") == "住院率 / Admission rate"
    frame = pd.DataFrame({"name_zh": ["甲", "乙"], "name_en": ["a", "b"]})
    assert list(localized(frame, "name", "en")) == ["a", "b"]
    assert localized(frame, "name", "both") == ["甲 / a", "乙 / b"]
    assert localized(frame.iloc[1], "name", "zh") == "乙"
