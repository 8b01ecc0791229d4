"""The two shell scripts of Gradescope's autograder package, as templates.

``{{NAME}}`` placeholders are filled in by `autograder.gradescope.build`.
Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once
(as root) to build the image, copies ``run_autograder`` to
``/autograder/run_autograder`` and runs it for every submission.
"""

__all__ = ["RUN_AUTOGRADER", "SETUP_SH"]

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, to build the autograder image: it installs
# Python and ai4md with the versions in constraints.txt, then grades the untouched
# stubs once, so that a broken image fails here rather than at every submission.
# Written by `ai4md gradescope build` ({{HEADER}}).
set -euo pipefail
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${AUTOGRADER_ROOT:-/autograder}"
WANT="{{PYTHON}}"

usable() {  # a Python at least as new as $WANT, with venv and ensurepip
    command -v "$1" > /dev/null 2>&1 && "$1" -c "import sys, venv, ensurepip
sys.exit(sys.version_info[:2] < tuple(map(int, '$WANT'.split('.'))))" > /dev/null 2>&1
}

find_python() {
    for candidate in "python$WANT" python3; do
        if usable "$candidate"; then echo "$candidate"; return 0; fi
    done
    return 1
}

PY="$(find_python || true)"
if [ -z "$PY" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "python$WANT" "python$WANT-venv" ||
        apt-get install -y --no-install-recommends python3 python3-venv python3-pip
    PY="$(find_python || true)"
fi
if [ -z "$PY" ]; then
    echo "setup.sh: found no Python >= $WANT with venv; choose a newer base image" >&2
    exit 1
fi

"$PY" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --upgrade pip
"$ROOT/venv/bin/python" -m pip install --constraint "$SOURCE/constraints.txt" \
    "$SOURCE"{{EXTRA}}

# Smoke test: the stubs score zero (exit 1, results written); a crash, a grader
# failure (exit 4) or missing results mean a broken install. It also leaves
# Python's bytecode and any compiled Numba kernel in the image.
mkdir -p "$ROOT/numba_cache"
cd "$SOURCE"
status=0
rm -f "$ROOT/setup_results.json"
NUMBA_CACHE_DIR="$ROOT/numba_cache" MPLBACKEND=Agg "$ROOT/venv/bin/python" \
    -m autograder grade{{SELECTORS}} --target "$SOURCE/exercises" \
    --json "$ROOT/setup_results.json" > "$ROOT/setup_grade.log" 2>&1 || status=$?
if [ "$status" -gt 1 ] || [ ! -s "$ROOT/setup_results.json" ]; then
    cat "$ROOT/setup_grade.log" >&2
    echo "setup.sh: grading the untouched stubs failed (exit $status; expected 1" \
        "and $ROOT/setup_results.json)" >&2
    exit 1
fi
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission: it grades $ROOT/submission into
# $ROOT/results/results.json (ROOT is /autograder unless AUTOGRADER_ROOT says
# otherwise; AI4MD_PYTHON picks the Python, for tests).
# Written by `ai4md gradescope build` ({{HEADER}}).
set -u
ROOT="${AUTOGRADER_ROOT:-/autograder}"
RESULTS="$ROOT/results/results.json"
if [ -n "${AI4MD_PYTHON:-}" ]; then
    PY="$AI4MD_PYTHON"
elif [ -x "$ROOT/venv/bin/python" ]; then
    PY="$ROOT/venv/bin/python"
else
    PY=python3
fi
export NUMBA_CACHE_DIR="${NUMBA_CACHE_DIR:-$ROOT/numba_cache}"
export MPLBACKEND=Agg
mkdir -p "$ROOT/results"
rm -f "$RESULTS"
cd "$ROOT/source" || exit 1

"$PY" -m autograder.gradescope run --root "$ROOT" {{ARGS}}
status=$?
if [ ! -s "$RESULTS" ]; then  # fail closed: every exercise 0, maximum scores kept
    echo "run_autograder: the grader exited with status $status and no results" >&2
    cp "$ROOT/source/fallback_results.json" "$RESULTS"
fi
exit 0
"""
