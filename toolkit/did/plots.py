"""Event-study figure: coefficients by event time with confidence bands, reform year marked.

Returns a matplotlib ``Figure``. Labels default to English because this layer must not depend on
the report layer's CJK font registration; pass Chinese labels (xlabel=, ylabel=, title=) or let
the report layer restyle it (fonts, sizes, bilingual labels).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.did.result import DidResult


def plot_event_study(
    result: DidResult | pd.DataFrame,
    *,
    title: str | None = None,
    xlabel: str = "Years relative to reform",
    ylabel: str | None = None,
    band: bool = True,
    ax=None,
):
    """Plot ``event_time`` vs ``estimate`` with ``ci_low``–``ci_high`` bands (shaded and as error
    bars), a zero line, a dashed line at event time −0.5 separating pre- from post-reform periods
    and a marker on the reform year 0. Returns the Figure."""

    import matplotlib.pyplot as plt

    table = result.event_study if isinstance(result, DidResult) else result
    if table is None or len(table) == 0:
        raise ValueError("no event-study table to plot")
    t = table.sort_values("event_time")
    x = t["event_time"].to_numpy(dtype=float)
    y = t["estimate"].to_numpy(dtype=float)
    lo = t["ci_low"].to_numpy(dtype=float)
    hi = t["ci_high"].to_numpy(dtype=float)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4))
    else:
        fig = ax.figure
    ok = np.isfinite(lo) & np.isfinite(hi)
    if band and ok.any():
        ax.fill_between(
            x[ok],
            lo[ok],
            hi[ok],
            alpha=0.2,
            color="C0",
            label="95% CI" if isinstance(result, DidResult) and result.options.get("alpha", 0.05) == 0.05 else "CI",
        )
        ax.errorbar(x[ok], y[ok], yerr=[y[ok] - lo[ok], hi[ok] - y[ok]], fmt="none", ecolor="C0", capsize=3, lw=1)
    ax.plot(x, y, "o-", color="C0", label="estimate")
    ax.axhline(0.0, color="0.3", lw=0.8)
    ax.axvline(-0.5, color="0.5", lw=0.8, ls="--")
    if 0 in set(x):
        ax.plot([0], [y[x == 0][0]], marker="D", color="C3", ms=8, ls="none", label="reform year (0)")
    ax.set_xlabel(xlabel)
    outcome = result.outcome if isinstance(result, DidResult) else None
    ax.set_ylabel(ylabel or (f"effect on {outcome}" if outcome else "effect"))
    ax.set_xticks(x)
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig
