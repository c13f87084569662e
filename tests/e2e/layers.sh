#!/bin/sh
# layers.sh - scripts/check-layers.sh passes on the tree and catches each
# kind of breach planted in a copy of it: an upward include, a private
# header used from another folder or by a path, a source outside every
# layer folder, a public header without its layer tag.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$HERE/../.." && pwd)
CHECK="$ROOT/scripts/check-layers.sh"

run 0 "the tree keeps the rule" -- sh "$CHECK" "$ROOT"

# fresh: a copy of include/ and src/ to plant one breach in.
fresh() {
    rm -rf "$WORK/tree"
    mkdir -p "$WORK/tree"
    cp -R "$ROOT/include" "$ROOT/src" "$WORK/tree/"
}

fresh
run 0 "the copy keeps the rule" -- sh "$CHECK" "$WORK/tree"

fresh
printf '#include "hc_model.h"\n' >>"$WORK/tree/src/io/date.c"
run 1 "io includes model" -- sh "$CHECK" "$WORK/tree"
grep -q 'src/io/date.c:[0-9]*: a io file includes "hc_model.h" of the later layer model' "$WORK/out" && ok ||
    fail "upward include not named: $(cat "$WORK/out")"

fresh
printf '#include "hc_report.h"\n' >>"$WORK/tree/include/hc_metrics.h"
run 1 "a stats header includes a workflow header" -- sh "$CHECK" "$WORK/tree"
grep -q 'include/hc_metrics.h:[0-9]*: a stats file includes "hc_report.h"' "$WORK/out" && ok ||
    fail "upward header include not named: $(cat "$WORK/out")"

fresh
printf '#include "metrics_ranked.h"\n' >>"$WORK/tree/src/workflow/fit.c"
run 1 "a private header of another folder" -- sh "$CHECK" "$WORK/tree"
grep -q 'src/workflow/fit.c:[0-9]*: includes "metrics_ranked.h", which is not in its folder' "$WORK/out" && ok ||
    fail "foreign private header not named: $(cat "$WORK/out")"

fresh
printf '#include "../stats/metrics_ranked.h"\n' >>"$WORK/tree/src/workflow/fit.c"
run 1 "a private header by a path" -- sh "$CHECK" "$WORK/tree"
grep -q 'by a path' "$WORK/out" && ok || fail "path include not named: $(cat "$WORK/out")"

fresh
printf 'int x;\n' >"$WORK/tree/src/stray.c"
run 1 "a source outside the layers" -- sh "$CHECK" "$WORK/tree"
grep -q 'src/stray.c: a source outside every layer folder' "$WORK/out" && ok ||
    fail "stray source not named: $(cat "$WORK/out")"

fresh
sed -i '1s/(layer: [a-z]*)//' "$WORK/tree/include/hc_sort.h"
run 1 "a header without a layer tag" -- sh "$CHECK" "$WORK/tree"
grep -q "include/hc_sort.h:1: no '(layer: NAME)' tag" "$WORK/out" && ok ||
    fail "untagged header not named: $(cat "$WORK/out")"

finish
