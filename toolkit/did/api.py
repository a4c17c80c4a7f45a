"""One entry point for every DiD estimator: ``estimate(data, estimator=..., ...) -> DidResult``.

The evaluation of the reform's claimed outcomes (seed 000 §4.1; rules.md §6) goes through here.

Estimators (R ``did`` vocabulary for the columns):

========  ==================================================  ==============================
name      what                                                module
========  ==================================================  ==============================
twfe      static TWFE, post × treated, unit + year FE          toolkit.did.twfe
event     event-study TWFE, leads/lags, pre-trend test         toolkit.did.event_study
bacon     TWFE + Goodman–Bacon decomposition                   toolkit.did.bacon
cs        Callaway & Sant'Anna (2021)                          toolkit.did.staggered
sa        Sun & Abraham (2021) interaction-weighted            toolkit.did.sun_abraham
bjs       Borusyak, Jaravel & Spiess (2024) imputation         toolkit.did.imputation
sdid      synthetic DiD (Arkhangelsky et al. 2021)             toolkit.did.synthetic
========  ==================================================  ==============================

The staggered / synthetic estimators are imported lazily; if a module is absent the call fails
with ``ToolkitError("estimator ... not available")``. Options not accepted by the chosen
estimator are an error (never silently ignored).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from toolkit.did.result import DidResult
from toolkit.errors import ToolkitError

#: estimator -> (module, function)
ESTIMATORS: dict[str, tuple[str, str]] = {
    "twfe": ("toolkit.did.twfe", "twfe"),
    "event": ("toolkit.did.event_study", "event_study"),
    "bacon": ("toolkit.did.bacon", "bacon_result"),
    "cs": ("toolkit.did.staggered", "callaway_santanna"),
    "sa": ("toolkit.did.sun_abraham", "sun_abraham"),
    "bjs": ("toolkit.did.imputation", "bjs_imputation"),
    "sdid": ("toolkit.did.synthetic", "synthetic_did"),
}


def _load(estimator: str) -> Callable[..., DidResult]:
    if estimator not in ESTIMATORS:
        raise ToolkitError(f"unknown estimator '{estimator}'; expected one of {', '.join(ESTIMATORS)}")
    module_name, func_name = ESTIMATORS[estimator]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise ToolkitError(
                f"estimator '{estimator}' not available (module {module_name} is not installed)"
            ) from exc
        raise
    func = getattr(module, func_name, None)
    if func is None:
        raise ToolkitError(f"estimator '{estimator}' not available ({module_name}.{func_name} is missing)")
    return func


def estimate(
    data: pd.DataFrame,
    *,
    yname: str,
    idname: str,
    tname: str,
    gname: str,
    estimator: str = "twfe",
    control: str | None = None,
    covariates: Sequence[str] | str = (),
    cluster: str | None = None,
    alpha: float = 0.05,
    **options: Any,
) -> DidResult:
    """Run ``estimator`` on a long panel and return its :class:`DidResult`.

    ``control`` is ``"never"`` (never-treated units only) or ``"notyet"`` (not-yet-treated too);
    ``None`` (default) is the estimator's own comparison: ``"never"`` for twfe, event, bacon, cs,
    sa and sdid, ``"notyet"`` for bjs (its model is fitted on every untreated observation).
    TWFE-type estimators use never-treated and not-yet-treated units implicitly (that is the
    regression); for them ``control="never"`` additionally requires never-treated units to exist,
    and ``"notyet"`` is accepted as the regression's own comparison. An estimator that does not
    define the comparison asked for refuses it (sa: ``"notyet"``; bjs: ``"never"``; sdid:
    ``"notyet"``) — never silently ignored.

    ``always_treated="drop"`` drops units already treated in the first period (no pre-period; R
    ``did``'s choice) with a note in ``warnings``; the default ``"error"`` refuses them, naming them.

    ``options`` go to the estimator (e.g. ``vcov="CR2"``, ``bootstrap="wild"``,
    ``boot_weights="webb"``, ``leads=4``, ``est_method="reg"``, ``ref=-5``). ``weights`` always
    means sampling (population) weights — a column name — taken by twfe, event and sa (WLS, CR1), cs (constant per unit, R did), bjs
    (weighted imputation, Stata did_imputation aweights) and an error for sdid and bacon, which have no
    weighted version (R synthdid, bacondecomp).
    """

    always_treated = options.pop("always_treated", "error")
    if always_treated not in ("error", "drop"):
        raise ToolkitError(f"always_treated must be 'error' or 'drop', got {always_treated!r}")
    note = None
    if always_treated == "drop":
        data, note = _drop_always_treated(data, idname, tname, gname)
    if control not in (None, "never", "notyet"):
        raise ToolkitError(f"control must be 'never' or 'notyet', got '{control}'")
    if isinstance(covariates, str):
        covariates = tuple(c.strip() for c in covariates.split(",") if c.strip())
    func = _load(estimator)
    params = inspect.signature(func).parameters
    kwargs: dict[str, Any] = {}
    if "weights" in options and "weights" not in params:
        raise ToolkitError(
            f"estimator '{estimator}' does not take sampling weights (weights={options['weights']!r}); "
            "estimate unweighted or use an estimator that does"
            + ("; the wild bootstrap's weight distribution is boot_weights=" if estimator == "twfe" else "")
        )
    given = {"control": control, "covariates": tuple(covariates), "cluster": cluster, "alpha": alpha}
    for name, value in given.items():
        if name == "control" and value is None:
            continue  # the estimator's own default
        if name in params:
            kwargs[name] = value
        elif name == "control" and value != "never" and estimator not in ("twfe", "event", "bacon"):
            raise ToolkitError(
                f"estimator '{estimator}' compares with never-treated units only; control={value!r} is not defined for it"
            )
        elif name == "covariates" and value:
            raise ToolkitError(f"estimator '{estimator}' does not take covariates")
        elif name == "cluster" and value not in (None, idname):
            raise ToolkitError(f"estimator '{estimator}' does not take a cluster column")
    unknown = sorted(set(options) - set(params))
    if unknown:
        raise ToolkitError(
            f"estimator '{estimator}' does not accept option(s) {unknown}; it accepts {sorted(p for p in params if p not in ('data', 'yname', 'idname', 'tname', 'gname', 'panel'))}"
        )
    kwargs.update(options)

    result = _run(func, estimator, data, yname, idname, tname, gname, control, covariates, cluster, kwargs)
    if note:
        result.warnings.insert(0, note)
        result.options["always_treated"] = "drop"
    return result


def _drop_always_treated(data: pd.DataFrame, idname: str, tname: str, gname: str) -> tuple[pd.DataFrame, str | None]:
    """Units treated in the first period observed have no pre-period: drop them, say so (R did)."""
    if not isinstance(data, pd.DataFrame):
        return data, None  # prepare_panel says what it needs
    for col in (idname, tname, gname):
        if col not in data.columns:
            return data, None  # prepare_panel names the missing column
    g = pd.to_numeric(data[gname], errors="coerce").fillna(0)
    t_min = pd.to_numeric(data[tname], errors="coerce").min()
    always = (g > 0) & (g <= t_min)
    if not always.any():
        return data, None
    units = data.loc[always, idname].nunique()
    cohorts = sorted(int(c) for c in g[always].unique())
    note = (
        f"dropped {units} unit{'s' if units != 1 else ''} already treated in the first period {int(t_min)} "
        f"(cohort{'s' if len(cohorts) > 1 else ''} {cohorts}): no pre-period to compare with (always_treated='drop')"
    )
    return data.loc[~always.to_numpy()], note


def _run(func, estimator, data, yname, idname, tname, gname, control, covariates, cluster, kwargs) -> DidResult:
    from toolkit.did.panel import regression_panel

    if estimator in ("twfe", "event", "bacon"):
        panel = regression_panel(
            data, yname, idname, tname, gname, covariates=covariates, cluster=cluster, weights=kwargs.get("weights")
        )
        if control in (None, "never"):
            panel.require_never_treated("--control never")
        return func(
            panel,
            yname=yname,
            idname=idname,
            tname=tname,
            gname=gname,
            **{k: v for k, v in kwargs.items() if k != "control"},
        )
    return func(data, yname, idname, tname, gname, **kwargs)
