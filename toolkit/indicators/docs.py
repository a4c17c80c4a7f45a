"""Write docs/indicators.md from the registry: ``python -m toolkit.indicators.docs``.

The page is generated, never written by hand; tests/indicators/test_registry.py fails when it is
out of date with toolkit/indicators/registry.yaml.
"""

from __future__ import annotations

from toolkit.indicators.registry import render_markdown
from toolkit.io import write_text
from toolkit.paths import PROJECT_ROOT

DOCS_PAGE = PROJECT_ROOT / "docs" / "indicators.md"


def main() -> int:
    write_text(DOCS_PAGE, render_markdown())
    print(f"wrote {DOCS_PAGE.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
