"""Every committed notebook is stored without outputs, starts from a `parameters` cell of literals,
holds no logic (no def, no merges, no loops, no pandas import) and is in sync with its jupytext
`.py` pair."""

import ast
import json

import jupytext
import pytest

from toolkit.paths import NOTEBOOKS_DIR

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
EXPECTED = {"county_annual_report", "unit_settlement", "reform_evaluation", "province_overview"}
FORBIDDEN = ("def ", "lambda", "merge(", ".join(", "import pandas", "for ", "while ", "class ", "pd.concat")


def _without_comments(src: str) -> str:
    """The code of a cell without its comments (comments may say "for", code may not loop)."""
    import io
    import tokenize

    tokens = [t for t in tokenize.generate_tokens(io.StringIO(src).readline) if t.type != tokenize.COMMENT]
    return tokenize.untokenize(tokens)


def test_the_four_reports_exist():
    assert {p.stem for p in NOTEBOOKS} >= EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"cell {i} has outputs"
            assert cell.get("execution_count") is None, f"cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_of_literals(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    tree = ast.parse("".join(tagged[0]["source"]))
    assert tree.body, "parameters cell is empty"
    for node in tree.body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name), (
            f"parameters cell: only `name = literal` lines, got {ast.dump(node)[:80]}"
        )
        ast.literal_eval(node.value)  # raises unless a literal
    names = [n.targets[0].id for n in tree.body]
    assert {"data_dir", "lang", "exec_mode", "output_dir", "suppress_threshold"} <= set(names)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_logic_in_notebooks(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        code = _without_comments(src)
        for word in FORBIDDEN:
            assert word not in code, f"cell {i} contains {word!r}: put logic into toolkit/report/"
        for node in ast.walk(ast.parse(src)):
            assert not isinstance(
                node, (ast.FunctionDef, ast.For, ast.While, ast.ListComp, ast.DictComp, ast.GeneratorExp, ast.Lambda)
            ), f"cell {i}: logic belongs in toolkit"
            if isinstance(node, ast.ImportFrom):
                assert node.module and node.module.startswith("toolkit"), f"cell {i} imports {node.module}"
            if isinstance(node, ast.Import):
                pytest.fail(f"cell {i}: import only from toolkit (`from toolkit.report import ...`)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_jupytext_pair_in_sync(path):
    pair = path.with_suffix(".py")
    assert pair.is_file(), f"{pair.name} missing: run `jupytext --set-formats ipynb,py:percent {path.name}`"
    nb = jupytext.read(path)
    py = jupytext.read(pair)
    assert nb.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent"
    strip = lambda cells: [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in cells]  # noqa: E731
    assert strip(nb.cells) == strip(py.cells), f"{path.name} and {pair.name} differ: run `jupytext --sync {path.name}`"
