#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with the repository's .ae files (examples,
# templates, test corpus, benchmark programs, test fixtures), the seed
# corpus for every target. The corpus is generated, not committed: libFuzzer
# adds what it finds there. Usage: fuzz/seed.sh [target...] (default: all).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(lex parse check format)

for target in "${targets[@]}"; do
    dir="fuzz/corpus/$target"
    mkdir -p "$dir"
    # Named by content, so running twice adds nothing.
    git ls-files -z '*.ae' | while IFS= read -r -d '' file; do
        cp "$file" "$dir/seed-$(sha1sum < "$file" | cut -c1-16)"
    done
    echo "$dir: $(ls "$dir" | wc -l) files"
done
