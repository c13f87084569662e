#!/bin/sh
# gen-docs.sh - man pages and shell completion generated from the binary's own --help.
#
# usage: sh scripts/gen-docs.sh HEALTHCAL OUTDIR
#
# Writes OUTDIR/man1/healthcal.1, OUTDIR/man1/healthcal-COMMAND.1 for every
# command, OUTDIR/completion/healthcal.bash and OUTDIR/completion/_healthcal
# (zsh). Everything is read from `healthcal --help` (the table of commands
# in src/cli/main.c) and `healthcal COMMAND --help` (each command's
# cli_option table, printed by cli_print_help in src/cli/cli.c), so the
# pages and the completion list exactly the options --help lists and can
# never disagree with it. The --help layout parsed here: "usage: healthcal
# CMD USAGE", a blank line, the description, a blank line, "options:", then
# one line per option, "  " + the option column padded to 28 + " " + help.
set -eu
BIN=$1
OUT=$2
mkdir -p "$OUT/man1" "$OUT/completion"
VERSION=$("$BIN" --version | awk '{ print $2 }')

# The commands and their summaries: "name<TAB>summary" lines.
CMDS=$("$BIN" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ {
    name = $1; sub(/^  [a-z]+ +/, ""); print name "\t" $0; next } on && !/^  / { on = 0 }')

# options CMD: "short US long US metavar US help" lines of CMD --help, US
# the unit separator (not a tab: read would merge the empty fields of
# IFS white space).
US=$(printf '\037')
options() {
    "$BIN" "$1" --help | awk -v us="$US" '
        /^options:/ { on = 1; next }
        on && /^  / {
            if (length($0) > 31 && substr($0, 31, 1) != " ") {
                rest = substr($0, 31); sp = index(rest, " ")
                left = substr($0, 3, 28 + sp - 1); help = substr(rest, sp + 1)
            } else { left = substr($0, 3, 28); help = substr($0, 32) }
            n = split(left, t, " "); short = ""; long = ""; meta = ""
            for (i = 1; i <= n; i++) {
                if (t[i] ~ /^-[^-],$/) short = substr(t[i], 1, 2)
                else if (t[i] ~ /^--/) long = t[i]
                else meta = t[i]
            }
            print short us long us meta us help
        }'
}

# roff text: backslashes escaped, a leading . or ' neutralised, - as \-.
roff() {
    sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
}

page() { # page NAME TITLE SUMMARY
    printf '.TH %s 1 "" "healthcal %s" "healthcal manual"\n' "$2" "$VERSION"
    printf '.SH NAME\n%s \\- %s\n' "$(printf '%s' "$1" | roff)" "$(printf '%s' "$3" | roff)"
}

EXIT_STATUS='.SH EXIT STATUS
0 success, 1 usage error, 2 bad input data, 3 numerical failure (degenerate
statistics), 4 I/O failure.'

# healthcal.1
{
    page healthcal HEALTHCAL "calibrate customer health scores against churn and expansion"
    printf '.SH SYNOPSIS\n.B healthcal\n[\\-\\-version] [\\-\\-help] \\fICOMMAND\\fR [\\fIoptions\\fR]\n'
    printf '.SH DESCRIPTION\n'
    "$BIN" --help | sed -n '3p' | roff
    printf '.SH COMMANDS\n'
    printf '%s\n' "$CMDS" | while IFS='	' read -r name summary; do
        printf '.TP\n.BR healthcal\\-%s (1)\n%s\n' "$name" "$(printf '%s' "$summary" | roff)"
    done
    printf '%s\n' "$EXIT_STATUS"
    printf '.SH SEE ALSO\n'
    printf '%s\n' "$CMDS" | awk -F'\t' '{ printf "%s.BR healthcal\\-%s (1)", (NR > 1 ? ",\n" : ""), $1 } END { print "" }'
} >"$OUT/man1/healthcal.1"

# healthcal-CMD.1
printf '%s\n' "$CMDS" | while IFS='	' read -r name summary; do
    title=$(printf 'HEALTHCAL-%s' "$name" | tr '[:lower:]' '[:upper:]')
    {
        page "healthcal-$name" "$title" "$summary"
        printf '.SH SYNOPSIS\n.B healthcal %s\n' "$name"
        "$BIN" "$name" --help | sed -n '1s/^usage: healthcal [a-z]* //p' | roff
        printf '.SH DESCRIPTION\n'
        # the description: from line 3 to the line before "options:"; a
        # blank line starts a paragraph
        "$BIN" "$name" --help | awk 'NR >= 3 && /^options:$/ { exit } NR >= 3 { print }' |
            sed -e '$!b' -e '/^$/d' | roff | sed 's/^$/.PP/'
        printf '.SH OPTIONS\n'
        options "$name" | while IFS=$US read -r short long meta help; do
            printf '.TP\n'
            opt=$(printf '%s' "$long" | roff)
            [ -n "$short" ] && printf '\\fB%s\\fR, ' "$(printf '%s' "$short" | roff)"
            printf '\\fB%s\\fR' "$opt"
            [ -n "$meta" ] && printf ' \\fI%s\\fR' "$(printf '%s' "$meta" | roff)"
            printf '\n%s\n' "$(printf '%s' "$help" | roff)"
        done
        printf '%s\n' "$EXIT_STATUS"
        printf '.SH SEE ALSO\n.BR healthcal (1)\n'
    } >"$OUT/man1/healthcal-$name.1"
done

# bash completion
{
    printf '# bash completion for healthcal %s (generated from --help by scripts/gen-docs.sh)\n' "$VERSION"
    printf '_healthcal() {\n'
    printf '    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} opts= files= values=\n'
    printf '    if [ "$COMP_CWORD" -eq 1 ]; then\n'
    printf '        COMPREPLY=($(compgen -W "%s --help --version" -- "$cur"))\n' \
        "$(printf '%s\n' "$CMDS" | cut -f1 | tr '\n' ' ' | sed 's/ $//')"
    printf '        return\n    fi\n    case ${COMP_WORDS[1]} in\n'
    printf '%s\n' "$CMDS" | cut -f1 | while read -r name; do
        all=$(options "$name" | awk -F"$US" '{ printf "%s%s%s", (NR > 1 ? " " : ""), ($1 != "" ? $1 " " : ""), $2 }')
        files=$(options "$name" | awk -F"$US" '$3 ~ /^(FILE|DIR)/ { printf "%s%s%s", (n++ ? " " : ""), ($1 != "" ? $1 " " : ""), $2 }')
        values=$(options "$name" | awk -F"$US" '$3 != "" && $3 !~ /^(FILE|DIR)/ { printf "%s%s%s", (n++ ? " " : ""), ($1 != "" ? $1 " " : ""), $2 }')
        printf '    %s) opts="%s"; files="%s"; values="%s" ;;\n' "$name" "$all" "$files" "$values"
    done
    printf '    esac\n'
    printf '    case " $files " in *" $prev "*) COMPREPLY=($(compgen -f -- "$cur")); return ;; esac\n'
    printf '    case " $values " in *" $prev "*) COMPREPLY=(); return ;; esac\n'
    printf '    COMPREPLY=($(compgen -W "$opts" -- "$cur"))\n}\n'
    printf 'complete -o filenames -F _healthcal healthcal\n'
} >"$OUT/completion/healthcal.bash"

# zsh completion: help text inside '...' with ' as '\'' and [ ] : removed
{
    printf '#compdef healthcal\n# zsh completion for healthcal %s (generated from --help by scripts/gen-docs.sh)\n' "$VERSION"
    printf '_healthcal() {\n    local -a cmds\n    cmds=(\n'
    printf '%s\n' "$CMDS" | while IFS='	' read -r name summary; do
        printf "        '%s:%s'\n" "$name" "$(printf '%s' "$summary" | tr -d '[]:' | sed "s/'/'\\\\''/g")"
    done
    printf '    )\n    if (( CURRENT == 2 )); then\n        _describe command cmds\n        return\n    fi\n'
    printf '    case $words[2] in\n'
    printf '%s\n' "$CMDS" | cut -f1 | while read -r name; do
        printf '    %s)\n        _arguments' "$name"
        options "$name" | while IFS=$US read -r short long meta help; do
            h=$(printf '%s' "$help" | tr -d '[]:' | sed "s/'/'\\\\''/g")
            act=""
            case $meta in
            FILE* | DIR*) act=":$meta:_files" ;;
            "") ;;
            *) act=":$(printf '%s' "$meta" | tr -d '[]:'): " ;;
            esac
            if [ -n "$short" ]; then
                printf " \\\\\n            '(%s %s)'{%s,%s}'[%s]%s'" "$short" "$long" "$short" "$long" "$h" "$act"
            else
                printf " \\\\\n            '%s[%s]%s'" "$long" "$h" "$act"
            fi
        done
        printf '\n        ;;\n'
    done
    printf '    esac\n}\n_healthcal "$@"\n'
} >"$OUT/completion/_healthcal"
