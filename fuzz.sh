#!/usr/bin/env bash
# Runs every native fuzz test of the importers (ingest/...) for a while
# each: ./fuzz.sh [DURATION] [PACKAGE...]. test.sh runs it briefly on every
# CI run; run it longer on demand, e.g. ./fuzz.sh 10m ./ingest/whatsapp.
# A failing input is saved under the package's testdata/fuzz/ and from then
# on runs as a regression case in every plain go test.
set -euo pipefail
cd "$(dirname "$0")"

duration="${1:-30s}"
shift || true
packages=("$@")
if [ ${#packages[@]} -eq 0 ]; then
	packages=(./ingest/...)
fi

for pkg in $(go list "${packages[@]}"); do
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		echo "fuzz $pkg $target for $duration"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$duration" "$pkg"
	done
done
