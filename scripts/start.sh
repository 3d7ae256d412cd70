#!/usr/bin/env bash
# Starts Postmaster on this machine: installs dependencies, builds, creates the database if it is
# missing, applies migrations, then runs the API, the worker, the Postfix policy service, all
# three, or the command line.
#   scripts/start.sh api|worker|policy|all|cli [args...]
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postmaster}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
# A single machine keeps its generated secret in .postmaster/secret; production sets the variable.
if [ -z "${POSTMASTER_SECRET:-}" ]; then
  mkdir -p .postmaster
  [ -s .postmaster/secret ] || (umask 077 && node -e "console.log(require('crypto').randomBytes(32).toString('base64'))" > .postmaster/secret)
  POSTMASTER_SECRET="$(cat .postmaster/secret)"
  export POSTMASTER_SECRET
fi
role="${1:?usage: scripts/start.sh api|worker|policy|all|cli [args...]}"
shift

log() { echo "[postmaster] $*" >&2; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing dependencies"
  npm ci --no-audit --no-fund >&2
fi
if [ ! -f dist/src/main.js ] || [ -n "$(find src workers prisma -newer dist/src/main.js -print -quit)" ]; then
  log "building"
  npm run --silent build >&2
fi
node scripts/ensure-database.mjs >&2
log "applying migrations"
node_modules/.bin/prisma migrate deploy >&2

case "$role" in
  api) exec node dist/src/main.js ;;
  worker) exec node dist/workers/main.js ;;
  policy) exec node dist/src/policy/main.js ;;
  cli) exec node dist/src/cli.js "$@" ;;
  all)
    node dist/src/main.js & api=$!
    node dist/workers/main.js & worker=$!
    node dist/src/policy/main.js & policy=$!
    trap 'kill -TERM $api $worker $policy 2>/dev/null' TERM INT
    # Any process ending ends all: a half-running Postmaster is worse than a stopped one.
    wait -n $api $worker $policy || true
    kill -TERM $api $worker $policy 2>/dev/null || true
    wait
    ;;
  *) echo "unknown role: $role" >&2; exit 2 ;;
esac
