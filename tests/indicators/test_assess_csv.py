"""``assess`` writes its CSVs as every CSV of the toolkit: UTF-8 with a byte-order mark, so Excel and
WPS on Chinese Windows read the community names; decoded as UTF-8-sig the first header is clean."""

import pandas as pd

from toolkit.cli import main


def test_assess_csvs_start_with_a_bom_and_read_back(tmp_path):
    from toolkit.data.synth import generate_province

    sample = tmp_path / "province"
    generate_province(sample, n_counties=2)
    out = tmp_path / "a"
    assert main(["assess", str(sample), "--year", "2023", "--out", str(out)]) == 0
    for name in ("assessment_points.csv", "assessment_totals.csv"):
        data = (out / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), name
        with open(out / name, encoding="utf-8-sig", newline="") as f:  # what Excel does with a BOM
            table = pd.read_csv(f, dtype=str)
        assert not table.columns[0].startswith("\ufeff") and "entity_id" in table.columns
