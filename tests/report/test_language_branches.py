"""Sentences and labels come from one bilingual catalogue (toolkit/catalogue), not from
``if lang == "zh"`` branches in the code: no module but the catalogue itself chooses a language."""

import re

import pytest

from toolkit.paths import PROJECT_ROOT

BRANCH = re.compile(r'lang == "zh"|lang == "en"|lang != "en"|lang != "zh"|\bif zh\b|\bzh else\b')
PACKAGE = PROJECT_ROOT / "toolkit"
#: the catalogue itself chooses the language
CHOOSERS = {"catalogue/__init__.py"}


def modules():
    return sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("module", [m for m in modules() if m not in CHOOSERS])
def test_no_language_branches(module):
    found = BRANCH.findall((PACKAGE / module).read_text(encoding="utf-8"))
    assert not found, f"{module}: {len(found)} language branches; take the words from toolkit.catalogue"


def test_the_count_sees_a_branch():
    assert len(BRANCH.findall('x = "男" if lang == "zh" else "Male"')) == 1
    assert len(BRANCH.findall('zh = ctx.lang == "zh"\ny = "甲" if zh else "a"')) == 2
