# lib.sh - helpers for the end-to-end tests (sourced; POSIX sh).
# $HEALTHCAL is the command under test (may include a valgrind prefix).
set -u
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
DATA="$HERE/data"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hc-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FAILS=0
CHECKS=0

fail() {
    echo "FAIL: $*"
    FAILS=$((FAILS + 1))
}

ok() {
    CHECKS=$((CHECKS + 1))
}

# run CODE DESCRIPTION -- command...: runs the command (stdout to $WORK/out,
# stderr to $WORK/err) and checks the exit code.
run() {
    want=$1
    what=$2
    shift 3
    "$@" >"$WORK/out" 2>"$WORK/err"
    got=$?
    if [ "$got" != "$want" ]; then
        fail "$what: exit $got, expected $want"
        sed 's/^/    stderr: /' "$WORK/err" | head -5
    else
        ok
    fi
}

# expect_err TEXT DESCRIPTION: stderr of the last run contains TEXT.
expect_err() {
    if grep -qF -- "$1" "$WORK/err"; then ok; else
        fail "$2: stderr lacks '$1'"
        sed 's/^/    stderr: /' "$WORK/err" | head -5
    fi
}

# same_file EXPECTED ACTUAL DESCRIPTION
same_file() {
    if diff -u "$1" "$2" >"$WORK/diff"; then ok; else
        fail "$3: output differs from $1"
        head -20 "$WORK/diff"
    fi
}

finish() {
    echo "$CHECKS checks, $FAILS failures"
    [ "$FAILS" = 0 ]
}
