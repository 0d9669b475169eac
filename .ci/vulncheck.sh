#!/usr/bin/env bash
# govulncheck on the code, offline: the vulnerability database is the pinned
# golang.org/x/vulndb module (fetched like any module through the module
# proxy, so the result does not change under CI's feet), turned into the
# layout govulncheck reads by the database's own indexdb tool. A reachable
# vulnerability fails unless .ci/vulncheck-allow.txt lists it with a reason.
# Runs under the GOTOOLCHAIN and PATH that .ci/run sets.
set -euo pipefail
cd "$(dirname "$0")/.."

vulndb_version=v0.0.0-20261105234957-e22db6528018
govulncheck_version=v1.9.0
allow_file=.ci/vulncheck-allow.txt

# Every allow-list entry needs a reason after the id.
if awk '!/^[[:space:]]*(#|$)/ && NF < 2 { bad = 1; print "no reason for " $1 > "/dev/stderr" } END { exit bad }' "$allow_file"; then :; else
  echo "$allow_file: every id needs a reason" >&2; exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="${XDG_CACHE_HOME:-$HOME/.cache}/uitvoeringskracht/vulndb-$vulndb_version"
if [ ! -f "$db/index/db.json" ]; then
  # Outside the project, so that go.mod and go.sum stay as they are.
  src=$(cd "$work" && go mod download -json "golang.org/x/vulndb@$vulndb_version" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  if [ ! -d "$src/data/osv" ]; then
    echo "golang.org/x/vulndb@$vulndb_version has no data/osv" >&2; exit 1
  fi
  rm -rf "$db.tmp"
  (cd "$work" && go run "golang.org/x/vulndb/cmd/indexdb@$vulndb_version" -vulns "$src/data/osv" -out "$db.tmp")
  rm -rf "$db"
  mv "$db.tmp" "$db"
fi
echo "database golang.org/x/vulndb@$vulndb_version ($(ls "$db/ID" | grep -c '\.json$') advisories)"

# govulncheck type-checks the standard library of the first go in PATH,
# which .ci/run makes the toolchain's own.
# Built, not "go run": go run turns the exit code 3 (vulnerabilities
# found) into 1 (failure).
(cd "$work" && GOBIN="$work/bin" go install "golang.org/x/vuln/cmd/govulncheck@$govulncheck_version")
status=0
GOTOOLCHAIN=local "$work/bin/govulncheck" -db "file://$db" ./... >"$work/report.txt" 2>&1 || status=$?
# The report without its example call traces.
grep -v '^ *#[0-9]*: ' "$work/report.txt"
# 0: nothing reachable; 3: reachable vulnerabilities; anything else: failure.
if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
  echo "govulncheck failed (exit $status)" >&2; exit 1
fi

found=$(awk '/^=== Symbol Results ===/ { on = 1; next } /^=== / { on = 0 }
  on && /^Vulnerability #[0-9]+: / { print $3 }' "$work/report.txt" | sort -u)
allowed=$(awk '!/^[[:space:]]*(#|$)/ { print $1 }' "$allow_file" | sort -u)
unexpected=$(comm -23 <(printf '%s\n' $found) <(printf '%s\n' $allowed) | grep . || true)
for id in $(comm -13 <(printf '%s\n' $found) <(printf '%s\n' $allowed) | grep . || true); do
  echo "note: $id is in $allow_file but no longer reported; remove it"
done
if [ -n "$unexpected" ]; then
  echo "reachable vulnerabilities not in $allow_file:" $unexpected >&2
  exit 1
fi
echo "govulncheck: reachable:" ${found:-none} "- each allowed with a reason in $allow_file"
