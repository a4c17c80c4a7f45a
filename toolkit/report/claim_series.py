"""Series a stated figure may name that come from the settlement, as tidy indicator rows.

``big_package_savings`` (the claims check's :data:`~toolkit.indicators.claims_check.SERIES`): the
county's big-package savings of each year, budget − actual summed over its units (rules.md §2,
seed 000 §3.1; :func:`toolkit.settlement.series.savings_by_year`) — behind "包干资金自2017年起连续7年
结余" (seed 000 §4.1). A year is settled when the parameters are in force and the data has its
``baseline_years`` earlier years; other years are left out, so a streak over them is reported as
not checkable.
"""

from __future__ import annotations

import pandas as pd

TIDY = ["county_id", "year", "indicator", "value"]


def savings_rows(tables: dict[str, pd.DataFrame], county_id: str, years, params_dir=None) -> pd.DataFrame:
    """Tidy rows (county_id, year, indicator ``big_package_savings``, value = savings in yuan)."""
    from toolkit.settlement.series import savings_by_year, tidy_savings

    return tidy_savings(savings_by_year(tables, county_id, years, params_dir))


def with_settlement_series(values: pd.DataFrame, tables, claims, params_dir=None) -> pd.DataFrame:
    """``values`` plus the settlement series rows of every county and period the claims name."""
    from toolkit.indicators.claims_check import SERIES

    wanted: dict[str, set[int]] = {}
    for c in claims:
        if c.indicator in SERIES and c.county:
            wanted.setdefault(c.county, set()).update(range(c.start, c.end + 1))
    if not wanted or not all(t in tables for t in ("units", "unit_year")):
        return values
    extra = [savings_rows(tables, county, years, params_dir) for county, years in sorted(wanted.items())]
    return pd.concat([values[TIDY], *extra], ignore_index=True)
