"""Paths built from the project root, never from the working directory."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
PARAMS_DIR = PROJECT_ROOT / "params"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
SAMPLE_DATA_DIR = PROJECT_ROOT / "data" / "sample"
# shared/ sits beside the project checkout (also in CI's clean clone); override with TOOLKIT_SHARED_DIR.
SHARED_DIR = Path(os.environ.get("TOOLKIT_SHARED_DIR", PROJECT_ROOT.parent / "shared"))
MPDTA_CSV = SHARED_DIR / "data" / "mpdta.csv"
