#!/bin/sh
# check-layers.sh - enforces the rule of includes between the library's layers.
#
# usage: sh scripts/check-layers.sh [ROOT]     (ROOT: the repository, default .)
#
# The layers, in order: io data stats model workflow output cli. A source
# file's layer is its folder (src/LAYER/); a public header's layer is the
# "(layer: LAYER)" tag on its first line (include/hc_*.h). The rule:
#   - a file includes public headers of its own layer or of earlier ones;
#   - a private header (any quoted include not named hc_*.h) is included
#     only from its own folder, without a path;
#   - every public header carries a layer tag, and every folder under src/
#     is a layer (no source lies outside one).
# Prints one line per breach (file:line: what) and exits 1 when any is
# found, 0 otherwise.
set -u
ROOT=${1:-.}
cd "$ROOT" || exit 2

LAYERS="io data stats model workflow output cli"

# rank LAYER: 1-based position of LAYER in $LAYERS, 0 when unknown.
rank() {
    i=1
    for l in $LAYERS; do
        [ "$l" = "$1" ] && { echo $i; return; }
        i=$((i + 1))
    done
    echo 0
}

bad=0
breach() {
    echo "$1"
    bad=1
}

# The layer of every public header, as "name layer" lines.
HEADER_LAYERS=$(for h in include/hc_*.h; do
    tag=$(head -1 "$h" | sed -n 's/.*(layer: *\([a-z]*\)).*/\1/p')
    [ "$tag" = workflows ] && tag=workflow
    echo "$(basename "$h") ${tag:-none}"
done)

echo "$HEADER_LAYERS" | while read -r name layer; do
    [ "$(rank "$layer")" -gt 0 ] ||
        echo "include/$name:1: no '(layer: NAME)' tag naming one of: $LAYERS"
done | grep . && bad=1

for d in src/*/; do
    l=$(basename "$d")
    [ "$(rank "$l")" -gt 0 ] || breach "$d: not a layer (layers: $LAYERS)"
done
for f in src/*.c src/*.h; do
    [ -e "$f" ] && breach "$f: a source outside every layer folder"
done

# check FILE LAYER: the includes of one file.
check() {
    file=$1
    own=$(rank "$2")
    dir=$(dirname "$file")
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" |
        sed 's/^\([0-9]*\):.*"\([^"]*\)".*/\1 \2/' |
        while read -r line inc; do
            case $inc in
            hc_*.h)
                layer=$(echo "$HEADER_LAYERS" | awk -v n="$inc" '$1 == n {print $2}')
                if [ -z "$layer" ]; then
                    echo "$file:$line: includes \"$inc\", which is not a public header in include/"
                elif [ "$(rank "$layer")" -gt "$own" ]; then
                    echo "$file:$line: a $2 file includes \"$inc\" of the later layer $layer"
                fi ;;
            */*)
                echo "$file:$line: includes \"$inc\" by a path: a private header is used only in its own folder" ;;
            *)
                [ -f "$dir/$inc" ] ||
                    echo "$file:$line: includes \"$inc\", which is not in its folder $dir" ;;
            esac
        done
}

out=$(
    for h in include/hc_*.h; do
        check "$h" "$(echo "$HEADER_LAYERS" | awk -v n="$(basename "$h")" '$1 == n {print $2}')"
    done
    for f in src/*/*.c src/*/*.h; do
        [ -e "$f" ] || continue
        l=$(basename "$(dirname "$f")")
        [ "$(rank "$l")" -gt 0 ] && check "$f" "$l"
    done
)
[ -n "$out" ] && { echo "$out"; bad=1; }

if [ $bad -ne 0 ]; then
    echo "layers: the rule of includes is broken (see src/README.md)" >&2
    exit 1
fi
echo "layers ok: every include goes to its own layer or an earlier one"
