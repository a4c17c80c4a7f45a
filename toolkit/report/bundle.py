"""Several report items shown as one notebook output (HTML with figures inlined as PNG).

A section function returns a :class:`Bundle`; the notebook cell's last expression displays it.
HTML is self-contained (figures as base64 ``<img>``), so nbconvert's HTMLExporter renders it as is;
the plain-text form is a short, stable summary used by nbval's output checks.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable
from typing import Any


def item_html(item: Any) -> str:
    if item is None:
        return ""
    if hasattr(item, "_repr_html_"):
        return item._repr_html_()
    if hasattr(item, "_repr_png_"):
        png = item._repr_png_()
        data = base64.b64encode(png[0] if isinstance(png, tuple) else png).decode("ascii")
        alt = html.escape(getattr(item, "alt", "") or "")
        return f'<img src="data:image/png;base64,{data}" alt="{alt}" style="max-width:100%"/>'
    if hasattr(item, "_repr_markdown_"):
        return markdown_html(item._repr_markdown_())
    return f"<p>{html.escape(str(item))}</p>"


def markdown_html(text: str) -> str:
    """The small Markdown subset our generated text uses: headings, bullets, **bold**, paragraphs."""
    import re

    out, items = [], []

    def inline(s: str) -> str:
        return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(s))

    def flush():
        if items:
            out.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in text.splitlines():
        if line.startswith("- "):
            items.append(line[2:])
            continue
        flush()
        m = re.match(r"^(#{1,6}) (.*)$", line)
        if m:
            n = len(m.group(1))
            out.append(f"<h{n}>{inline(m.group(2))}</h{n}>")
        elif line.strip():
            out.append(f"<p>{inline(line)}</p>")
    flush()
    return "\n".join(out)


class Bundle:
    """Items displayed together; ``summary`` is the plain-text form (stable across runs)."""

    def __init__(self, items: Iterable[Any], summary: str = ""):
        self.items = [i for i in items if i is not None]
        self.summary = summary

    def _repr_html_(self) -> str:
        return "\n".join(item_html(i) for i in self.items)

    def __repr__(self) -> str:
        return self.summary or f"<{len(self.items)} report items>"
