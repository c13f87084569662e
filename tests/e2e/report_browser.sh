#!/bin/sh
# report_browser.sh - index.html in a real headless browser (Debian's chromium): no page-wide horizontal scroll at 400 px (tables scroll on their own), the cards above the fold at 1400 px, no script errors, and `report --pdf` prints every section. Skips when chromium is absent or cannot start.
. "$(dirname "$0")/lib.sh"

BROWSER=""
for b in chromium chromium-browser google-chrome; do
    command -v "$b" >/dev/null 2>&1 && { BROWSER=$(command -v "$b"); break; }
done
if [ -z "$BROWSER" ]; then
    echo "SKIP: chromium is not installed (apt-get install chromium; scripts/install-deps.sh --test)"
    exit 0
fi
export TMPDIR="$WORK/tmp"
mkdir -p "$TMPDIR"
# One profile per run, so a browser already open elsewhere changes nothing.
B="$BROWSER --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions --user-data-dir=$WORK/profile"
# chromium's own chatter (dbus, GPU) goes to stderr: kept for the checks.
if ! timeout 60 $B --dump-dom "data:text/html,<p>ok</p>" >"$WORK/probe.out" 2>"$WORK/probe.err" \
    || ! grep -q '<p>ok</p>' "$WORK/probe.out"; then
    echo "SKIP: chromium cannot start here: $(tail -1 "$WORK/probe.err")"
    exit 0
fi

SIM="$WORK/sim"
run 0 "simulate" -- $HEALTHCAL simulate --accounts 200 --weeks 70 --seed 3 --out "$SIM"
OUT="$WORK/report"
run 0 "report --pdf" -- $HEALTHCAL report --snapshots "$SIM/snapshots.csv" --events "$SIM/events.csv" \
    --config "$SIM/current.json" --pdf -o "$OUT"
expect_err "index.pdf printed with $BROWSER" "report --pdf states the converter"
grep -qx "$OUT/index.pdf" "$WORK/out" && ok || fail "stdout lacks the path of index.pdf"

# ---- layout, measured in the page ----------------------------------------
# A copy of the page with a probe script appended (the report itself has
# none): after load it lists every element that sticks out on the right
# unless an ancestor scrolls horizontally (a table's .wrap), the bottom of
# the last card, and any script error, and posts the line to the frame
# page, which holds the page in an iframe as wide as the viewport to test
# (the browser's own window has a minimum width above 400 px).
cat >"$WORK/probe.js" <<'JS'
<script>
window.addEventListener('error', function (e) { window.hcErrors = (window.hcErrors || 0) + 1; });
window.addEventListener('load', function () {
  var W = window.innerWidth, bad = [];
  function scrolls(e) {
    for (; e && e !== document.body; e = e.parentElement) {
      var o = getComputedStyle(e).overflowX;
      if (o === 'auto' || o === 'scroll') return true;
    }
    return false;
  }
  document.querySelectorAll('body *').forEach(function (e) {
    var r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > W + 1 && !scrolls(e.parentElement) && bad.length < 5)
      bad.push(e.tagName + (e.id ? '#' + e.id : ''));
  });
  var cards = document.querySelectorAll('#glance .card'), low = 0;
  cards.forEach(function (c) { low = Math.max(low, c.getBoundingClientRect().bottom + window.scrollY); });
  var line = 'width=' + W + ' page=' + document.documentElement.scrollWidth +
    ' cards=' + cards.length + ' bottom=' + Math.round(low) +
    ' overflow=' + (bad.join(',') || 'none') + ' errors=' + (window.hcErrors || 0) + ' end';
  window.parent.postMessage(line, '*');
});
</script>
JS
awk -v f="$WORK/probe.js" '/<\/body>/ { while ((getline l < f) > 0) print l } { print }' \
    "$OUT/index.html" >"$OUT/probe.html"
for w in 1400 400; do
    cat >"$OUT/frame$w.html" <<HTML
<!DOCTYPE html><html><body style="margin:0"><pre id="result">no result</pre>
<iframe src="probe.html" style="border:0;width:${w}px;height:900px"></iframe>
<script>window.addEventListener('message', function (e) { document.getElementById('result').textContent = String(e.data); });</script>
</body></html>
HTML
    timeout 90 $B --window-size=1500,1000 --virtual-time-budget=10000 --enable-logging=stderr --v=0 \
        --dump-dom "file://$OUT/frame$w.html" >"$WORK/dom$w" 2>"$WORK/log$w"
    sed -n 's/.*<pre id="result">\([^<]*\)<.*/\1/p' "$WORK/dom$w" >"$WORK/m$w"
    grep -q ' end$' "$WORK/m$w" && ok || { fail "no measurement at $w px: $(cat "$WORK/m$w")"; continue; }
    m=$(cat "$WORK/m$w")
    echo "$m" | grep -q "width=$w " && ok || fail "viewport is not $w px: $m"
    echo "$m" | grep -q ' overflow=none ' && ok || fail "something sticks out at $w px: $m"
    page=$(echo "$m" | sed 's/.* page=\([0-9]*\).*/\1/')
    [ "$page" -le "$w" ] && ok || fail "horizontal scrollbar at $w px: $m"
    echo "$m" | grep -q ' cards=6 ' && ok || fail "not six cards at $w px: $m"
    echo "$m" | grep -q ' errors=0 ' && ok || fail "script errors at $w px: $m"
    # the browser's console: nothing uncaught (the page itself has no script)
    grep -i 'uncaught\|CONSOLE.*error' "$WORK/log$w" && fail "console errors at $w px" || ok
    if [ "$w" = 1400 ]; then
        bottom=$(echo "$m" | sed 's/.* bottom=\([0-9]*\).*/\1/')
        [ "$bottom" -gt 0 ] && [ "$bottom" -le 900 ] && ok || fail "cards below the fold at 1400x900: $m"
    fi
done

# ---- the PDF: every section present, tables not cut -----------------------
PDF="$OUT/index.pdf"
[ -s "$PDF" ] && ok || fail "no index.pdf"
head -c 5 "$PDF" | grep -q '^%PDF-' && ok || fail "index.pdf is not a PDF"
if command -v pdftotext >/dev/null 2>&1; then
    pdftotext "$PDF" "$WORK/pdf.txt" && ok || fail "pdftotext failed"
    # every heading of the page's list of contents (each on its own page)
    sed -n 's/.*<nav><ol>\(.*\)<\/ol><\/nav>.*/\1/p' "$OUT/index.html" | tr '<' '\n' \
        | sed -n 's/^a href="#[a-z]*">//p' | sed 's/&#39;/'"'"'/g' >"$WORK/sections"
    [ "$(wc -l <"$WORK/sections")" -ge 12 ] && ok || fail "fewer than 12 sections listed"
    while read -r s; do
        tr -s ' \n' ' ' <"$WORK/pdf.txt" | grep -qF "$s" && ok || fail "index.pdf lacks section '$s'"
    done <"$WORK/sections"
    pages=$(pdfinfo "$PDF" 2>/dev/null | awk '/^Pages:/ { print $2 }')
    [ "${pages:-0}" -ge 12 ] && ok || fail "index.pdf has ${pages:-?} pages: sections should start pages"
else
    echo "pdftotext is not installed (poppler-utils): PDF sections not checked, only its size"
    [ "$(wc -c <"$PDF")" -gt 50000 ] && ok || fail "index.pdf is suspiciously small"
fi
echo "measured: $(cat "$WORK/m1400"); $(cat "$WORK/m400")"
finish
