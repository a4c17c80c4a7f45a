"""Bilingual (Chinese / English) labels for everything a report shows to people.

Lookup order for a key: the catalogue (:mod:`toolkit.catalogue`: headings, column names and
sentences, in ``toolkit/catalogue/*.yaml``), then the indicator registry (:mod:`toolkit.indicators.registry`, when present),
then the data contract (:mod:`toolkit.data.contract`, when present). An unknown key falls back to
the key itself, so a new column never breaks a report — it only shows its snake_case id.

``lang`` is ``"zh"`` or ``"en"``; ``"both"`` gives ``"中文 / English"``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from toolkit.catalogue import LANGS, check_lang, choose, entries, has, text

__all__ = ["LANGS", "Lang", "check_lang", "has", "heading", "label", "message"]

Lang = Literal["zh", "en", "both"]


@lru_cache(maxsize=1)
def _peer_labels() -> dict[str, tuple[str, str]]:
    """key -> (zh, en) from the indicator registry and the data contract, read once.

    Indicators win over contract columns; the first contract table naming a column wins.
    """
    out: dict[str, tuple[str, str]] = {}
    from toolkit.data.contract import TABLES
    from toolkit.indicators.registry import load_registry

    for table in TABLES.values():
        for col in table.columns:
            out.setdefault(col.name, (col.label_zh, col.label_en))
    for table in TABLES.values():  # a column named like a table (deaths) keeps the column label
        out.setdefault(table.name, (table.label_zh, table.label_en))
    for ind in load_registry():
        out[ind.id] = (ind.name_zh, ind.name_en)
    return out


def label(key: str, lang: str = "zh") -> str:
    """The label of ``key`` for people, in ``lang`` (``zh``, ``en`` or ``both``)."""
    check_lang(lang)
    pair = entries().get(key) or _peer_labels().get(key)
    return choose(pair, lang) if pair else key


def message(key: str, lang: str = "zh", **fields) -> str:
    """A sentence of the catalogue in ``lang``, its ``{fields}`` filled in (:func:`toolkit.catalogue.text`)."""
    return text(key, lang, **fields)


def heading(key: str, lang: str = "zh", level: int = 2) -> str:
    """A Markdown heading for a report section (``## 监测指标与目标``)."""
    return f"{'#' * level} {label(key, lang)}"
