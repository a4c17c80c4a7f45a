"""Modules meet at public names, and data flows one way (docs/architecture.md).

A module's ``_private`` helpers are its own: another toolkit module that needs one gets a public name
for it. A lower layer never imports a higher one: errors/io/paths/years/catalogue → data → params →
settlement · indicators · did → report → batch → commands and the CLI.
"""

from __future__ import annotations

import ast
from pathlib import Path

import toolkit

PACKAGE = Path(toolkit.__file__).parent

#: layer of each part of the package (the first name after ``toolkit.``; ``toolkit`` itself is the base)
LAYERS = {
    "toolkit": 0,
    "errors": 0,
    "io": 0,
    "paths": 0,
    "years": 0,
    "catalogue": 0,
    "data": 1,
    "params": 2,
    "settlement": 3,
    "indicators": 3,
    "did": 3,
    "report": 4,
    "batch": 5,
    "commands": 6,
    "cli": 6,
    "__main__": 6,
}

#: imports upwards that are still there, each with what it waits for; an entry that is gone fails the
#: test, so the list only shrinks
KNOWN_UPWARDS: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _source_of(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(source: str, module: str, is_package: bool = False):
    """(line, imported module, alias, is ``from … import``) for every toolkit import in ``source``, at any depth."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            src = _source_of(node, module, is_package)
            if src == "toolkit" or src.startswith("toolkit."):
                for alias in node.names:
                    yield node.lineno, src, alias, True
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "toolkit" or alias.name.startswith("toolkit."):
                    yield node.lineno, alias.name, alias, False


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_uses(source: str, module: str, is_package: bool = False) -> list[str]:
    """``from toolkit.x import _name`` and ``x._name`` (``x`` imported from toolkit) in another module."""
    found, bound = [], set()
    for line, src, alias, from_import in imports(source, module, is_package):
        if not from_import:  # import toolkit.x binds toolkit (or its asname)
            bound.add(alias.asname or src.split(".")[0])
            continue
        if _private(alias.name) and src != module:
            found.append(f"{module}:{line} imports {alias.name} from {src}")
        bound.add(alias.asname or alias.name)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in bound:
                found.append(f"{module}:{node.lineno} uses {ast.unparse(node)}")
    return found


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS[parts[1] if len(parts) > 1 else "toolkit"]


def upward_imports(source: str, module: str, is_package: bool = False) -> set[tuple[str, str]]:
    """(importer, imported) pairs where ``module`` imports a toolkit module of a higher layer."""
    out = set()
    for _, src, alias, from_import in imports(source, module, is_package):
        target = src
        if from_import and src == "toolkit" and not _private(alias.name) and not alias.name.startswith("__"):
            target = f"toolkit.{alias.name}"  # from toolkit import report
        if _layer(module) < _layer(target):
            out.add((module, target))
    return out


def _modules():
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 50  # the walk found the package
    for path in files:
        yield path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py"


def test_no_private_names_used_across_toolkit_modules():
    found = [use for source, module, pkg in _modules() for use in private_uses(source, module, pkg)]
    assert not found, "\n".join(found)


def test_lower_layers_do_not_import_higher_ones():
    for _, module, _ in _modules():
        assert module.split(".")[1 if "." in module else 0] in LAYERS, f"{module}: add its layer to LAYERS"
    upward = set().union(*(upward_imports(source, module, pkg) for source, module, pkg in _modules()))
    assert upward - KNOWN_UPWARDS == set(), "lower layer imports a higher one"
    assert KNOWN_UPWARDS - upward == set(), "gone: remove from KNOWN_UPWARDS"


def test_the_checks_see_what_they_look_for():
    # function-level, relative and attribute forms all count; the module's own privates and dunders do not
    source = (
        "def f():\n"
        "    from toolkit.commands.settle import _csv_bytes\n"
        "    from .compute import _select, year_list\n"
        "    from toolkit.did import honest\n"
        "    from toolkit import __version__\n"
        "    from toolkit.report.csvout import _setting\n"
        "    return honest._check, honest.check_inputs, _csv_bytes, __version__\n"
    )
    found = private_uses(source, "toolkit.indicators.tidy")
    assert found == [
        "toolkit.indicators.tidy:2 imports _csv_bytes from toolkit.commands.settle",
        "toolkit.indicators.tidy:3 imports _select from toolkit.indicators.compute",
        "toolkit.indicators.tidy:6 imports _setting from toolkit.report.csvout",
        "toolkit.indicators.tidy:7 uses honest._check",
    ]
    assert private_uses("from toolkit.report.csvout import _setting\n", "toolkit.report.csvout") == []
    assert upward_imports(source, "toolkit.indicators.tidy") == {
        ("toolkit.indicators.tidy", "toolkit.commands.settle"),
        ("toolkit.indicators.tidy", "toolkit.report.csvout"),
    }
    assert upward_imports("from toolkit import report\n", "toolkit.data.load") == {
        ("toolkit.data.load", "toolkit.report")
    }
    assert upward_imports(source, "toolkit.commands.main") == set()
