"""The index links every file the province indicator step writes: the workbook and its three CSVs
(county, unit and hierarchy levels), each once, in the folder's order."""

import re

from toolkit.batch import cache
from toolkit.batch.index import render_index

PROVINCE_FILES = ("indicators.xlsx", "indicators.csv", "indicators_units.csv", "indicators_levels.csv")


def test_index_links_every_province_indicator_file(tmp_path):
    for name in PROVINCE_FILES:
        (tmp_path / name).write_bytes("\ufeffcounty_id,year,indicator,value\n".encode())
    m = cache.Manifest(path=tmp_path / cache.MANIFEST_NAME)
    page = render_index(m, tmp_path)
    links = re.findall(r'href="([^"]+)"', page)
    assert [h for h in links if h.startswith("indicators")] == list(PROVINCE_FILES)
    # a file the folder lacks is not linked
    (tmp_path / "indicators_levels.csv").unlink()
    assert 'href="indicators_levels.csv"' not in render_index(m, tmp_path)
