"""Picking one year's unit_year rows in a fixed unit order (shared by the settlement rules)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.errors import Problem, ValidationError


def year_rows(unit_year: pd.DataFrame, unit_ids: list[str], year: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The unit_year rows of ``year`` in ``unit_ids`` order (missing units → NaN rows) and a mask of who has one."""
    rows = unit_year.loc[unit_year["year"].to_numpy() == year]
    index = pd.Index(rows["unit_id"])
    if not index.is_unique:
        dup = index[index.duplicated()][0]
        raise ValidationError(
            "unit_year has repeated rows; nothing was written.",
            [Problem("unit_year", "one row per unit and year", column="unit_id", value=f"{dup} {year}")],
        )
    pos = index.get_indexer(unit_ids)
    present = pos >= 0
    picked = rows.iloc[np.where(present, pos, 0)] if len(rows) else rows.reindex(range(len(unit_ids)))
    return picked.reset_index(drop=True), present


class UnitYearIndex:
    """Where each (unit, year) of ``unit_year`` sits, for units in ``unit_ids`` order.

    Built once per county; :meth:`column` then returns one year of a column as a float array
    (NaN for a unit without a row) without any further hashing of ids.
    """

    def __init__(self, unit_year: pd.DataFrame, unit_ids: list[str]):
        self.frame = unit_year
        self.unit_ids = list(unit_ids)  # the row order of every column (the county's units, sorted)
        self.n = len(unit_ids)
        u = pd.Index(np.asarray(unit_ids, dtype=object), dtype=object).get_indexer(
            unit_year["unit_id"]
        )  # no Arrow conversion
        keep = u >= 0
        rows = np.flatnonzero(keep)
        years = unit_year["year"].to_numpy(dtype="int64")[keep]
        u = u[keep]
        self.y0 = int(years.min()) if len(years) else 0
        span = int(years.max()) - self.y0 + 1 if len(years) else 0
        flat = u * span + (years - self.y0)
        counts = np.bincount(flat, minlength=self.n * span) if span else np.zeros(0, dtype="int64")
        if (counts > 1).any():
            k = int(np.flatnonzero(counts > 1)[0])
            raise ValidationError(
                "unit_year has repeated rows; nothing was written.",
                [
                    Problem(
                        "unit_year",
                        "one row per unit and year",
                        column="unit_id",
                        value=f"{unit_ids[k // span]} {self.y0 + k % span}",
                    )
                ],
            )
        self.pos = np.full((self.n, span), -1, dtype="int64")
        self.pos[u, years - self.y0] = rows
        self._cache: dict[str, np.ndarray] = {}

    def present(self, year: int) -> np.ndarray:
        j = year - self.y0
        if j < 0 or j >= self.pos.shape[1]:
            return np.zeros(self.n, dtype=bool)
        return self.pos[:, j] >= 0

    def column(self, name: str, year: int) -> np.ndarray:
        if name not in self._cache:
            self._cache[name] = self.frame[name].to_numpy(dtype="float64", na_value=np.nan)
        values = self._cache[name]
        present = self.present(year)
        if not present.any():
            return np.full(self.n, np.nan)
        p = self.pos[:, year - self.y0]
        return np.where(present, values[np.maximum(p, 0)], np.nan)
