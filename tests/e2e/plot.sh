#!/bin/sh
# plot.sh - `healthcal plot` on hand-made plot data: valid SVG and PNG, no command injection.
. "$(dirname "$0")/lib.sh"

# The temporary files of gnuplot runs must all be gone at the end.
export TMPDIR="$WORK/tmp"
mkdir -p "$TMPDIR"
D="$WORK/data"
OUT="$WORK/plots"  # ($WORK/out is where run() keeps stdout)
CANARY="$WORK/CANARY"
mkdir -p "$D"

# ---- plot data, one file per plot family (the report's data/ contract) ----
# Config names from data include shell and gnuplot command syntax and HTML.
EVIL1="\`touch $CANARY.1\`"
EVIL2="system(\"touch $CANARY.2\")"
EVIL3='<script>alert(1)</script>'
EVIL4="x'; system('touch $CANARY.4'); print '"
csvq() { printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"; }
Q1=$(csvq "$EVIL1"); Q2=$(csvq "$EVIL2"); Q3=$(csvq "$EVIL3"); Q4=$(csvq "$EVIL4")

{
    echo "config,bin,p_mean,observed,n,ci_low,ci_high"
    for c in current tuned "$Q1"; do
        echo "$c,0,0.01,0.012,400,0.005,0.029"
        echo "$c,1,0.03,0.027,300,0.014,0.052"
        echo "$c,2,0.06,0.07,200,0.042,0.114"
        echo "$c,3,0.12,0.10,100,0.055,0.174"
        echo "$c,4,0.20,NA,0,NA,NA"
    done
} >"$D/reliability.csv"
{
    echo "config,bin_low,bin_high,count"
    for c in current tuned; do
        echo "$c,0,0.05,700"; echo "$c,0.05,0.1,200"; echo "$c,0.1,0.15,100"
    done
} >"$D/prediction_hist.csv"
{
    echo "config,fpr,tpr"
    for c in current "$Q2" "$Q3" "$Q4"; do
        echo "$c,0,0"; echo "$c,0.1,0.4"; echo "$c,0.4,0.8"; echo "$c,1,1"
    done
} >"$D/roc.csv"
{
    echo "config,recall,precision"
    for c in current tuned; do
        echo "$c,0,1"; echo "$c,0.5,0.3"; echo "$c,1,0.05"
    done
} >"$D/pr.csv"
{
    echo "config,share_flagged,capture,lift"
    for c in current tuned; do
        echo "$c,0,0,"; echo "$c,0.1,0.35,3.5"; echo "$c,0.5,0.8,1.6"; echo "$c,1,1,1"
    done
} >"$D/gains.csv"
{
    echo "config,fold,test_start,band,accounts,churn_rate,arr_latest"
    for c in current tuned; do
        f=1
        for d in 2024-01-01 2024-02-01 2024-03-01; do
            echo "$c,$f,$d,red,50,0.2,250000"
            echo "$c,$f,$d,$Q3,100,0.05,900000"
            echo "$c,$f,$d,green,300,0.01,4000000"
            f=$((f + 1))
        done
    done
} >"$D/bands_over_time.csv"
printf 'band,accounts,arr,expected_churned_arr\nred,50,250000,50000\n%s,100,900000,45000\ngreen,300,4000000,40000\n' "$Q1" >"$D/band_arr.csv"
{
    echo "config,outcome,bin_low,bin_high,count,share"
    for c in current tuned; do
        for b in 0 20 40 60 80; do
            echo "$c,churned,$b,$((b + 20)),$((100 - b)),0.$((9 - b / 10))"
            echo "$c,retained,$b,$((b + 20)),$((b + 10)),0.$((1 + b / 10))"
        done
    done
} >"$D/score_distribution.csv"
printf 'component,old_weight,new_weight,ci_low,ci_high\nusage,0.4,0.5,0.4,0.6\n%s,0.3,0.2,0.1,0.3\n%s,0.3,0.3,,\n' "$Q2" "$Q4" >"$D/weights.csv"
{
    echo "threshold,share_flagged,recall,precision,arr_recall"
    for t in 0 10 20 30 40 50 60 70 80 90 100; do
        echo "$t,0.$((t / 11)),0.$((t / 12 + 1)),0.$((9 - t / 12)),0.$((t / 12))"
    done
} >"$D/thresholds.csv"
printf 'band,min\nred,0\n%s,40\ngreen,70\n' "$Q3" >"$D/cutpoints.csv"
{
    echo "fold,config,test_start,test_end,n,positives,roc_auc,pr_auc,brier,log_loss,ece"
    f=1
    for d in 2024-01-01 2024-02-01 2024-03-01; do
        echo "$f,current,$d,2024-12-31,1000,40,0.70,0.20,0.045,0.17,0.02"
        echo "$f,$Q1,$d,2024-12-31,1000,40,0.75,0.25,0.043,0.16,0.01"
        f=$((f + 1))
    done
} >"$D/folds.csv"

PLOTS="reliability roc pr gains bands_over_time band_arr score_distribution weights thresholds folds"

# png_size FILE: prints "WIDTH HEIGHT" from the IHDR chunk (bytes 16..23).
png_size() {
    od -An -tu1 -j16 -N8 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'
}
is_png() {
    [ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = 89504e470d0a1a0a ]
}

if command -v gnuplot >/dev/null 2>&1; then
    run 0 "plot all" -- $HEALTHCAL plot --from "$D" -o "$OUT" --script
    for p in $PLOTS; do
        [ -s "$OUT/$p.svg" ] && ok || fail "$p.svg was not drawn"
        grep -q "^drawn *$p " "$WORK/out" && ok || fail "$p not reported as drawn"
        if command -v xmllint >/dev/null 2>&1; then
            xmllint --noout "$OUT/$p.svg" 2>"$WORK/xml" && ok \
                || { fail "$p.svg is not well-formed XML"; head -3 "$WORK/xml"; }
        fi
        is_png "$OUT/$p.png" && ok || fail "$p.png lacks the PNG signature"
        [ "$(png_size "$OUT/$p.png")" = "800 500" ] && ok \
            || fail "$p.png is $(png_size "$OUT/$p.png"), expected 800 500"
    done
    command -v xmllint >/dev/null 2>&1 || echo "note: xmllint not installed; SVG not parsed"

    # injection: nothing ran, and the names are shown, escaped for XML
    for k in 1 2 4; do
        [ ! -e "$CANARY.$k" ] && ok || fail "canary $k was created: a data string ran a command"
    done
    grep -q '<script' "$OUT"/*.svg && fail "raw <script> in an SVG" || ok
    grep -qF '&lt;script>alert(1)&lt;/script>' "$OUT/roc.svg" && ok || fail "roc.svg lacks the escaped <script> name"
    grep -qF "system(\"touch $CANARY.2\")" "$OUT/roc.svg" && ok || fail "roc.svg lacks the system(...) name as text"
    grep -qF "$EVIL4" "$OUT/roc.svg" && ok || fail "roc.svg lacks the quoted name as text"
    grep -qF "\`touch $CANARY.1\`" "$OUT/band_arr.svg" && ok || fail "band_arr.svg lacks the backquoted name as text"
    grep -qF '&lt;script>' "$OUT/thresholds.svg" && ok || fail "thresholds.svg lacks the escaped cut-point name"

    # no temporary file is left in the output or in TMPDIR
    [ "$(ls -A "$OUT" | grep -c tmp)" = 0 ] && ok || fail "temporary file left in the output directory"
    [ -z "$(ls -A "$TMPDIR")" ] && ok || fail "temporary file left in TMPDIR: $(ls -A "$TMPDIR")"

    # ---- one palette: Okabe & Ito (2008), plus neutral greys and white ----
    # every colour in every figure's commands (--script writes them)
    for p in $PLOTS; do
        [ -s "$OUT/$p.gp" ] && ok || fail "--script wrote no $p.gp"
    done
    bad=$(cat "$OUT"/*.gp | grep -o "rgb '#[0-9A-Fa-f]\{6\}'" | tr 'a-f' 'A-F' | sort -u |
        grep -v -e "'#000000'" -e "'#E69F00'" -e "'#56B4E9'" -e "'#009E73'" -e "'#F0E442'" \
            -e "'#0072B2'" -e "'#D55E00'" -e "'#CC79A7'" -e "'#888888'" -e "'#444444'" \
            -e "'#BBBBBB'" -e "'#DDDDDD'")
    [ -z "$bad" ] && ok || fail "colours outside the Okabe-Ito palette and greys: $bad"
    grep -q "^set linetype 1 lc rgb '#0072B2'" "$OUT/roc.gp" && ok || fail "series 1 is not Okabe-Ito blue"
    grep -q "^set linetype 2 lc rgb '#E69F00'" "$OUT/roc.gp" && ok || fail "series 2 is not Okabe-Ito orange"
    # bands named red and green: vermillion and bluish green, in every config
    grep -q "lc rgb '#D55E00'" "$OUT/bands_over_time.gp" && ok || fail "red band not vermillion"
    grep -q "lc rgb '#009E73'" "$OUT/bands_over_time.gp" && ok || fail "green band not bluish green"
    # SVG that scales: a viewBox, no fixed width or height, 14 px text at 800 px
    for p in reliability roc bands_over_time; do
        sed -n '2,6p' "$OUT/$p.svg" | grep -q 'viewBox="0 0 800 500"' && ok || fail "$p.svg has no viewBox"
        [ "$(sed -n '2,6p' "$OUT/$p.svg" | grep -c -e ' width=' -e ' height=')" = 0 ] && ok \
            || fail "$p.svg has a fixed width or height"
        grep -q 'font-size="14.00"' "$OUT/$p.svg" && ok || fail "$p.svg text is not 14 px"
    done

    # ---- the reliability diagram zooms to where the predictions are ----
    # Every bin's mean prediction and observed rate is below 0.05; one
    # sparse bin's interval reaches 0.17 and 10 predictions lie in
    # [0.19, 0.2). The axes end at hc_pl_nice_upper(0.045): 0.045 x 1.05 =
    # 0.04725, in steps of 0.005 -> 0.05, not at 0.2; drawn in percent: 5.
    # The 50 predictions of each config at or above 5% (of 5550: 0.9%) are
    # said under the axis.
    Z="$WORK/zoom"
    mkdir -p "$Z"
    {
        echo "config,bin,p_mean,observed,n,ci_low,ci_high"
        for c in current tuned; do
            echo "$c,1,0.004,0.005,2000,0.002,0.009"
            echo "$c,2,0.012,0.010,2000,0.006,0.016"
            echo "$c,3,0.030,0.034,1000,0.025,0.046"
            echo "$c,4,0.045,0.040,50,0.011,0.17"
        done
    } >"$Z/reliability.csv"
    {
        echo "config,bin_low,bin_high,count"
        for c in current tuned; do
            echo "$c,0,0.01,3000"; echo "$c,0.01,0.02,1500"; echo "$c,0.02,0.05,1000"
            echo "$c,0.05,0.1,40"; echo "$c,0.19,0.2,10"
        done
    } >"$Z/prediction_hist.csv"
    run 0 "plot a zoomed reliability diagram" -- $HEALTHCAL plot --from "$Z" -o "$Z/out" --script
    G="$Z/out/reliability.gp"
    [ "$(grep -c '^set xrange \[0:5\]$' "$G")" = 2 ] && ok || fail "reliability x axis not [0:5] (%) in both panels: $(grep xrange "$G")"
    grep -q '^set yrange \[0:5\]$' "$G" && ok || fail "reliability y axis not [0:5] (%)"
    grep -q "^set xlabel 'mean predicted churn probability (% of snapshots)" "$G" && ok || fail "reliability x axis without its unit"
    sed -n 's/^set xrange \[[^:]*:\([^]]*\)\]$/\1/p' "$G" | awk '$1 + 0 >= 20 || $1 == "" { bad = 1 } END { exit NR == 0 || bad }' && ok \
        || fail "reliability x axis reaches 20% with every prediction below 5%"
    grep -q "50 predictions (0.9%) above 5% not shown" "$G" && ok || fail "predictions past the edge not said"
    grep -q "50 predictions (0.9%) above 5% are off the right edge" "$WORK/err" && ok || fail "predictions past the edge not noted"
    grep -q '^set logscale' "$G" && fail "log axes for one decade and a half" || ok
    # Bins from 0.0002 to 0.12 (2.8 decades): log axes from 1e-4 to 1, drawn
    # in percent: 0.01 to 100.
    {
        echo "config,bin,p_mean,observed,n,ci_low,ci_high"
        for c in current tuned; do
            echo "$c,1,0.0002,0.0004,5000,0.0001,0.0012"
            echo "$c,2,0.001,0.0008,5000,0.0003,0.002"
            echo "$c,3,0.005,0.006,3000,0.004,0.009"
            echo "$c,4,0.03,0.025,1000,0.017,0.036"
            echo "$c,5,0.12,0.0,100,0,0.037"
        done
    } >"$Z/reliability.csv"
    run 0 "plot a reliability diagram over decades" -- $HEALTHCAL plot --from "$Z" -o "$Z/log" --script
    G="$Z/log/reliability.gp"
    grep -q '^set logscale x 10$' "$G" && grep -q '^set logscale y 10$' "$G" && ok || fail "no log axes over 2.8 decades"
    grep -q '^set xrange \[0.01:100\]$' "$G" && ok || fail "log x axis not [0.01:100] (%): $(grep xrange "$G")"
    grep -q "span 2.8 decades" "$WORK/err" && ok || fail "log axes not noted"
    [ -s "$Z/log/reliability.svg" ] && [ -s "$Z/log/reliability.png" ] && ok || fail "log reliability not drawn"

    # --format svg draws no PNG; a report directory's data/ is found
    mkdir -p "$WORK/report"
    cp -r "$D" "$WORK/report/data"
    run 0 "plot --format svg from a report directory" -- $HEALTHCAL plot --from "$WORK/report" -o "$WORK/svgonly" --format svg
    [ -s "$WORK/svgonly/roc.svg" ] && [ ! -e "$WORK/svgonly/roc.png" ] && ok || fail "--format svg"

    # only some files: the rest are skipped and say why
    mkdir -p "$WORK/some"
    cp "$D/roc.csv" "$WORK/some/"
    run 0 "plot with one data file" -- $HEALTHCAL plot --from "$WORK/some" -o "$WORK/someout"
    grep -q "^skipped *folds *folds.csv is not in the data directory" "$WORK/out" && ok || fail "skip reason for folds"
    [ "$(ls "$WORK/someout" | wc -l)" = 2 ] && ok || fail "exactly roc.svg and roc.png expected"

    # bad data: named by file, line and column; the other plots still drawn
    mkdir -p "$WORK/bad"
    cp "$D/roc.csv" "$WORK/bad/"
    printf 'config,recall,precision\ncurrent,0.5,abc\n' >"$WORK/bad/pr.csv"
    run 2 "plot with a bad data file" -- $HEALTHCAL plot --from "$WORK/bad" -o "$WORK/badout"
    expect_err "pr.csv:2:3" "bad cell located"
    [ -s "$WORK/badout/roc.svg" ] && [ ! -e "$WORK/badout/pr.svg" ] && ok || fail "good plots drawn, bad one not"

    # a hung gnuplot is stopped by --timeout
    mkdir -p "$WORK/hang"
    printf '#!/bin/sh\nexec sleep 30\n' >"$WORK/hang/gnuplot"
    chmod +x "$WORK/hang/gnuplot"
    run 4 "hung gnuplot" -- $HEALTHCAL plot --from "$WORK/some" -o "$WORK/hangout" --gnuplot "$WORK/hang/gnuplot" --timeout 0.5
    expect_err "did not finish within 0.5 seconds" "timeout message"
else
    echo "note: gnuplot not installed; only the no-gnuplot behaviour is tested"
fi

# without gnuplot on PATH: a clear message and exit 4 (I/O failure)
mkdir -p "$WORK/nobin"
set -- $HEALTHCAL
prog=$(command -v "$1")
shift
run 4 "no gnuplot on PATH" -- env PATH="$WORK/nobin" "$prog" "$@" plot --from "$D" -o "$WORK/nogp"
expect_err "gnuplot was not found on PATH" "missing gnuplot explained"
expect_err "gnuplot-nox" "install hint"

# usage and input errors
run 1 "missing --from" -- $HEALTHCAL plot -o "$OUT"
expect_err "--from" "missing --from named"
run 1 "bad format" -- $HEALTHCAL plot --from "$D" -o "$OUT" --format jpg
expect_err "'jpg' is not a plot format" "bad format named"
run 4 "no such directory" -- $HEALTHCAL plot --from "$WORK/nonexistent" -o "$OUT"
mkdir -p "$WORK/empty"
run 2 "no data files" -- $HEALTHCAL plot --from "$WORK/empty" -o "$OUT"
expect_err "no plot data files" "empty directory explained"
finish
