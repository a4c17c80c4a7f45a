"""Sentences and labels come from one bilingual catalogue (toolkit.report.labels), not from
``if lang == "zh"`` branches in the section code. The report modules below have been moved to the
catalogue wholly or in part; each may hold at most the branches it still has, so a new sentence
written as a branch fails here (move it to the catalogue). Lower a ceiling when you remove branches."""

import re

import pytest

from toolkit.paths import PROJECT_ROOT

BRANCH = re.compile(r'lang == "zh"|lang == "en"|lang != "en"|lang != "zh"|\bif zh\b|\bzh else\b')
#: module -> the language branches it may still hold
CEILINGS = {
    "county.py": 28,
    "province.py": 0,
    "figures.py": 0,
    "tables.py": 0,
    "word.py": 0,
    "evaluation.py": 7,
    "provenance.py": 2,
}


@pytest.mark.parametrize("module", sorted(CEILINGS))
def test_no_new_language_branches(module):
    text = (PROJECT_ROOT / "toolkit" / "report" / module).read_text(encoding="utf-8")
    found = len(BRANCH.findall(text))
    assert found <= CEILINGS[module], f"{module}: {found} language branches (at most {CEILINGS[module]})"


def test_the_count_sees_a_branch():
    assert len(BRANCH.findall('x = "男" if lang == "zh" else "Male"')) == 1
