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
        raise ValidationError("unit_year has repeated rows; nothing was written.",
                              [Problem("unit_year", "one row per unit and year", column="unit_id", value=f"{dup} {year}")])
    pos = index.get_indexer(unit_ids)
    present = pos >= 0
    picked = rows.iloc[np.where(present, pos, 0)] if len(rows) else rows.reindex(range(len(unit_ids)))
    return picked.reset_index(drop=True), present
