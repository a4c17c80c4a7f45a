"""Numbers as commissions write them, and tables with bilingual headers.

* money in 万元 (10,000 yuan) with two decimals and thousands separators: ``1,234.57``;
* percentages with two decimals: ``99.16%`` (input is a fraction, 0.9916);
* counts with thousands separators: ``12,345``.

Rounding is half-up on the decimal value (as a person rounds), not binary float rounding, so
0.125 → ``0.13``. Missing values are shown as ``—``.

``format_table(df, formats, lang)`` returns a new DataFrame of strings whose columns are the
labels in ``lang`` (see :mod:`toolkit.report.labels`); the input is never modified.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from toolkit.report.labels import check_lang, label

MISSING = "—"


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _decimal(value: Any) -> Decimal:
    # repr of a float is the shortest string that round-trips: 0.125 stays 0.125, 2.675 stays 2.675
    return Decimal(repr(float(value))) if not isinstance(value, (int, Decimal)) else Decimal(value)


def fmt_number(value: Any, decimals: int = 2, *, thousands: bool = True) -> str:
    """``1234.565`` → ``1,234.57`` (half-up); missing → ``—``."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "-∞"
    q = Decimal(1).scaleb(-decimals)
    d = _decimal(value).quantize(q, rounding=ROUND_HALF_UP)
    if d == 0:
        d = abs(d)  # no "-0.00"
    return f"{d:,.{decimals}f}" if thousands else f"{d:.{decimals}f}"


def fmt_wan(yuan: Any, decimals: int = 2) -> str:
    """Yuan shown in 万元: ``12_345_678`` → ``1,234.57``."""
    if _is_missing(yuan):
        return MISSING
    return fmt_number(_decimal(yuan) / Decimal(10000), decimals)


def fmt_yuan(yuan: Any, decimals: int = 2) -> str:
    """Yuan with fen: ``1234.5`` → ``1,234.50``."""
    return fmt_number(yuan, decimals)


def fmt_pct(fraction: Any, decimals: int = 2) -> str:
    """A fraction as a percentage: ``0.9916`` → ``99.16%``."""
    if _is_missing(fraction):
        return MISSING
    return fmt_number(_decimal(fraction) * 100, decimals, thousands=False) + "%"


def fmt_pp(fraction: Any, decimals: int = 2) -> str:
    """A change of a fraction in percentage points, signed: ``0.0123`` → ``+1.23``."""
    if _is_missing(fraction):
        return MISSING
    text = fmt_number(_decimal(fraction) * 100, decimals, thousands=False)
    return text if text.startswith("-") or text == fmt_number(0, decimals) else "+" + text


def fmt_int(value: Any) -> str:
    """A count: ``12345`` → ``12,345``."""
    return fmt_number(value, 0)


def fmt_text(value: Any) -> str:
    return MISSING if _is_missing(value) else str(value)


#: format kind -> formatter; kinds name what the number is, not how it looks
FORMATS: dict[str, Callable[[Any], str]] = {
    "wan": fmt_wan,
    "yuan": fmt_yuan,
    "pct": fmt_pct,
    "pp": fmt_pp,
    "int": fmt_int,
    "num2": lambda v: fmt_number(v, 2),
    "num3": lambda v: fmt_number(v, 3),
    "num4": lambda v: fmt_number(v, 4),
    "text": fmt_text,
}


def format_value(value: Any, kind: str) -> str:
    try:
        return FORMATS[kind](value)
    except KeyError:
        raise ValueError(f"unknown number format {kind!r}; known: {sorted(FORMATS)}") from None


#: registry units whose values are fractions shown as percentages
PERCENT_UNITS = ("fraction", "probability")


def unit_text(unit: str | None, lang: str = "zh") -> str:
    """The registry unit as a reader reads it: ``%`` for shares, ``人次/百名参保人``, ``元``, ``天``."""
    if not unit:
        return ""
    if unit in PERCENT_UNITS:
        return label(f"unit_short_{unit}", lang)
    return label(f"unit_{unit}", lang)


def fmt_indicator(value: Any, unit: str | None, *, lang: str | None = None) -> str:
    """An indicator value in its registry unit: shares as ``71.34%``, yuan whole, the rest with two
    decimals; ``lang`` set: units other than % written after the number (``12.71 人次/百名参保人``)."""
    if unit in PERCENT_UNITS:
        return fmt_pct(value)
    text = fmt_yuan(value, 0) if unit == "yuan" else fmt_number(value, 2)
    if lang is None or text == MISSING or not unit:
        return text
    return f"{text} {unit_text(unit, lang)}"


def fmt_indicator_change(delta: Any, unit: str | None, lang: str = "zh", *, signed: bool = True) -> str:
    """A change of an indicator: shares in percentage points (``-2.05 个百分点``), the rest in their
    own decimals (``-0.29``); ``signed=False`` gives the size only (for 上升/下降 sentences)."""
    if _is_missing(delta):
        return MISSING
    value = delta if signed else abs(float(delta))
    if unit in PERCENT_UNITS:
        text = fmt_pp(value) if signed else fmt_number(_decimal(value) * 100, 2, thousands=False)
        return f"{text} {label('percentage_points', lang)}"
    text = fmt_number(value, 0 if unit == "yuan" else 2)
    return "+" + text if signed and not text.startswith("-") and float(value) != 0 else text


def format_table(
    df: pd.DataFrame,
    formats: Mapping[str, str] | None = None,
    lang: str = "zh",
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Strings for people: each column formatted by its kind, headers labelled in ``lang``.

    ``formats`` maps column -> kind (see :data:`FORMATS`); columns not named are guessed: integer
    dtype → ``int``, float → ``num2``, else ``text``. ``labels`` overrides header labels.
    """
    check_lang(lang)
    formats = dict(formats or {})
    labels = dict(labels or {})
    out = {}
    for col in df.columns:
        kind = formats.get(col) or _guess_kind(str(col), df[col])
        header = labels.get(col) or label(str(col), lang)
        out[header] = [format_value(v, kind) for v in df[col].tolist()]
    return pd.DataFrame(out, index=pd.RangeIndex(len(df)))


def _guess_kind(name: str, series: pd.Series) -> str:
    # years and ids are names, not quantities: no thousands separator
    if name in ("year", "quarter", "event_time", "cohort", "rank") or name.endswith("_id"):
        return "text"
    if pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "num2"
    return "text"


#: tables up to this many rows are kept on one printed page
KEEP_WHOLE_ROWS = 30
#: tables with more columns than this print in a smaller type
WIDE_COLUMNS = 8


#: sorts a ``table.sortable`` by the clicked header: numbers as numbers, the rest as text (zh collation);
#: a row of class ``toolkit-pinned`` (a median or total row) stays last
SORT_SCRIPT = """<script>
document.querySelectorAll("table.sortable").forEach(function(t){
  if(t.dataset.sortReady)return;t.dataset.sortReady="1";
  t.querySelectorAll("th.sortable").forEach(function(th,i){
    th.style.cursor="pointer";
    th.addEventListener("click",function(){
      var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows),asc=th.dataset.asc!=="1";
      th.dataset.asc=asc?"1":"0";
      var pinned=rows.filter(function(r){return r.classList.contains("toolkit-pinned");});
      rows=rows.filter(function(r){return !r.classList.contains("toolkit-pinned");});
      var key=function(r){var s=r.cells[i].textContent.replace(/[,%]/g,"").trim(),n=parseFloat(s);return isNaN(n)?s:n;};
      rows.sort(function(a,b){var x=key(a),y=key(b);
        var c=(typeof x==="number"&&typeof y==="number")?x-y:String(x).localeCompare(String(y),"zh");
        return asc?c:-c;});
      rows.concat(pinned).forEach(function(r){body.appendChild(r);});
    });
  });
});
</script>"""


def to_html(
    table: pd.DataFrame,
    caption: str | None = None,
    footnote: str | None = None,
    source: str | None = None,
    *,
    sortable: bool = False,
    pinned_last: int = 0,
) -> str:
    """A plain, stable HTML table (no pandas styler ids), right-aligned numbers; ``source`` (资料来源 and
    data year) under it; ``sortable``: headers sort the rows on a click, the last ``pinned_last`` rows
    (a median row) staying last."""
    import html

    # a short table prints whole (toolkit.report.print_css); a long one breaks between rows, header repeated
    keep = " toolkit-keep" if len(table) <= KEEP_WHOLE_ROWS else ""
    # many columns print in a smaller type so the table fits the A4 width
    wide = " toolkit-wide" if len(table.columns) > WIDE_COLUMNS else ""
    sort = " sortable" if sortable else ""
    th_class = ' class="sortable"' if sortable else ""
    parts = [f'<table class="toolkit-table{keep}{wide}{sort}" style="border-collapse:collapse">']
    if caption:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    parts.append(
        "<thead><tr>"
        + "".join(
            f'<th{th_class} style="text-align:left;padding:2px 8px;border-bottom:1px solid #999">'
            f"{html.escape(str(c))}</th>"
            for c in table.columns
        )
        + "</tr></thead>"
    )
    parts.append("<tbody>")
    first_pinned = len(table) - pinned_last
    for n, row in enumerate(table.itertuples(index=False)):
        cells = []
        for v in row:
            text = html.escape(str(v))
            numeric = text[:1].isdigit() or text[:1] in "-+<—" or text.endswith("%")
            align = "right" if numeric else "left"
            # short labels (county names) must not wrap one character per line in narrow columns
            wrap = "white-space:nowrap;" if len(str(v)) <= 12 else ""
            cells.append(f'<td style="text-align:{align};padding:2px 8px;{wrap}">{text}</td>')
        tr = '<tr class="toolkit-pinned">' if n >= first_pinned else "<tr>"
        parts.append(tr + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    if footnote:
        parts.append(f'<p style="font-size:smaller">{html.escape(footnote)}</p>')
    if source:
        parts.append(f'<p class="toolkit-source">{html.escape(source)}</p>')
    if sortable:
        parts.append(SORT_SCRIPT)
    return "\n".join(parts)


class HtmlTable:
    """Displays as the HTML table in a notebook (``_repr_html_``) and as text elsewhere."""

    def __init__(
        self,
        table: pd.DataFrame,
        caption: str | None = None,
        footnote: str | None = None,
        source: str | None = None,
        *,
        sortable: bool = False,
        pinned_last: int = 0,
    ):
        self.table = table
        self.caption = caption
        self.footnote = footnote
        self.source = source  # 资料来源 and data year, printed under the table
        self.sortable = sortable
        self.pinned_last = pinned_last

    def _repr_html_(self) -> str:
        return to_html(
            self.table, self.caption, self.footnote, self.source, sortable=self.sortable, pinned_last=self.pinned_last
        )

    def __repr__(self) -> str:
        text = self.table.to_string(index=False)
        head = f"{self.caption}\n" if self.caption else ""
        tail = f"\n{self.footnote}" if self.footnote else ""
        return head + text + tail
