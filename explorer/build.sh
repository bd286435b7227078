#!/usr/bin/env bash
# Builds the offline GraphiQL explorer into explorer/dist (served by the app at /explorer/).
# Idempotent: installs only when the lockfile changed and rebuilds only when inputs did,
# so it is cheap to call from set-up scripts and CI on every run.
set -euo pipefail
cd "$(dirname "$0")"

# npm writes node_modules/.package-lock.json on every install; a newer lockfile means
# the committed dependencies changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

stamp=dist/.build-stamp
if [ -f "$stamp" ] && [ -f dist/index.html ] && [ -f dist/explorer.js ] && [ -f dist/explorer.css ] \
  && [ -z "$(find src build.sh build.mjs package.json package-lock.json node_modules/.package-lock.json -newer "$stamp" -print -quit)" ]; then
  echo "explorer: dist/ is up to date"
  exit 0
fi

npm run build --silent
touch "$stamp"
echo "explorer: built $(cd dist && ls explorer.js explorer.css index.html | tr '\n' ' ')"
