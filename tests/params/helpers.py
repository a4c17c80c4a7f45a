"""Parameter folders for tests: the shipped province default plus test-only county overrides."""

from __future__ import annotations

import shutil
from pathlib import Path

from toolkit.paths import PARAMS_DIR

FIXTURES = Path(__file__).parent / "fixtures"


def params_with_dated_change(root: Path) -> Path:
    """params/ with county C01 advancing 90% of the budget from 2023 (fixtures/dated_change_C01.yaml)."""
    shutil.copytree(PARAMS_DIR, root)
    shutil.copy(FIXTURES / "dated_change_C01.yaml", root / "counties" / "C01.yaml")
    return root
