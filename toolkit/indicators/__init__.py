"""toolkit.indicators — the indicator registry and the functions that compute indicators.

Public entry points::

    from toolkit.indicators import compute_indicators, compute_unit_indicators, label
    compute_indicators(tables, counties=None, years=None)   # tidy county-year table
    label("income_ratio")                                   # "基层机构… / Primary staff …"

See docs/indicators.md (generated from registry.yaml) for every indicator.
"""

from toolkit.indicators.compute import compare_with_targets, compute_indicators, compute_unit_indicators
from toolkit.indicators.registry import get, label, load_registry

__all__ = ["compare_with_targets", "compute_indicators", "compute_unit_indicators", "get", "label", "load_registry"]
