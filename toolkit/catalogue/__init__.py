"""The one bilingual catalogue of the sentences and labels people read (Chinese first, English on
request).

Entries live in the YAML files beside this module, one file per area of the product (``report.yaml``
for the report layer's headings and sentences, and so on); every key maps to ``{zh: …, en: …}``.
Keys are unique across all files, both languages are given for every entry and both name the same
``{fields}`` (except an English text that is only ``{text}``: the English sentence of a lower layer,
passed through): the loader refuses anything else, so a missing translation fails the test suite, not a
commission's report.

Code never chooses a language with ``if lang == "zh"``: it asks the catalogue for a key in ``lang``
(:func:`text`), or picks the ``_zh`` / ``_en`` field of a record (:func:`localized`). This module sits
at the bottom of the package (it imports nothing of the toolkit but the error type), so every layer
can use it. The report layer's :func:`toolkit.report.labels.label` adds the indicator registry and the
data contract as further sources of labels.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from toolkit.errors import ToolkitError

#: ``both`` gives ``中文 / English``
LANGS = ("zh", "en", "both")
HERE = Path(__file__).parent
#: an English text that is only this is the English sentence of a lower layer (an estimator's own
#: warning), passed through; its Chinese names its own fields
PASS_THROUGH = "{text}"


class _UniqueKeyLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping (PyYAML keeps the last silently)."""


def _unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    out: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in out:
            raise ToolkitError(
                f"catalogue {Path(node.start_mark.name).name}: key {key!r} given twice "
                f"(line {key_node.start_mark.line + 1}) — expected each key once"
            )
        out[key] = loader.construct_object(value_node, deep=deep)
    return out


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def read_catalogue(folder: Path = HERE) -> dict[str, tuple[str, str]]:
    """key -> (zh, en) from every ``*.yaml`` in ``folder``, checked (unique keys, both languages, the
    same fields in both)."""
    entries: dict[str, tuple[str, str]] = {}
    where: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader) or {}
        for key, entry in data.items():
            if key in entries:
                raise ToolkitError(
                    f"catalogue {path.name}: key {key!r} is also in {where[key]} — expected each key in one file"
                )
            if not isinstance(entry, Mapping) or set(entry) != {"zh", "en"}:
                raise ToolkitError(f"catalogue {path.name}: key {key!r} — expected exactly the fields zh and en")
            zh, en = entry["zh"], entry["en"]
            # English may be empty where it has no word (a Chinese measure word: 张, 个)
            if not (isinstance(zh, str) and isinstance(en, str) and zh.strip()):
                raise ToolkitError(f"catalogue {path.name}: key {key!r} — expected a non-empty zh text and an en text")
            if _fields(zh) != _fields(en) and en != PASS_THROUGH:
                raise ToolkitError(
                    f"catalogue {path.name}: key {key!r} — zh names the fields {sorted(_fields(zh))}, "
                    f"en names {sorted(_fields(en))}; expected the same fields in both"
                )
            entries[key], where[key] = (zh, en), path.name
    return entries


@lru_cache(maxsize=1)
def entries() -> dict[str, tuple[str, str]]:
    """The whole catalogue, read once."""
    return read_catalogue()


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ToolkitError(f"report language {lang!r} is not supported — expected one of {', '.join(LANGS)}")
    return lang


#: the HTML ``lang`` of a page in each report language (a bilingual page is read as Chinese first)
HTML_LANG = {"zh": "zh-CN", "en": "en", "both": "zh-CN"}
#: the language of the words under bilingual headers: a ``both`` workbook or statement has Chinese
#: headers with their English beside them over a Chinese body
BODY_LANG = {"zh": "zh", "en": "en", "both": "zh"}


def html_lang(lang: str) -> str:
    """``zh-CN`` or ``en``, for ``<html lang>`` (:data:`HTML_LANG`)."""
    return HTML_LANG[check_lang(lang)]


def body_lang(lang: str) -> str:
    """``zh`` or ``en``: the language of the text under bilingual headers (:data:`BODY_LANG`)."""
    return BODY_LANG[check_lang(lang)]


def has(key: str) -> bool:
    return key in entries()


def choose(pair: tuple[str, str], lang: str) -> str:
    """The ``lang`` text of a ``(zh, en)`` pair; ``both`` joins them (``中文 / English``) unless equal."""
    check_lang(lang)
    zh, en = pair
    if lang == "both":
        return zh if zh == en else f"{zh} / {en}"
    return en if lang == "en" else zh


def text(key: str, lang: str = "zh", **fields: Any) -> str:
    """The catalogue's text for ``key`` in ``lang``, its ``{fields}`` filled in.

    An unknown key is a programming error (KeyError), never shown to a reader as its id."""
    catalogue = entries()
    if key not in catalogue:
        raise KeyError(f"no entry {key!r} in the catalogue (toolkit/catalogue/*.yaml)")
    if lang == "both":
        zh, en = (t.format(**fields) if fields else t for t in catalogue[key])
        return choose((zh, en), "both")
    template = choose(catalogue[key], lang)
    return template.format(**fields) if fields else template


def localized(record: Any, field: str, lang: str) -> Any:
    """``record[field + "_zh"]`` or ``record[field + "_en"]``: of a dict, or the attribute of a
    dataclass, a table row or a table (a column). ``both`` joins the two texts like :func:`choose`."""
    check_lang(lang)

    def get(suffix: str) -> Any:
        name = f"{field}_{suffix}"
        return record[name] if isinstance(record, Mapping) else getattr(record, name)

    if lang != "both":
        return get(lang)
    zh, en = get("zh"), get("en")
    if isinstance(zh, str):
        return choose((zh, en), "both")
    return [choose((z, e), "both") for z, e in zip(zh, en)]
