"""A parameter snapshot of the test county C99 with some values changed (a county file)."""

import json
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from toolkit.params.snapshot import snapshot
from toolkit.paths import PARAMS_DIR


@lru_cache(maxsize=64)
def _snap(items: tuple, year: int):
    root = Path(tempfile.mkdtemp(prefix="st-params-"))
    try:
        (root / "counties").mkdir(parents=True)
        shutil.copy(PARAMS_DIR / "province.yaml", root / "province.yaml")
        text = "".join(
            f"{key}:\n  source: test\n  values:\n    {year}: {json.loads(value)!r}\n" for key, value in items
        )
        if text:
            (root / "counties" / "C99.yaml").write_text(text.replace("'", '"'), encoding="utf-8")
        return snapshot("C99", year, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def snap_with(year: int = 2023, **values):
    """snapshot("C99", year) with ``values`` in force from ``year``."""
    return _snap(tuple(sorted((k, json.dumps(v)) for k, v in values.items())), year)
