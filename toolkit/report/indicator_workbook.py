"""``indicators.xlsx`` as a commission opens and prints it: Chinese sheet names and headers, county
names beside their codes, each value in its indicator's format — shares as 80.09%, counts as
107,543, yuan with two decimals — the unit spelled out, an autofilter, A4 landscape fitted to the
page width with the header row repeated (:class:`toolkit.report.excel.SheetLayout`).

The formats follow the registry's unit of each indicator (``toolkit/indicators/registry.yaml``):
a share or probability is stored as the fraction and shown with ``0.00%``; numerators and
denominators are counts or yuan and shown with thousands separators.

Each county row also says how to read the value: the registry's direction (越高越好 / 越低越好), the
province median of the indicator that year, whether the county is 优于 / 劣于 / 等于 it (in the
indicator's direction, equal when both show the same in the sheet's format) and its rank among the
counties with a value (名次, 1 = 最优; ties share the better rank), with the number of counties ranked.
The comparison is over ``peers`` (default: the counties of the table itself), so a table of a few
selected counties can still be compared with the whole province.
"""

from __future__ import annotations

import pandas as pd

from toolkit.report.excel import Sheet, SheetLayout
from toolkit.report.labels import label
from toolkit.report.tables import fmt_number, fmt_pct

#: registry unit -> (Excel kind of the value, its bounds; kind of numerator and denominator)
UNIT_KINDS: dict[str, tuple[str, str]] = {
    "fraction": ("pct", "int"),
    "probability": ("pct", "int"),
    "per_100_insured": ("num2", "int"),
    "yuan": ("yuan", "yuan"),
    "days": ("num2", "int"),
}
VALUE_COLUMNS = ("value", "lower", "upper", "province_median")
PART_COLUMNS = ("numerator", "denominator")
#: the comparison columns of a county row, after the numbers of the indicator
COMPARISON_COLUMNS = ("province_median", "vs_median", "rank", "n_ranked")
KEYS = ["indicator", "year"]


def _shown(value: float, kind: str) -> str:
    """``value`` as the sheet shows it in ``kind`` (the test of 等于: the same shown number)."""
    return fmt_pct(value) if kind == "pct" else fmt_number(value, 4 if kind == "num4" else 2)


def comparison(tidy: pd.DataFrame, peers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per row of ``tidy`` (county_id, year, indicator, value): the median of ``peers`` (default
    ``tidy``) for the indicator and year, ``better`` / ``worse`` / ``equal`` against it in the
    indicator's direction, the rank (1 + the peers strictly better) and the number of peers with a
    value. Rows without a value get none of these."""
    from toolkit.indicators.registry import registry_by_id

    by_id = registry_by_id()
    peers = tidy if peers is None else peers
    have = peers.loc[peers["value"].notna(), ["county_id", "year", "indicator", "value"]]
    have = have.drop_duplicates(["county_id", "year", "indicator"])
    groups = {key: g["value"].to_numpy(dtype=float) for key, g in have.groupby(KEYS, sort=False)}
    rows = []
    for iid, year, value in zip(tidy["indicator"], tidy["year"], tidy["value"]):
        values = groups.get((iid, year))
        if pd.isna(value) or values is None or not len(values):
            rows.append({"province_median": None, "vs_median": None, "rank": None, "n_ranked": None})
            continue
        value, median = float(value), float(pd.Series(values).median())
        higher = by_id[iid].direction == "higher_is_better"
        kind = UNIT_KINDS.get(by_id[iid].unit, ("num4", "num2"))[0]
        if _shown(value, kind) == _shown(median, kind):
            relation = "equal"
        else:
            relation = "better" if (value > median) == higher else "worse"
        better = (values > value) if higher else (values < value)
        rows.append(
            {
                "province_median": median,
                "vs_median": label(f"vs_median_{relation}", "zh"),
                "rank": int(better.sum()) + 1,
                "n_ranked": len(values),
            }
        )
    out = pd.DataFrame(rows, index=tidy.index, columns=list(COMPARISON_COLUMNS))
    out["province_median"] = out["province_median"].astype(float)
    for column in ("rank", "n_ranked"):  # whole numbers, empty where the row has no value
        out[column] = out[column].astype("Int64")
    return out


def _frame(
    tidy: pd.DataFrame, county_names: dict[str, str], peers: pd.DataFrame | None = None, compare: bool = True
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    from toolkit.indicators.registry import registry_by_id

    by_id = registry_by_id()
    out = tidy.copy()
    out.insert(out.columns.get_loc("county_id") + 1, "county_name", out["county_id"].map(county_names))
    at = out.columns.get_loc("indicator") + 1
    out.insert(at, "indicator_name", out["indicator"].map(lambda i: by_id[i].name_zh))
    units = out["indicator"].map(lambda i: by_id[i].unit)
    out.insert(at + 1, "unit", units.map(lambda u: label(f"unit_{u}", "zh")))
    directions = out["indicator"].map(lambda i: label(f"direction_{by_id[i].direction}", "zh"))
    out.insert(at + 2, "direction", directions)
    if compare:
        # after the indicator's own numbers, before the note of a row that cannot be computed
        at = out.columns.get_loc("note") if "note" in out.columns else len(out.columns)
        compared = comparison(tidy, peers)
        for k, column in enumerate(COMPARISON_COLUMNS):
            out.insert(at + k, column, compared[column])
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
    indicators: pd.DataFrame,
    unit_indicators: pd.DataFrame | None,
    county_names: dict[str, str],
    registry: pd.DataFrame,
    peers: pd.DataFrame | None = None,
) -> list[Sheet]:
    """The sheets of ``indicators.xlsx``: 县级指标 (each row with direction, province median, 优于 /
    劣于 and rank among ``peers``, default the table's counties), 单元指标 (when given; unit and
    direction), 指标说明."""
    layout = SheetLayout(id_columns=3)  # code, name, year stay in view and on every printed page
    frame, formats = _frame(indicators, county_names, peers)
    headers = {"rank": label("rank_best_first", "zh"), "n_ranked": label("workbook_n_ranked", "zh")}
    sheets = [
        Sheet(
            "县级指标",
            frame,
            formats={"rank": "int_plain", "n_ranked": "int_plain", "vs_median": "text"},
            labels=headers,
            row_formats=formats,
            layout=layout,
        )
    ]
    if unit_indicators is not None and len(unit_indicators):
        frame, formats = _frame(unit_indicators, county_names, compare=False)
        sheets.append(Sheet("单元指标", frame, row_formats=formats, layout=SheetLayout(id_columns=4)))
    sheets.append(Sheet("指标说明", registry, layout=SheetLayout(id_columns=1)))
    return sheets
