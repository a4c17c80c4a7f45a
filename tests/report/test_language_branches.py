"""Sentences and labels come from one bilingual catalogue (toolkit/catalogue), not from
``if lang == "zh"`` branches in the code. Modules below still hold branches; each may hold at most the
number it has, so a new sentence written as a branch fails here (move it to the catalogue). Lower a
ceiling when you remove branches; a module not listed may hold none."""

import re

import pytest

from toolkit.paths import PROJECT_ROOT

BRANCH = re.compile(r'lang == "zh"|lang == "en"|lang != "en"|lang != "zh"|\bif zh\b|\bzh else\b')
PACKAGE = PROJECT_ROOT / "toolkit"
#: the catalogue itself chooses the language
CHOOSERS = {"catalogue/__init__.py"}
#: module (path under toolkit/) -> the language branches it may still hold
CEILINGS = {
    "cli.py": 1,
    "commands/settle.py": 1,
    "commands/settle_points.py": 6,
    "indicators/claims_check.py": 13,
    "params/targets.py": 2,
    "report/county.py": 28,
    "report/csvout.py": 1,
    "report/evaluation.py": 7,
    "report/goals.py": 3,
    "report/plausibility_notes.py": 2,
    "report/provenance.py": 2,
    "report/scenario.py": 11,
    "report/settlement_workbook.py": 23,
    "report/statement_html.py": 14,
    "report/statement_pdf.py": 16,
    "report/text.py": 12,
    "report/unit_settlement.py": 25,
    "settlement/labels.py": 2,
    "settlement/unit_statement.py": 4,
    "settlement/words.py": 11,
}


def modules():
    return sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("module", [m for m in modules() if m not in CHOOSERS])
def test_no_new_language_branches(module):
    found = len(BRANCH.findall((PACKAGE / module).read_text(encoding="utf-8")))
    ceiling = CEILINGS.get(module, 0)
    assert found <= ceiling, f"{module}: {found} language branches (at most {ceiling}); use toolkit.catalogue"


def test_every_ceiling_names_a_module():
    assert set(CEILINGS) <= set(modules())


def test_the_count_sees_a_branch():
    assert len(BRANCH.findall('x = "男" if lang == "zh" else "Male"')) == 1
