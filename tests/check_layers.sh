#!/usr/bin/env bash
# tests/check_layers.sh LAYER...: the dependency rule of src/ (see
# docs/architecture.md). LAYER... are src/'s folders, lowest first; a file
# may include headers of its own folder and of the folders listed before
# it, never of one listed after it. src/main.c stands above them all. Every
# quoted include must name its folder ("base/util.h"), so that the rule can
# be read off each line. Prints each breach and exits 1 if there is any.
set -uo pipefail
cd "$(dirname "$0")/../src" || exit 2
[ $# -gt 0 ] || { echo "usage: $0 LAYER..." >&2; exit 2; }

declare -A rank
i=0
for layer in "$@"; do
    rank[$layer]=$i
    i=$((i + 1))
done
top=$i

bad=0
breach() {
    echo "check_layers: $*" >&2
    bad=1
}

for dir in */; do
    dir=${dir%/}
    [ -n "${rank[$dir]+x}" ] || breach "src/$dir is not a layer: add it to LAYERS in the Makefile, in its place"
done

for file in */*.[ch] main.c; do
    case $file in
    */*) layer=${file%%/*}; own=${rank[$layer]:-} ;;
    *) layer=main; own=$top ;;
    esac
    [ -n "$own" ] || continue
    while IFS=: read -r line inc; do
        inc=${inc#*\"}
        inc=${inc%%\"*}
        [ "$inc" = buildinfo.h ] && continue # generated, in obj/
        case $inc in
        */*) ;;
        *) breach "$file:$line: #include \"$inc\" names no layer"; continue ;;
        esac
        to=${inc%%/*}
        if [ -z "${rank[$to]+x}" ]; then
            breach "$file:$line: #include \"$inc\": $to is not a layer"
        elif [ "${rank[$to]}" -gt "$own" ]; then
            breach "$file:$line: $layer includes $inc from $to, a layer above it"
        fi
    done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file")
done
exit $bad
