"""``indicators.xlsx`` as a commission opens and prints it: Chinese sheet names and headers, county
names beside their codes, each value in its indicator's format — shares as 80.09%, counts as
107,543, yuan with two decimals — the unit spelled out, an autofilter, A4 landscape fitted to the
page width with the header row repeated (:class:`toolkit.report.excel.SheetLayout`).

The formats follow the registry's unit of each indicator (``toolkit/indicators/registry.yaml``):
a share or probability is stored as the fraction and shown with ``0.00%``; numerators and
denominators are counts or yuan and shown with thousands separators.
"""

from __future__ import annotations

import pandas as pd

from toolkit.report.excel import Sheet, SheetLayout
from toolkit.report.labels import label

#: registry unit -> (Excel kind of the value, its bounds; kind of numerator and denominator)
UNIT_KINDS: dict[str, tuple[str, str]] = {
    "fraction": ("pct", "int"),
    "probability": ("pct", "int"),
    "per_100_insured": ("num2", "int"),
    "yuan": ("yuan", "yuan"),
    "days": ("num2", "int"),
}
VALUE_COLUMNS = ("value", "lower", "upper")
PART_COLUMNS = ("numerator", "denominator")


def _frame(tidy: pd.DataFrame, county_names: dict[str, str]) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    from toolkit.indicators.registry import registry_by_id

    by_id = registry_by_id()
    out = tidy.copy()
    out.insert(out.columns.get_loc("county_id") + 1, "county_name", out["county_id"].map(county_names))
    at = out.columns.get_loc("indicator") + 1
    out.insert(at, "indicator_name", out["indicator"].map(lambda i: by_id[i].name_zh))
    units = out["indicator"].map(lambda i: by_id[i].unit)
    out.insert(at + 1, "unit", units.map(lambda u: label(f"unit_{u}", "zh")))
    kinds = [UNIT_KINDS.get(u, ("num4", "num2")) for u in units]
    row_formats = {c: [k[0] for k in kinds] for c in VALUE_COLUMNS if c in out.columns}
    row_formats.update({c: [k[1] for k in kinds] for c in PART_COLUMNS if c in out.columns})
    return out, row_formats


def registry_frame() -> pd.DataFrame:
    """The registry as a table: id, names, unit, direction, source, targets (the 指标说明 sheet)."""
    import pandas as pd

    from toolkit.indicators.registry import load_registry

    return pd.DataFrame(
        [
            {
                "indicator": i.id,
                "name_zh": i.name_zh,
                "name_en": i.name_en,
                "unit": label(f"unit_{i.unit}", "zh"),
                "direction": label(f"direction_{i.direction}", "zh"),
                "computable": label("yes" if i.computable else "no", "zh"),
                "number": i.number or "",
                "note": i.note or "",
                "source": str(i.source),
                "targets": "; ".join(f"{t.value:g} ({t.source})" for t in i.targets),
            }
            for i in load_registry()
        ]
    )


def indicator_sheets(
    indicators: pd.DataFrame, unit_indicators: pd.DataFrame | None, county_names: dict[str, str], registry: pd.DataFrame
) -> list[Sheet]:
    """The sheets of ``indicators.xlsx``: 县级指标, 单元指标 (when given), 指标说明."""
    layout = SheetLayout(id_columns=3)  # code, name, year stay in view and on every printed page
    frame, formats = _frame(indicators, county_names)
    sheets = [Sheet("县级指标", frame, row_formats=formats, layout=layout)]
    if unit_indicators is not None and len(unit_indicators):
        frame, formats = _frame(unit_indicators, county_names)
        sheets.append(Sheet("单元指标", frame, row_formats=formats, layout=SheetLayout(id_columns=4)))
    sheets.append(Sheet("指标说明", registry, layout=SheetLayout(id_columns=1)))
    return sheets
