#!/usr/bin/env bash
# Installs axe-core, at the exact version pinned in .ci/package.json and
# .ci/package-lock.json, into .ci/node_modules (git-ignored), for the
# accessibility tests in cmd/uitvoeringskracht (browser_a11y_test.go...).
# Prints the path of axe.min.js as its last line; .ci/run exports it as
# UK_AXE_JS. Needs Node.js and npm (Debian's nodejs and npm when missing).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v npm >/dev/null 2>&1; then
  echo "installing nodejs npm" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi

want=$(node -p 'require("./package.json").dependencies["axe-core"]')
have=$(node -p 'try { require("./node_modules/axe-core/package.json").version } catch (e) { "" }')
if [ "$have" != "$want" ]; then
  # npm ci installs exactly what the lock file says, and checks its hash.
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
js="$PWD/node_modules/axe-core/axe.min.js"
if [ ! -s "$js" ]; then
  echo "axe-core was not installed: $js is missing" >&2
  exit 1
fi
echo "axe-core $(node -p 'require("./node_modules/axe-core/package.json").version')" >&2
echo "$js"
