#!/bin/sh
# run.sh - builds the libFuzzer targets and runs each for SECONDS seconds.
#
#   sh tests/fuzz/run.sh SECONDS [TARGET...]     (TARGET: csv number date ...)
#
# Each target tests/fuzz/fuzz_TARGET.c is built with clang
# -fsanitize=fuzzer,address,undefined from the library sources it needs and
# run on the corpus tests/fuzz/corpus/TARGET/, which is seeded from the
# committed seeds in tests/fuzz/seeds/TARGET/. Crashes are written to
# build/fuzz/artifacts/TARGET/; the script exits non-zero when a target
# finds one. Turn each crash into a regression unit test.
set -u
cd "$(dirname "$0")/../.." || exit 1
SECONDS_EACH=${1:-60}
[ $# -gt 0 ] && shift
TARGETS=${*:-$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')}
CLANG=${CLANG:-clang}
OUT=build/fuzz
if ! command -v "$CLANG" >/dev/null 2>&1; then
    echo "run.sh: clang is needed for libFuzzer (apt-get install clang)" >&2
    exit 1
fi

# Every target links the whole library from source (one list, never stale
# when a file is split or added); the linker keeps what the target uses.
LIB_SOURCES=$(ls src/io/*.c src/data/*.c src/stats/*.c src/model/*.c src/workflow/*.c src/output/*.c)
LIBS="$(pkg-config --cflags --libs gsl jansson) -lcsv -lm -pthread"

status=0
for t in $TARGETS; do
    src="tests/fuzz/fuzz_$t.c"
    [ -f "$src" ] || { echo "run.sh: no target $src" >&2; status=1; continue; }
    mkdir -p "$OUT/artifacts/$t" "tests/fuzz/corpus/$t"
    # shellcheck disable=SC2046
    if ! $CLANG -std=c11 -g -O1 -fno-omit-frame-pointer \
            -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
            -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude \
            -o "$OUT/fuzz_$t" "$src" $LIB_SOURCES $LIBS; then
        echo "run.sh: building fuzz_$t failed" >&2
        status=1
        continue
    fi
    if [ -d "tests/fuzz/seeds/$t" ]; then
        cp -n tests/fuzz/seeds/$t/* "tests/fuzz/corpus/$t/" 2>/dev/null
    fi
    dict=""
    [ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
    echo "fuzz_$t: $SECONDS_EACH s on tests/fuzz/corpus/$t"
    if ! "$OUT/fuzz_$t" -max_total_time="$SECONDS_EACH" -timeout=10 \
            -rss_limit_mb=2048 -print_final_stats=1 $dict \
            -artifact_prefix="$OUT/artifacts/$t/" "tests/fuzz/corpus/$t" \
            >"$OUT/fuzz_$t.log" 2>&1; then
        echo "fuzz_$t: FAILED, see $OUT/fuzz_$t.log and $OUT/artifacts/$t/" >&2
        tail -40 "$OUT/fuzz_$t.log" >&2
        status=1
    else
        grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$OUT/fuzz_$t.log" |
            sed "s/^/fuzz_$t: /"
    fi
done
exit $status
