"""Paths built from the project root, never from the working directory."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
PARAMS_DIR = PROJECT_ROOT / "params"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
SAMPLE_DATA_DIR = PROJECT_ROOT / "data" / "sample"
SHARED_DIR = PROJECT_ROOT.parent / "shared"
