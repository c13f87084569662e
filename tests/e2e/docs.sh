#!/bin/sh
# docs.sh - the man pages and shell completion of scripts/gen-docs.sh agree
# with --help: a page per command of `healthcal --help`, listing every
# option of `healthcal CMD --help` (and no other), valid roff (groff -ww
# warns of nothing), and a bash completion that completes commands,
# options and file arguments. zsh's is parsed by `zsh -n` and driven with
# zsh's completion builtins stubbed, where zsh is
# installed.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${HC_BIN:-$ROOT/build/healthcal}
run 0 "gen-docs" -- sh "$ROOT/scripts/gen-docs.sh" "$BIN" "$WORK/docs"
M="$WORK/docs/man1"
CMDS=$("$BIN" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
[ "$(printf '%s\n' "$CMDS" | wc -l)" -ge 10 ] && ok || fail "too few commands in --help"
[ -f "$M/healthcal.1" ] && ok || fail "no healthcal.1"
for c in $CMDS; do
    [ -f "$M/healthcal-$c.1" ] || { fail "no page for $c"; continue; }
    grep -q "^\\.BR healthcal\\\\-$c (1)" "$M/healthcal.1" && ok || fail "healthcal.1 does not list $c"
    # the long options of --help, in order, against those of the page
    "$BIN" "$c" --help | sed -n '/^options:/,$p' | grep -o -- '--[a-z][a-z0-9-]*' | awk '!seen[$0]++' >"$WORK/want"
    sed -n '/^\.SH OPTIONS/,/^\.SH EXIT/p' "$M/healthcal-$c.1" | grep '^\\fB' |
        sed 's/\\-/-/g' | grep -o -- '--[a-z][a-z0-9-]*' >"$WORK/got"
    same_file "$WORK/want" "$WORK/got" "$c: the page's options are --help's"
    # the description is the first sentence of --help's
    first=$("$BIN" "$c" --help | sed -n '3p' | cut -c1-30 | sed 's/-/\\-/g')
    grep -qF -- "$first" "$M/healthcal-$c.1" && ok || fail "$c: page lacks the description ($first)"
done
if command -v groff >/dev/null; then
    groff -man -Tutf8 -ww -z "$M"/*.1 2>"$WORK/groff.err" && [ ! -s "$WORK/groff.err" ] && ok ||
        { fail "groff warns"; head "$WORK/groff.err"; }
else
    echo "SKIP: groff is not installed: the pages were not rendered"
fi

# bash completion, driven as bash drives it
if command -v bash >/dev/null; then
    complete_words() { # complete_words CWORD WORD...: the completions
        cw=$1; shift
        (cd "$ROOT/datasets" && bash -c '. "$0"; COMP_WORDS=("$@"); COMP_CWORD='"$cw"'; _healthcal; printf "%s\n" "${COMPREPLY[@]}"' \
            "$WORK/docs/completion/healthcal.bash" "$@") | sort | tr '\n' ' '
    }
    [ "$(complete_words 1 healthcal ex)" = "export " ] && ok || fail "bash: command: $(complete_words 1 healthcal ex)"
    [ "$(complete_words 2 healthcal export --s)" = "--schema --select --sql " ] && ok ||
        fail "bash: options: $(complete_words 2 healthcal export --s)"
    [ "$(complete_words 3 healthcal export -c hand)" = "handset.json " ] && ok ||
        fail "bash: file argument: $(complete_words 3 healthcal export -c hand)"
    [ "$(complete_words 3 healthcal export --sql p)" = " " ] && ok ||
        fail "bash: a non-file argument completes nothing: $(complete_words 3 healthcal export --sql p)"
    [ "$(complete_words 2 healthcal predict --alert)" = "--alert-p --alerts " ] && ok ||
        fail "bash: predict options: $(complete_words 2 healthcal predict --alert)"
fi
# zsh completion: parsed, then _healthcal driven with zsh's completion
# builtins stubbed to print what they are handed (the candidates for the
# command word, the option specs for a command's words).
if command -v zsh >/dev/null; then
    zsh -n "$WORK/docs/completion/_healthcal" && ok || fail "zsh completion does not parse"
    zsh_complete() { # zsh_complete CURRENT WORD...: what _healthcal offers
        cur=$1; shift
        zsh -f -c '_describe() { print -l -- "${(@P)2}"; }
                   _arguments() { print -l -- "$@"; }
                   _files() { :; }
                   f=$1; cur=$2; shift 2
                   source "$f" >/dev/null 2>&1
                   words=("$@"); CURRENT=$cur; _healthcal' x "$WORK/docs/completion/_healthcal" "$cur" "$@"
    }
    zsh_complete 2 healthcal ex | grep -q "^export:the config as SQL" && ok ||
        fail "zsh: the command word does not offer export"
    [ "$(zsh_complete 2 healthcal "" | wc -l)" = "$("$BIN" --help | grep -c '^  [a-z]')" ] && ok ||
        fail "zsh: the command word offers $(zsh_complete 2 healthcal "" | wc -l) commands, --help lists $("$BIN" --help | grep -c '^  [a-z]')"
    zsh_complete 3 healthcal predict --al | grep -q "^--alerts\[.*\]:FILE:_files" && ok ||
        fail "zsh: predict --alerts is not offered with a file argument"
    zsh_complete 3 healthcal validate --fo | grep -q "^--format\[" && ok ||
        fail "zsh: validate --format is not offered"
else
    echo "SKIP: zsh is not installed: its completion was not checked"
fi
finish
