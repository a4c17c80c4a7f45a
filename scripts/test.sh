#!/usr/bin/env bash
# Run the whole test suite (unit, property, estimator-parity and notebook tests).
# Usage: ./scripts/test.sh [extra pytest args]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
python -m pytest -n 2 "$@"
