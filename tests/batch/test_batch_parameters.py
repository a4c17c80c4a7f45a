"""``batch -p KEY=VALUE``: notebook parameters from the command line, typed as papermill types
them, checked against what the notebook declares before any kernel starts."""

import pytest

from toolkit import cli
from toolkit.batch.runner import plan_jobs
from toolkit.commands.batch import parse_parameters
from toolkit.errors import ToolkitError
from toolkit.paths import NOTEBOOKS_DIR

DECLARED = {"estimator", "counties", "suppress", "ratio", "flag", "outcome"}


def test_values_are_typed_like_papermill():
    got = parse_parameters(
        ["estimator=sa", "counties=C01,C02", "suppress=5", "ratio=0.5", "flag=true", "outcome=a=b"], DECLARED
    )
    assert got == {
        "estimator": "sa",
        "counties": "C01,C02",
        "suppress": 5,
        "ratio": 0.5,
        "flag": True,
        "outcome": "a=b",  # split at the first '='
    }


@pytest.mark.parametrize(
    "item,words",
    [("estimator", "KEY=VALUE"), ("=sa", "KEY=VALUE"), ("year=2020", "--years"), ("colour=red", "declares no")],
)
def test_bad_items_are_clear_errors(item, words):
    with pytest.raises(ToolkitError, match=words):
        parse_parameters([item], DECLARED | {"year"})


def test_parameters_reach_the_planned_job(dataset, tmp_path):
    nb = NOTEBOOKS_DIR / "reform_evaluation.ipynb"
    extra = parse_parameters(["estimator=sa", "counties=C01,C03"], {"estimator", "counties"})
    (job,) = plan_jobs([nb], dataset, ["C01"], [2024], tmp_path / "out", extra=extra)
    assert job.parameters["estimator"] == "sa" and job.parameters["counties"] == "C01,C03"
    plain = plan_jobs([nb], dataset, ["C01"], [2024], tmp_path / "out")[0]
    assert plain.input_key != job.input_key  # other parameters, another report


def test_cli_refuses_an_undeclared_parameter_before_running(dataset, tmp_path, capsys):
    code = cli.main(
        ["batch", str(dataset), "--notebook", "reform_evaluation", "--out", str(tmp_path / "o"), "-p", "colour=red"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "colour" in err and "estimator" in err
    assert not (tmp_path / "o").exists()
