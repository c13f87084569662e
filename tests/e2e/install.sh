#!/bin/sh
# install.sh - `make install` into a temporary prefix: the binary, the static
# library, the headers and healthcal.pc; a program outside the tree
# (tests/install/score_row.c) compiles and links through pkg-config and
# scores a row. By hand: 10 logins on [0, 20] score 50, 2 tickets on
# [0, 10] reversed score 80, H = 0.6 x 50 + 0.4 x 80 = 62 (yellow, 40..70),
# P(churn) = 1 / (1 + exp(-(2 - 0.05 x 62))) = 1 / (1 + e^1.1) = 0.249740.
# The man pages and completion are installed too (tests/e2e/docs.sh checks
# their content). Then DESTDIR staging and uninstall.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$HERE/../.." && pwd)
BUILD_DIR=$(dirname "${HC_BIN:-$ROOT/build/healthcal}")
if ! command -v pkg-config >/dev/null || ! command -v make >/dev/null; then
    echo "SKIP: install: make or pkg-config missing"
    exit 0
fi
P="$WORK/prefix"
run 0 "make install PREFIX=..." -- make -C "$ROOT" --no-print-directory BUILD="$BUILD_DIR" install PREFIX="$P"
for f in bin/healthcal lib/libhealthcal.a lib/pkgconfig/healthcal.pc include/healthcal/hc_model.h \
    include/healthcal/hc_export.h share/man/man1/healthcal.1 share/man/man1/healthcal-fit.1 \
    share/man/man1/healthcal-export.1 share/bash-completion/completions/healthcal \
    share/zsh/site-functions/_healthcal; do
    [ -f "$P/$f" ] && ok || fail "not installed: $f"
done
run 0 "installed binary runs" -- "$P/bin/healthcal" --version
grep -q '^healthcal [0-9]' "$WORK/out" && ok || fail "installed --version"
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
run 0 "pkg-config knows healthcal" -- pkg-config --cflags --libs healthcal
grep -q -- "-I$P/include/healthcal" "$WORK/out" && grep -q -- "-lhealthcal" "$WORK/out" && ok ||
    fail "pkg-config flags: $(cat "$WORK/out")"
# A sanitizer build of the library needs the same runtime at link time.
san=""
nm "$P/lib/libhealthcal.a" 2>/dev/null | grep -q __asan_ && san="-fsanitize=address,undefined"
nm "$P/lib/libhealthcal.a" 2>/dev/null | grep -q __ubsan_ && [ -z "$san" ] && san="-fsanitize=undefined"
CC=${CC:-cc}
run 0 "the example compiles through pkg-config" -- sh -c "$CC -std=c11 -Wall -Wextra -Wpedantic -Werror $san \$(pkg-config --cflags healthcal) '$ROOT/tests/install/score_row.c' -o '$WORK/score_row' \$(pkg-config --libs healthcal) $san"
run 0 "the example scores a row" -- "$WORK/score_row"
grep -qx 'usage 50.000000 support 80.000000 health 62.000000 band yellow p_churn 0.249740' "$WORK/out" &&
    ok || fail "example output: $(cat "$WORK/out")"

# DESTDIR staging: the files land under DESTDIR, the .pc names the prefix.
run 0 "make install DESTDIR=..." -- make -C "$ROOT" --no-print-directory BUILD="$BUILD_DIR" install DESTDIR="$WORK/stage" PREFIX=/opt/hc
[ -f "$WORK/stage/opt/hc/lib/libhealthcal.a" ] && ok || fail "DESTDIR install"
grep -qx 'prefix=/opt/hc' "$WORK/stage/opt/hc/lib/pkgconfig/healthcal.pc" && ok || fail "pc prefix under DESTDIR"
run 0 "make uninstall DESTDIR=..." -- make -C "$ROOT" --no-print-directory BUILD="$BUILD_DIR" uninstall DESTDIR="$WORK/stage" PREFIX=/opt/hc
[ -z "$(find "$WORK/stage" -type f)" ] && ok || fail "files left after uninstall: $(find "$WORK/stage" -type f)"
finish
