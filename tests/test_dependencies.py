"""Dependencies as the imports say: pyproject.toml declares what ``toolkit`` imports, nothing it does not,
requirements.in (hence the lock scripts/bootstrap.sh installs) holds every dependency and extra, and
``pip install .`` alone gives a working report layer."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: imported inside functions only, behind a ToolkitError naming the extra to install
EXTRA_IMPORTS = {"distributed": "cluster"}
#: declared without an import: needed at run time all the same
RUNTIME_ONLY = {"ipykernel": "the Python kernel every report notebook runs in"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _req_name(requirement: str) -> str:
    return _norm(re.split(r"[\s;<>=!~\[(]", requirement.strip(), maxsplit=1)[0])


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _core() -> set[str]:
    return {_req_name(r) for r in _project()["dependencies"]}


def _extras() -> dict[str, set[str]]:
    return {k: {_req_name(r) for r in v} for k, v in _project().get("optional-dependencies", {}).items()}


def third_party_imports(folder: Path) -> dict[str, dict[str, bool]]:
    """``{distribution: {file: imported at module level}}`` for every non-stdlib, non-toolkit import."""
    to_dist = {mod: [_norm(d) for d in dists] for mod, dists in packages_distributions().items()}
    found: dict[str, dict[str, bool]] = {}

    def visit(node: ast.AST, path: str, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            names = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                names = [child.module]
            for name in names:
                root = name.split(".")[0]
                if root in sys.stdlib_module_names or root in ("toolkit", "tests", "__future__"):
                    continue
                dist = to_dist.get(root, [f"<no installed distribution provides {root!r}>"])[0]
                files = found.setdefault(dist, {})
                files[path] = files.get(path, False) or not in_function
            visit(child, path, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    for p in sorted(folder.rglob("*.py")):
        visit(ast.parse(p.read_text(encoding="utf-8")), p.relative_to(ROOT).as_posix(), False)
    return found


def test_every_package_toolkit_imports_is_declared():
    core, extras = _core(), _extras()
    undeclared = {}
    for dist, files in third_party_imports(ROOT / "toolkit").items():
        if dist in core:
            continue
        module_root = next((m for m, extra in EXTRA_IMPORTS.items() if _norm(m) == dist), None)
        if module_root and dist in extras.get(EXTRA_IMPORTS[module_root], set()) and not any(files.values()):
            continue  # an extra, imported only where it is needed
        undeclared[dist] = sorted(files)
    assert not undeclared, f"toolkit imports packages pyproject.toml [project].dependencies does not list: {undeclared}"


def test_every_core_dependency_is_imported():
    imported = set(third_party_imports(ROOT / "toolkit"))
    unused = sorted(_core() - imported - set(RUNTIME_ONLY))
    assert not unused, f"pyproject.toml declares packages toolkit never imports (drop them or use them): {unused}"


def test_tests_import_only_declared_packages():
    declared = _core().union(*_extras().values())
    undeclared = {}
    for dist, files in third_party_imports(ROOT / "tests").items():
        # reference/ scripts regenerate frozen peer results in benchmarks/.venv (pyfixest, csdid), not in CI
        used = sorted(f for f in files if "/reference/" not in f)
        if dist not in declared and used:
            undeclared[dist] = used
    assert not undeclared, f"tests import packages no pyproject.toml extra lists (add them to dev): {undeclared}"


def test_requirements_in_is_every_dependency_and_extra():
    """The lock is resolved from requirements.in, so the README's two commands install every extra too."""
    wanted = {
        _req_name(line.split("#")[0])
        for line in (ROOT / "requirements.in").read_text(encoding="utf-8").splitlines()
        if line.split("#")[0].strip()
    }
    declared = _core().union(*_extras().values())
    assert wanted == declared, (
        f"requirements.in and pyproject.toml disagree: only in requirements.in {sorted(wanted - declared)}, "
        f"only in pyproject.toml {sorted(declared - wanted)}"
    )


def test_the_import_scan_sees_a_missing_declaration(tmp_path, monkeypatch):
    """The scan itself can fail: a module importing an undeclared package is reported."""
    pkg = tmp_path / "toolkit"
    pkg.mkdir()
    (pkg / "m.py").write_text("import yaml\n\ndef f():\n    import distributed\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = third_party_imports(pkg)
    assert found["pyyaml"] == {"toolkit/m.py": True}
    assert found["distributed"] == {"toolkit/m.py": False}


@pytest.mark.slow
def test_pip_install_alone_gives_a_working_report_layer(tmp_path):
    """A fresh venv, ``pip install .`` (versions held to the lock), then the report layer imports and draws."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    install = subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "-c", str(ROOT / "requirements.lock"), str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=1200,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    check = subprocess.run(
        [str(py), "-c", "import toolkit.report.figures, toolkit.cli; print(toolkit.report.figures.__file__)"],
        capture_output=True,
        text=True,
        env={**env, "MPLBACKEND": "Agg"},
        cwd=tmp_path,
        timeout=300,
    )
    assert check.returncode == 0, check.stderr[-3000:]
    assert str(venv) in check.stdout  # the installed copy, not the checkout
