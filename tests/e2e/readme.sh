#!/bin/sh
# readme.sh - keeps README.md true: its example config loads and scores, and
# every subcommand it names exists and has --help.
. "$(dirname "$0")/lib.sh"
ROOT="$HERE/../.."

awk '/^```json$/{f=1;next} /^```$/{if(f){exit}} f' "$ROOT/README.md" >"$WORK/readme.json"
[ -s "$WORK/readme.json" ] && ok || fail "README has no json config block"
run 0 "README example config scores the sample" -- $HEALTHCAL predict -c "$WORK/readme.json" \
    -s "$ROOT/datasets/sample/snapshots.csv" -o "$WORK/pred.csv"
[ "$(wc -l <"$WORK/pred.csv")" -gt 1 ] && ok || fail "no predictions from the README config"

for cmd in $(grep -o 'healthcal [a-z]*' "$ROOT/README.md" | awk '{print $2}' | sort -u); do
    case $cmd in
    calibrates|for|is|answers|reads) continue ;;
    esac
    run 0 "healthcal $cmd --help (named in README)" -- $HEALTHCAL "$cmd" --help
done
finish
