"""Checking and normalising a unit × time panel for every DiD estimator.

Callers name the columns with R ``did``'s vocabulary (Callaway & Sant'Anna's package):
``yname`` (outcome), ``idname`` (unit), ``tname`` (time, integer years), ``gname`` (first
treated period; ``0`` or empty = never treated). :func:`prepare_panel` validates everything once
and returns a :class:`Panel` with canonical columns so estimators do not repeat the checks.

Decisions (documented because tools differ):

* **Never treated** is ``gname`` equal to 0 or missing (R ``did``: 0; Stata ``csdid``: 0/missing).
* **Cohort with no pre-period** (``g <= min(t)``, "always treated"): R ``did`` drops these units
  with a warning. Here the default is an **error** naming the cohort and its units, because a
  county that is treated in every observed year cannot inform a DiD and silently changing the
  sample hides that. ``always_treated="drop"`` reproduces R ``did`` (drop + warning).
* **Cohort after the last period** (``g > max(t)``): kept; such units are untreated throughout
  the data. A warning says so (R ``did`` treats them as not-yet-treated controls too).
* **Missing outcome values**: rows are dropped with a warning (counted), then balance is checked.
* **Non-finite values** (±inf) of the outcome or a covariate are an error naming the rows: no
  estimator can use them, and letting them through gave NaN estimates without a word.
* **Duplicated (unit, time)** rows and a **cohort that varies within a unit** are errors.

Rows in error messages are 1-based data rows as a person counts them in the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from toolkit.data.contract import Column, SameWithin, Table
from toolkit.data.load import check_frame
from toolkit.errors import Problem, ToolkitError, ValidationError

TABLE = "panel"

#: canonical column names inside :attr:`Panel.data`
Y, UNIT, TIME, COHORT = "y", "unit", "time", "cohort"
Y_COL = Y


@dataclass
class Panel:
    """A validated panel, rows sorted by (unit, time).

    ``data`` columns: ``y`` (float), ``unit`` (original ids, any dtype), ``time`` (int64),
    ``cohort`` (int64, 0 = never treated), ``unit_code`` / ``time_code`` (0-based int64 codes in
    sorted order), ``treated`` (0/1: ``cohort > 0 and time >= cohort``), ``rel_time``
    (``time - cohort``; NaN for never treated), ``row`` (1-based row in the caller's data), and one
    float column per covariate under its own name.
    """

    data: pd.DataFrame
    yname: str
    idname: str
    tname: str
    gname: str
    covariates: tuple[str, ...]
    units: np.ndarray  # sorted unit ids (index = unit_code)
    times: np.ndarray  # sorted time values (index = time_code)
    balanced: bool
    warnings: list[str] = field(default_factory=list)
    dropped_units: tuple[Any, ...] = ()

    @property
    def n_obs(self) -> int:
        return int(len(self.data))

    @property
    def n_units(self) -> int:
        return int(len(self.units))

    @property
    def n_times(self) -> int:
        return int(len(self.times))

    @property
    def unit_cohort(self) -> pd.Series:
        """Cohort per unit (index = unit id, sorted)."""
        return self.data.groupby(UNIT, sort=True)[COHORT].first()

    @property
    def cohorts(self) -> list[int]:
        """Treated cohorts (first treated period), sorted; never-treated (0) excluded."""
        return sorted(int(g) for g in self.data[COHORT].unique() if g > 0)

    @property
    def n_never_treated(self) -> int:
        return int((self.unit_cohort == 0).sum())

    @property
    def n_treated_units(self) -> int:
        return int((self.unit_cohort > 0).sum())

    def wide(self) -> tuple[np.ndarray, np.ndarray]:
        """Outcome as a units × periods array (NaN where unobserved) and each unit's cohort, with
        cohorts after the last period set to 0 (never treated within the data)."""
        d = self.data
        u, t = d["unit_code"].to_numpy(), d["time_code"].to_numpy()
        Y = np.full((self.n_units, self.n_times), np.nan)
        Y[u, t] = d[Y_COL].to_numpy(dtype=float)
        G = np.zeros(self.n_units, dtype=np.int64)
        G[u] = d[COHORT].to_numpy()
        G[G > self.times[-1]] = 0
        return Y, G

    def require_never_treated(self, what: str = "--control never") -> None:
        if self.n_never_treated == 0:
            raise ToolkitError(
                f"{what} needs never-treated units, but every unit in column '{self.gname}' has a "
                f"first-treatment period (cohorts {self.cohorts}); use the not-yet-treated control "
                "group or add never-treated units (gname 0 or empty)."
            )

    def require_balanced(self, what: str = "this estimator") -> None:
        if not self.balanced:
            raise _unbalanced_error(self.data, self.idname, self.times, what)


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """0-based codes in sorted order of the ids, and the sorted ids (mixed types: by their text)."""
    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError:
        text = values.astype(str)
        codes, uniques_text = pd.factorize(text, sort=True)
        first = _first_per_group(np.arange(len(values)), codes)
        uniques = values.to_numpy()[first]
    return np.asarray(codes, dtype="int64"), np.asarray(uniques)


def _first_per_group(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Value at each group's first row (fancy assignment keeps the last write, so go backwards)."""
    out = np.empty(int(codes.max()) + 1 if len(codes) else 0, dtype=np.asarray(values).dtype)
    out[codes[::-1]] = np.asarray(values)[::-1]
    return out


def _unbalanced_error(data: pd.DataFrame, idname: str, times: np.ndarray, what: str) -> ToolkitError:
    counts = data.groupby(UNIT, sort=True)[TIME].nunique()
    short = counts[counts < len(times)]
    examples = []
    for unit in short.index[:5]:
        have = set(data.loc[data[UNIT] == unit, TIME].tolist())
        missing = [int(t) for t in times if t not in have]
        examples.append(f"{unit!r} lacks {missing[:6]}{'…' if len(missing) > 6 else ''}")
    n_units = data[UNIT].nunique()
    n_missing = n_units * len(times) - len(data)
    return ToolkitError(
        f"{what} needs a balanced panel (every unit observed in all {len(times)} periods "
        f"{int(times[0])}–{int(times[-1])}), but {n_missing} of {n_units * len(times)} unit-periods are missing: "
        f"{len(short)} of {n_units} units in column '{idname}' are not observed in every period: " + "; ".join(examples)
    )


def panel_table(yname: str, idname: str, tname: str, gname: str, covariates: Sequence[str] = ()) -> Table:
    """The panel's rules, declared as a contract table and checked by the contract engine.

    Every estimator's input: a unit id in every row, integer periods, a first treated period that
    is a whole number ≥ 0 or empty (never treated) and the same within a unit, numeric outcome and
    covariates (finite; empty = dropped with a warning), one row per (unit, period).
    """
    columns = {
        idname: Column(idname, "id", "单位", f"unit ({idname})"),
        tname: Column(tname, "int", "时期", f"time period ({tname})"),
        gname: Column(
            gname,
            "int",
            "首次处理期",
            f"first treated period ({gname}; 0 or empty = never treated)",
            nullable=True,
            min=0,
        ),
        yname: Column(yname, "number", "结果变量", f"outcome ({yname})", nullable=True),
    }
    for c in covariates:
        columns.setdefault(c, Column(c, "number", "协变量", f"covariate ({c})", nullable=True))
    return Table(
        TABLE,
        "面板",
        "panel",
        columns=tuple(columns.values()),
        key=(idname, tname),
        same_within=(SameWithin(gname, (idname,), "a unit is first treated in one period"),),
    )


def prepare_panel(
    data: pd.DataFrame,
    yname: str,
    idname: str,
    tname: str,
    gname: str,
    *,
    require_balanced: bool = False,
    covariates: Sequence[str] | str = (),
    always_treated: str = "error",
    extra_columns: Iterable[str] = (),
) -> Panel:
    """Validate ``data`` as a unit × time panel and return a :class:`Panel`.

    Raises :class:`~toolkit.errors.ToolkitError` (or ``ValidationError``) naming the column,
    rows and value for: missing columns, non-numeric outcome/time/cohort/covariates, time not
    integer, cohort varying within a unit, duplicated (unit, time), a cohort with no pre-period
    (unless ``always_treated="drop"``), an unbalanced panel when ``require_balanced``, and an
    empty panel. ``extra_columns`` (e.g. a cluster column) are checked for presence and carried.
    """
    if isinstance(covariates, str):
        covariates = tuple(c.strip() for c in covariates.split(",") if c.strip())
    covariates = tuple(covariates)
    extra_columns = tuple(c for c in extra_columns if c not in (yname, idname, tname, gname, *covariates))
    if always_treated not in ("error", "drop"):
        raise ValueError("always_treated must be 'error' or 'drop'")
    if not isinstance(data, pd.DataFrame):
        raise ToolkitError(f"the panel must be a pandas DataFrame, got {type(data).__name__}")

    table = panel_table(yname, idname, tname, gname, covariates)
    carried = [c for c in extra_columns if c not in data.columns]
    typed, problems = check_frame(data[[c.name for c in table.columns if c.name in data.columns]], table, final=False)
    problems += [
        Problem(TABLE, f"a column '{c}' (carried with the panel)", column=c, value="column missing") for c in carried
    ]
    if problems:
        raise ValidationError.from_problems(problems, what="the panel")
    if len(data) == 0:
        raise ToolkitError("the panel is empty: no rows to estimate from")

    frame = data.reset_index(drop=True)
    out = pd.DataFrame(
        {
            Y: typed[yname].to_numpy(dtype="float64", na_value=np.nan),
            UNIT: frame[idname].to_numpy(),
            TIME: typed[tname].to_numpy(dtype="int64"),
            COHORT: typed[gname].fillna(0).to_numpy(dtype="int64"),
            "row": np.arange(1, len(frame) + 1),
        }
    )
    for c in covariates:
        out[c] = typed[c].to_numpy(dtype="float64", na_value=np.nan)
    for c in extra_columns:
        out[c] = frame[c].to_numpy()
    ucode, uvals = _codes(out[UNIT])
    tcode, tvals = _codes(out[TIME])
    n_rows_checked = len(out)

    warnings: list[str] = []
    # missing outcomes / covariates: drop rows, say so
    missing_y = out[Y].isna()
    for c in covariates:
        missing_y = missing_y | out[c].isna()
    if missing_y.any():
        n = int(missing_y.sum())
        warnings.append(
            f"dropped {n} row{'s' if n != 1 else ''} with a missing outcome or covariate "
            f"(first at data row {int(out.loc[missing_y, 'row'].iloc[0])})"
        )
        out = out[~missing_y].reset_index(drop=True)
        if out.empty:
            raise ToolkitError(f"the panel has no rows with an outcome in column '{yname}'")

    t_min, t_max = int(out[TIME].min()), int(out[TIME].max())
    dropped_units: tuple[Any, ...] = ()
    always = (out[COHORT] > 0) & (out[COHORT] <= t_min)
    if always.any():
        bad_cohorts = sorted(int(g) for g in out.loc[always, COHORT].unique())
        bad_units = pd.unique(out.loc[always, UNIT])
        if always_treated == "error":
            raise ValidationError.from_problems(
                [
                    Problem(
                        TABLE,
                        f"a first-treatment period after the first period observed ({t_min}); cohort "
                        f"{g} has no pre-treatment period (units {', '.join(map(repr, pd.unique(out.loc[out[COHORT] == g, UNIT])[:5]))}…)",
                        column=gname,
                        rows=tuple(int(r) for r in out.loc[out[COHORT] == g, "row"].iloc[:20]),
                        value=g,
                    )
                    for g in bad_cohorts
                ],
                what="the panel (cohort with no pre-period)",
            )
        dropped_units = tuple(bad_units.tolist())
        warnings.append(
            f"dropped {len(bad_units)} unit{'s' if len(bad_units) != 1 else ''} already treated in the first period "
            f"{t_min} (cohort{'s' if len(bad_cohorts) > 1 else ''} {bad_cohorts}): no pre-period"
        )
        out = out[~always].reset_index(drop=True)
        if out.empty:
            raise ToolkitError("every unit was treated in the first period; nothing left to compare")

    late = sorted(int(g) for g in out[COHORT].unique() if g > t_max)
    if late:
        warnings.append(
            f"cohort{'s' if len(late) > 1 else ''} {late} first treated after the last period {t_max}: untreated throughout the data"
        )

    if len(out) == n_rows_checked:  # nothing dropped: the codes computed above still hold
        units, times = uvals, tvals
    else:
        ucode, units = _codes(out[UNIT])
        tcode, times = _codes(out[TIME])
    key = ucode * len(times) + tcode
    if not np.all(key[1:] > key[:-1]):  # not already sorted by (unit, time)
        order = np.argsort(key, kind="stable")
        out = out.iloc[order].reset_index(drop=True)
        ucode, tcode = ucode[order], tcode[order]
    out["unit_code"] = ucode.astype("int64")
    out["time_code"] = tcode.astype("int64")
    out["treated"] = ((out[COHORT] > 0) & (out[TIME] >= out[COHORT])).astype("int64")
    out["rel_time"] = np.where(out[COHORT] > 0, out[TIME] - out[COHORT], np.nan)

    balanced = len(out) == len(units) * len(times)
    panel = Panel(
        data=out,
        yname=yname,
        idname=idname,
        tname=tname,
        gname=gname,
        covariates=covariates,
        units=units,
        times=times,
        balanced=bool(balanced),
        warnings=warnings,
        dropped_units=dropped_units,
    )
    if require_balanced:
        panel.require_balanced()
    return panel


def regression_panel(
    data: pd.DataFrame | Panel,
    yname: str,
    idname: str,
    tname: str,
    gname: str,
    *,
    covariates: Sequence[str] | str = (),
    cluster: str | None = None,
    weights: str | None = None,
) -> Panel:
    """``data`` as the :class:`Panel` of a regression estimator (TWFE, event study, Goodman–Bacon): a
    Panel passes through; a frame is checked by :func:`prepare_panel`, carrying the cluster and weight
    columns."""
    if isinstance(data, Panel):
        return data
    extra = [c for c in (cluster, weights) if c and c != idname]
    return prepare_panel(data, yname, idname, tname, gname, covariates=covariates, extra_columns=extra)
