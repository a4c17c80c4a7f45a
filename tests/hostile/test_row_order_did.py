"""``did`` gives the same bytes whatever the order of the panel's rows (every estimator, on mpdta)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import cli
from toolkit.paths import MPDTA_CSV

ARGS = ["--outcome", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat"]


def _json(capsys, path, estimator) -> str:
    assert cli.main(["did", str(path), *ARGS, "--estimator", estimator, "--json"]) == 0
    return capsys.readouterr().out


@pytest.fixture(scope="module")
def panels(tmp_path_factory):
    """mpdta in file order and shuffled twice; for sdid, the 2006 cohort and 60 never-treated counties."""
    folder = tmp_path_factory.mktemp("did_order")
    mpdta = pd.read_csv(MPDTA_CSV)
    # sdid's placebo inference refits per control unit: 60 controls keep it quick
    controls = sorted(mpdta.loc[mpdta["first.treat"] == 0, "countyreal"].unique())[:60]
    single = mpdta[(mpdta["first.treat"] == 2006) | mpdta["countyreal"].isin(controls)]
    out = {}
    for name, frame in (("all", mpdta), ("single", single)):
        paths = [folder / f"{name}.csv"]
        frame.to_csv(paths[0], index=False)
        for seed in (1, 2):
            paths.append(folder / f"{name}_{seed}.csv")
            frame.iloc[np.random.default_rng(seed).permutation(len(frame))].to_csv(paths[-1], index=False)
        out[name] = paths
    return out


@pytest.mark.parametrize("estimator", ["twfe", "event", "cs", "sa", "bjs", "bacon", "sdid"])
def test_shuffled_panel_gives_byte_identical_json(capsys, panels, estimator):
    paths = panels["single" if estimator == "sdid" else "all"]
    first, *shuffled = (_json(capsys, p, estimator) for p in paths)
    assert '"estimate"' in first
    for other in shuffled:
        assert other == first
