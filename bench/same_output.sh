#!/usr/bin/env bash
# Usage: bench/same_output.sh OLD_PLIMSOLL NEW_PLIMSOLL
# Whether two plimsoll builds write the same reports, for speed work that must not change them:
# every format on the corpus workflows that bench/actionlint_plain.py times and on the whole of
# ../shared/corpus/real (the per-run hashes of redacted secrets normalised), and the same
# `--fix --unsafe-fixes` trees on copies of the workflows. Prints SAME, or the first differences
# and exits 1.
set -uo pipefail
old=$1
new=$2
here=$(cd "$(dirname "$0")" && pwd)
corpus=$(cd "$here/../../shared/corpus/real" 2>/dev/null && pwd) || {
  echo "skipped: ../shared/corpus/real is absent"
  exit 0
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -c "
import sys; sys.path.insert(0, '$here'); import actionlint_plain as a; print('\n'.join(a.workflow_files()))" >"$work/files"
mapfile -t files <"$work/files"
normalise() { sed -E 's/\(hash [0-9a-f]{8}\)/(hash H)/g'; }
status=0
for format in json sarif human github; do
  for target in files corpus; do
    if [[ $target == files ]]; then args=("${files[@]}"); else args=("$corpus"); fi
    "$old" check --format "$format" "${args[@]}" 2>&1 | normalise >"$work/old"
    "$new" check --format "$format" "${args[@]}" 2>&1 | normalise >"$work/new"
    if ! cmp -s "$work/old" "$work/new"; then
      echo "DIFF: $target, format $format"
      diff "$work/old" "$work/new" | head -20
      status=1
    fi
  done
done
for side in old new; do
  for file in "${files[@]}"; do
    relative=${file#"$corpus"/}
    mkdir -p "$work/fix-$side/$(dirname "$relative")"
    cp "$file" "$work/fix-$side/$relative"
  done
done
(cd "$work/fix-old" && "$old" check --fix --unsafe-fixes --offline . >/dev/null 2>&1)
(cd "$work/fix-new" && "$new" check --fix --unsafe-fixes --offline . >/dev/null 2>&1)
if ! diff -r "$work/fix-old" "$work/fix-new" >"$work/fixdiff"; then
  echo "DIFF: --fix --unsafe-fixes trees"
  head -20 "$work/fixdiff"
  status=1
fi
[[ $status == 0 ]] && echo SAME
exit $status
