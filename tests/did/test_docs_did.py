"""docs/did.md's replications are tests: every ```python block runs, in order, in one namespace,
and its assertions (the published numbers) must hold."""

from __future__ import annotations

import re

from toolkit.paths import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "did.md"


def test_every_python_block_of_docs_did_runs():
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 5  # API import, mpdta, Prop 99, castle-style, Medicaid
    namespace: dict = {}
    for i, code in enumerate(blocks):
        exec(compile(code, f"docs/did.md block {i + 1}", "exec"), namespace)  # noqa: S102
