#!/usr/bin/env bash
# Runs one benchmark from bench/ against the built code: npm run bench -- <name>
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: npm run bench -- <name>   (names: $(ls bench | sed -n 's/^\([a-z-]*\)\.mjs$/\1/p' | grep -v -e support -e bare | tr '\n' ' '))}"
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build
exec node "bench/$name.mjs"
