"""Difference-in-differences for staggered reforms: one entry point, one result type.

>>> from toolkit.did import estimate, honest_bounds
>>> res = estimate(panel, yname="y", idname="county_id", tname="year", gname="first_treat", estimator="cs")
>>> res                      # a compact table in a notebook (DidResult._repr_html_)
>>> honest_bounds(res, [0.5, 1, 2], restriction="relative_magnitudes")

Estimators, options and conventions: :mod:`toolkit.did.api` and docs/did.md.
"""

from toolkit.did.api import ESTIMATORS, estimate
from toolkit.did.panel import Panel, prepare_panel
from toolkit.did.result import DidResult
from toolkit.did.sensitivity import honest_bounds

__all__ = ["ESTIMATORS", "DidResult", "Panel", "estimate", "honest_bounds", "prepare_panel"]
