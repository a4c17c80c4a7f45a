"""What a command was asked to work on, checked against the dataset before anything is read further."""

from __future__ import annotations


def select_counties(ds, wanted: str | None, dataset: str) -> list[str]:
    """The dataset's counties (sorted), or only ``wanted``; a county the units table lacks is an error."""
    from toolkit.errors import Problem, ToolkitError

    counties = sorted(ds.tables["units"]["county_id"].astype(str).unique().tolist())
    if wanted is None:
        return counties
    if wanted not in counties:
        raise ToolkitError(
            f"county {wanted} is not in the units table of {dataset}",
            [
                Problem(
                    "units",
                    f"one of {', '.join(counties[:10])}{' …' if len(counties) > 10 else ''}",
                    "county_id",
                    value=wanted,
                )
            ],
        )
    return [wanted]
