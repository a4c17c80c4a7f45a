"""Year selections as people type them on the command line, for every command that takes ``--years``."""

from __future__ import annotations

from collections.abc import Sequence

from toolkit.errors import ToolkitError

EXAMPLES = "e.g. 2019-2024, 2019,2021, all or latest"


def parse_years(text: str, available: Sequence[int] = ()) -> list[int]:
    """``"2019-2024"`` (or ``2019–2024``), ``"2019,2021"``, ``"2024"``, ``"all"`` or ``"latest"`` → sorted
    distinct years. With ``available`` (the dataset's years) ``all``/``latest`` resolve against it and a
    year outside it is an error."""
    text = str(text).strip().replace("–", "-")
    if text in ("all", "latest"):
        if not available:
            raise ToolkitError(f"--years {text}: the dataset lists no years — give them explicitly, e.g. 2019-2024")
        return sorted(set(available)) if text == "all" else [max(available)]
    years: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        try:
            if "-" in part:
                lo, hi = (int(x) for x in part.split("-", 1))
                if lo > hi:
                    raise ValueError
                years.update(range(lo, hi + 1))
            elif part:
                years.add(int(part))
        except ValueError:
            raise ToolkitError(
                f"--years: {part!r} is not a year or range (start ≤ end) — expected {EXAMPLES}"
            ) from None
    if not years:
        raise ToolkitError("--years: no year given — expected e.g. 2019-2024")
    unknown = sorted(years - set(available)) if available else []
    if unknown:
        raise ToolkitError(
            f"--years: {', '.join(map(str, unknown))} not in the dataset — it has {min(available)}–{max(available)}"
        )
    return sorted(years)
