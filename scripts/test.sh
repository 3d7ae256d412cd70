#!/usr/bin/env bash
# Runs the whole test suite: installs dependencies, checks that PostgreSQL and Redis answer,
# then runs jest (unit specs and e2e tests against real services, in databases of their own).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

pg_url="${TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
node -e "
  const pg = require('pg'); const net = require('net');
  const c = new pg.Client({ connectionString: process.argv[1] });
  c.connect().then(() => c.end()).catch((e) => { console.error('PostgreSQL is not answering at', process.argv[1], '-', e.message); process.exit(1); });
  const r = new URL(process.argv[2]); const s = net.connect(Number(r.port || 6379), r.hostname);
  s.on('connect', () => s.end()).on('error', (e) => { console.error('Redis is not answering at', process.argv[2], '-', e.message); process.exit(1); });
" "$pg_url" "$redis_url"

# System tools the tests drive: xmllint checks the mail-client XML against its grammar, openssl
# makes the test certificates of the live probe, Debian's chromium renders the /lookup page, and
# the mail-services tests run a real Dovecot and Postfix's own map lookups (postmap) on pgsql,
# and the DNS tests a real Knot DNS (knotd, knotc) serving a test zone on loopback.
missing=()
command -v xmllint >/dev/null || missing+=(libxml2-utils)
command -v openssl >/dev/null || missing+=(openssl)
[ -x /usr/bin/chromium ] || missing+=(chromium)
for package in dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd dovecot-pgsql postfix postfix-pgsql knot knot-dnsutils; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} for the tests"
  export DEBIAN_FRONTEND=noninteractive
  # Postfix unconfigured: the tests give postmap a configuration directory of their own.
  echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The build type-checks the product and is what the command-line tests run; typecheck adds tests and benches.
npm run --silent build
npm run --silent typecheck
NODE_OPTIONS="--experimental-vm-modules ${NODE_OPTIONS:-}" node_modules/.bin/jest "$@"
