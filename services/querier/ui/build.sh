#!/usr/bin/env bash
# Builds the querier's UI into the classes directory given (the Maven build passes target/classes; see build.mjs for
# what goes where): `npm ci` from the committed lockfile when node_modules is missing or older than it, then esbuild.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
out="${1:?usage: ui/build.sh <classes directory>}"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "the querier's UI is built with node and npm, which are missing: install them (Debian: apt-get install -y nodejs npm;" \
    "./gauntlet up and ./gauntlet test install them when run as root)" >&2
  exit 1
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ui: npm ci (node $(node --version), npm $(npm --version))"
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
fi
node build.mjs "$out"
