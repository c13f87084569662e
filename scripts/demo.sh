#!/bin/sh
# demo.sh - `make demo`: the quarterly report on the bundled sample (datasets/sample/) into reports/demo/.
#
# 400 accounts x 78 weekly snapshots: validate the hand-set config, fit the
# tuned one, backtest both, recommend thresholds, score today's accounts,
# draw the plots and write the HTML and Markdown report, in a few seconds.
set -eu
cd "$(dirname "$0")/.."
BIN=${HEALTHCAL_BIN:-./build/healthcal}
if [ ! -x "$BIN" ]; then
    echo "demo: $BIN is not built; run 'make' first" >&2
    exit 1
fi
S=datasets/sample
page=$("$BIN" report --quiet --snapshots "$S/snapshots.csv" --events "$S/events.csv" \
    --config "$S/current.json" -o reports/demo/)
echo "The quarterly report on $S is ready:"
echo "  $page"
echo "  (summary as Markdown: reports/demo/summary.md; tuned config: reports/demo/tuned.json)"
