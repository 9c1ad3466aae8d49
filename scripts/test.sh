#!/usr/bin/env bash
# Install everything the test suite needs, then run it. Used by the README and by .ci/run.
# - Python packages from requirements-dev.txt
# - Debian packages: chromium + CJK fonts (browser tests), PostgreSQL (store tests), the PDF report's
#   libraries (libpango, libharfbuzz-subset) and poppler-utils when missing
# - a PostgreSQL server on 127.0.0.1:5432 (started here when none answers)
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

need_apt=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need_apt+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need_apt+=(fonts-noto-cjk)
# Reports (issue 15): WeasyPrint's Pango/HarfBuzz libraries for the PDF, poppler-utils to read it back
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so" || need_apt+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so" || need_apt+=(libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset.so" || need_apt+=(libharfbuzz-subset0)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)

pg_up() { python3 - <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1)
try:
    s.connect(("127.0.0.1", 5432)); sys.exit(0)
except OSError:
    sys.exit(1)
PY
}
if ! pg_up && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then need_apt+=(postgresql); fi

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${need_apt[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

echo "== installing Python packages"
python3 -m pip install -q --disable-pip-version-check -r requirements-dev.txt

if ! pg_up; then
  echo "== starting PostgreSQL"
  ver=$(ls /etc/postgresql | sort -V | tail -n 1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start || as_root service postgresql start
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
# A password for the postgres role makes the URL work under trust and under scram-sha-256 alike.
if command -v runuser >/dev/null && id postgres >/dev/null 2>&1; then
  as_root runuser -u postgres -- psql -q -c "ALTER USER postgres PASSWORD 'postgres'" >/dev/null 2>&1 || true
fi
export SURVEY_TEST_PG_URL="${SURVEY_TEST_PG_URL:-postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres}"

echo "== running the test suite"
set +e
python3 -m pytest "$@"
rc=$?
set -e
exit $rc
