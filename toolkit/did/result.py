"""One result type for every difference-in-differences estimator.

Every estimator in :mod:`toolkit.did` returns a :class:`DidResult`; the CLI's ``--json`` output,
the notebooks and the tests read only this. Tables inside it are plain DataFrames with stable
column names:

* ``event_study``: ``event_time, estimate, se, ci_low, ci_high`` (+ optional ``n_obs``)
* ``groups``: ``cohort, estimate, se, ci_low, ci_high``
* ``group_time``: ``cohort, time, estimate, se, ci_low, ci_high`` (Callaway–Sant'Anna ATT(g,t))
* ``calendar``: ``time, estimate, se, ci_low, ci_high``
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from toolkit.did.inference import wald_inference

#: estimator id -> the name people cite (reports, the notebook, ``_repr_html_``)
ESTIMATOR_NAMES = {
    "twfe": "TWFE",
    "event": "TWFE event study",
    "bacon": "TWFE (Goodman-Bacon decomposition)",
    "cs": "Callaway–Sant'Anna",
    "sa": "Sun–Abraham",
    "bjs": "Borusyak–Jaravel–Spiess imputation",
    "sdid": "synthetic DiD",
}

#: below this many clusters cluster-robust inference is fragile (over-rejects; Cameron & Miller
#: 2015, J. Human Resources 50(2) §VI; MacKinnon & Webb 2017): reports say so next to the estimate
FEW_CLUSTERS = 30


def estimator_name(estimator: str) -> str:
    return ESTIMATOR_NAMES.get(estimator, estimator)


def num_text(x: Any) -> str:
    x = _clean(x)
    return "NA" if x is None else f"{x:.6g}"


def _clean(value: Any) -> Any:
    """JSON-safe scalars: NaN/inf become None, numpy scalars become Python ones."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _json_safe(value: Any) -> Any:
    """``value`` with every nested scalar passed through :func:`_clean` (dicts, lists, tuples, arrays).

    ``json.dumps(default=...)`` is never called for floats, so a NaN deep inside the diagnostics
    would otherwise come out as the bare ``NaN`` that strict JSON parsers reject.
    """
    if isinstance(value, dict):
        return {_clean(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)) and getattr(value, "ndim", 0) > 0:
        return [_json_safe(v) for v in value.tolist()]  # numpy arrays
    return _clean(value)


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None:
        return []
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


@dataclass(repr=False)
class DidResult:
    estimator: str  # "twfe", "event", "cs", "sa", "bjs", "sdid", ...
    outcome: str
    estimate: float  # the headline (overall) effect
    se: float
    ci_low: float
    ci_high: float
    n_units: int
    n_obs: int
    inference: str = ""  # how se/ci were obtained, in words (e.g. "cluster-robust CR1 by county, G-1 df")
    p_value: float | None = None
    event_study: pd.DataFrame | None = None
    groups: pd.DataFrame | None = None
    group_time: pd.DataFrame | None = None
    calendar: pd.DataFrame | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)  # pre-trend test, Bacon weights, ...
    warnings: list[str] = field(default_factory=list)  # shown to users (e.g. one treated cluster)
    options: dict[str, Any] = field(default_factory=dict)  # control group, covariates, alpha, seed ...

    @classmethod
    def normal_approximation(
        cls, *, estimate: float, se: float, alpha: float, p_from_infinite_se: bool = False, **fields: Any
    ) -> DidResult:
        """A result whose headline CI and p-value are the normal-approximation Wald ones
        (:func:`toolkit.did.inference.wald_inference`): ``estimate ∓ z·se``; ``p_value`` is
        ``None`` without a finite positive SE (with ``p_from_infinite_se``, 1 for an infinite SE,
        as Sun–Abraham and BJS have always reported it)."""
        low, high, p = wald_inference(estimate, se, alpha, missing_p=None, p_from_infinite_se=p_from_infinite_se)
        return cls(estimate=estimate, se=se, ci_low=low, ci_high=high, p_value=p, **fields)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "estimator": self.estimator,
            "outcome": self.outcome,
            "estimate": _clean(self.estimate),
            "se": _clean(self.se),
            "ci_low": _clean(self.ci_low),
            "ci_high": _clean(self.ci_high),
            "p_value": _clean(self.p_value),
            "n_units": int(self.n_units),
            "n_obs": int(self.n_obs),
            "inference": self.inference,
            "options": _json_safe(self.options),
            "warnings": list(self.warnings),
        }
        for name in ("event_study", "groups", "group_time", "calendar"):
            frame = getattr(self, name)
            if frame is not None:
                out[name] = _records(frame)
        if self.diagnostics:
            out["diagnostics"] = _json_safe(self.diagnostics)
        return out

    def _repr_html_(self) -> str:
        """A compact summary for notebooks: headline, sample, inference, warnings (tables stay
        attributes: ``res.event_study``, ``res.groups`` …)."""
        level = round(100 * (1 - float(self.options.get("alpha", 0.05))))

        def num(x: Any) -> str:
            x = _clean(x)
            return "—" if x is None else f"{x:.4g}"

        rows = [
            ("estimate", f"<b>{num(self.estimate)}</b> (SE {num(self.se)})"),
            (f"{level}% CI", f"[{num(self.ci_low)}, {num(self.ci_high)}]"),
            ("p-value", num(self.p_value)),
            ("sample", f"{self.n_units} units, {self.n_obs} observations"),
        ]
        control = self.options.get("control")
        if control:
            rows.append(("control group", html.escape(str(control))))
        rows.append(("inference", html.escape(self.inference)))
        tables = [n for n in ("event_study", "groups", "group_time", "calendar") if getattr(self, n) is not None]
        if tables:
            rows.append(("tables", ", ".join(f"<code>.{n}</code> ({len(getattr(self, n))} rows)" for n in tables)))
        body = "".join(
            f"<tr><th style='text-align:left;padding-right:1em'>{k}</th><td style='text-align:left'>{v}</td></tr>"
            for k, v in rows
        )
        warn = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        return (
            f"<div><b>{html.escape(estimator_name(self.estimator))}</b> · {html.escape(self.outcome)}"
            f"<table>{body}</table>" + (f"<p>warnings:</p><ul>{warn}</ul>" if warn else "") + "</div>"
        )

    def __repr__(self) -> str:
        return (
            f"DidResult({self.estimator}, {self.outcome}: estimate {num_text(self.estimate)}, SE {num_text(self.se)}, "
            f"{self.n_units} units, {len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''})"
        )

    def to_json(self, **kwargs: Any) -> str:
        # allow_nan=False: a non-finite number that slipped through is an error here, not invalid JSON downstream
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=False, allow_nan=False, **kwargs)
