#!/usr/bin/env bash
# The main job, end to end on the built-in synthetic province:
# generate the sample data, validate it, settle, compute indicators, evaluate the reform,
# and render every report into reports/. Usage: ./scripts/run_sample.sh [extra args for `toolkit main`]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
python -m toolkit main "$@"
