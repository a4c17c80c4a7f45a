"""Text others can copy: no comment narrating the project's history, no path of a development
machine, and every project file a docstring, help text or document names exists."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".sh", ".j2", ".txt", ".in", ".cfg"}

#: phrases that tell the story of how the code came to be rather than what it does
HISTORY = re.compile(
    r"\bissue\s+#?\d+|team brief|has not landed|not landed yet|not built yet|not there yet|"
    r"\bhelper-\d+|added (in )?this session|DEVELOPERS\.md",
    re.I,
)
#: an absolute path of a development machine (a relative ``benchmarks/work/`` is fine)
MACHINE_PATH = re.compile(r"(?<![\w.~-])/(?:work|home|root|Users)/[\w.-]")
#: a project file named in text: a path under one of the project's folders, or a top-level document
PROJECT_PATH = re.compile(
    r"(?<![\w/.-])((?:docs|toolkit|tests|params|scripts|benchmarks|notebooks|data)/[\w./-]*[\w-]"
    r"|[A-Z][A-Z_]+\.md)(?![\w<{*/])"
)
#: folders whose contents are made by running the project, not tracked
GENERATED = ("data/sample", "data/sample_claims", "benchmarks/work", "benchmarks/.venv", "benchmarks/results")


def _tracked() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [ROOT / p for p in out.split() if Path(p).suffix in TEXT_SUFFIXES and (ROOT / p).is_file()]


def _lines(paths):
    for path in paths:
        if path == Path(__file__).resolve():
            continue  # this file spells the patterns out
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
            yield path.relative_to(ROOT).as_posix(), n, line


def test_no_comment_narrates_history():
    found = [f"{p}:{n}: {line.strip()[:100]}" for p, n, line in _lines(_tracked()) if HISTORY.search(line)]
    assert not found, "say what the code does and why, not how it came to be:\n" + "\n".join(found)


def test_no_machine_path():
    found = [f"{p}:{n}: {line.strip()[:100]}" for p, n, line in _lines(_tracked()) if MACHINE_PATH.search(line)]
    assert not found, "a path of one machine (use a path relative to the project or to shared/):\n" + "\n".join(found)


def referenced_paths(text: str) -> list[str]:
    """Project paths named in ``text``, trailing punctuation and ``::test`` selectors dropped."""
    out = []
    for match in PROJECT_PATH.finditer(text):
        path = match.group(1).split("::")[0].rstrip(".")
        if any(path == g or path.startswith(g + "/") for g in GENERATED):
            continue
        if re.search(r"/[A-Z][A-Z_]+(?:\.\w+)?(?:/|$)", path):
            continue  # a placeholder such as params/schemes/NAME.yaml
        out.append(path)
    return out


def _exists(path: str) -> bool:
    if (ROOT / path).exists():
        return True
    # a module path written without its suffix, or a notebook named without .ipynb
    return any((ROOT / f"{path}{suffix}").exists() for suffix in (".py", ".ipynb", ".md"))


def test_every_referenced_project_file_exists():
    """Docstrings and help texts (all of toolkit/), scripts, the README and docs/ name only files that exist."""
    sources = [p for p in _tracked() if p.suffix in (".py", ".md", ".sh", ".yaml", ".toml")]
    missing = [
        f"{p}:{n}: {ref}"
        for p, n, line in _lines(sources)
        for ref in referenced_paths(line)
        if not _exists(ref) and not p.startswith("tests/")
    ]
    assert not missing, "text names files that do not exist:\n" + "\n".join(missing)


@pytest.mark.parametrize(
    "text, found",
    [
        ("see docs/data.md for the columns", ["docs/data.md"]),
        ("(tables as in docs/data_contract.md).", ["docs/data_contract.md"]),
        ("`tests/data/test_cache.py::test_loading_never_writes`", ["tests/data/test_cache.py"]),
        ("params/counties/<county_id>.yaml", []),
        ("DEVELOPERS.md non-negotiables", ["DEVELOPERS.md"]),
        ("generated into data/sample/", []),
        ("a scheme file params/schemes/NAME.yaml", []),
    ],
)
def test_the_path_finder(text, found):
    assert referenced_paths(text) == found
    assert HISTORY.search("# as issue 6 measured") and not HISTORY.search("the issue is the fen rounding")
    sample = "read from /" + "work/shared/data"  # built in two parts: this file must not hold a machine path itself
    assert MACHINE_PATH.search(sample) and not MACHINE_PATH.search("under benchmarks/work/")
