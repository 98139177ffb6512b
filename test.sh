#!/usr/bin/env bash
# Runs chatseal's tests: installs the S3 test server (versitygw) when it is
# missing, then vets and tests every package, then fuzzes each importer
# briefly. The tests start versitygw on 127.0.0.1 themselves.
set -euo pipefail
cd "$(dirname "$0")"

export PATH="$PATH:$(go env GOPATH)/bin"
if ! command -v versitygw >/dev/null 2>&1; then
	echo "installing versitygw v1.8.0 (S3 server with Object Lock, used by the tests)"
	go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
fi

go vet ./...
go test -count=1 -timeout 30m "$@" ./...

# Every importer's fuzz test runs for a short time on each run; set
# CHATSEAL_FUZZTIME=0 to skip it, or longer (10m) to search harder.
fuzztime="${CHATSEAL_FUZZTIME:-3s}"
if [ "$fuzztime" != "0" ] && [ $# -eq 0 ]; then
	./fuzz.sh "$fuzztime"
fi
