"""toolkit.indicators — the indicator registry and the functions that compute indicators.

Public entry points::

    from toolkit.indicators import compute_indicators, compute_unit_indicators, get
    compute_indicators(tables, counties=None, years=None)   # tidy county-year table
    get("income_ratio").name_zh                             # "基层机构…" (for people: toolkit.report.labels.label)

See docs/indicators.md (generated from registry.yaml) for every indicator.
"""

from toolkit.indicators.compute import compare_with_targets, compute_indicators, compute_unit_indicators
from toolkit.indicators.registry import get, load_registry

__all__ = ["compare_with_targets", "compute_indicators", "compute_unit_indicators", "get", "load_registry"]
