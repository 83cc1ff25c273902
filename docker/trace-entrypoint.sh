#!/bin/bash
# serve: install the add-ons on TRACE_DB at first start (demo data unless WITHOUT_DEMO=1),
#        then serve Odoo on :8069.
# test:  a fresh database TRACE_DB_test, the add-ons installed, every test of theirs run.
# The add-ons are mounted in /mnt/extra-addons (docker/compose.yaml), the official image's
# addons path.
set -euo pipefail
DB=${TRACE_DB:-trace_demo}
MODULES=trace_compliance,trace_recall,trace_warranty
TAGS=/trace_compliance,/trace_recall,/trace_warranty
# Demo data: 18.0 loads it unless --without-demo=all, 19.0 only with --with-demo.
SERIES=$(odoo --version | grep -oE '[0-9]+' | head -n 1)
DB_ARGS=(--db_host "${HOST:-db}" --db_port "${PORT:-5432}" --db_user "${USER:-odoo}" --db_password "${PASSWORD:-odoo}")

wait_for_db() {
    for _ in $(seq 1 60); do
        python3 -c "import psycopg2; psycopg2.connect(host='${HOST:-db}', port=${PORT:-5432}, user='${USER:-odoo}', password='${PASSWORD:-odoo}', dbname='postgres').close()" 2>/dev/null && return 0
        sleep 1
    done
    echo "PostgreSQL is not reachable at ${HOST:-db}:${PORT:-5432}" >&2
    exit 2
}

installed() {
    python3 - "$1" <<PY
import sys, psycopg2
try:
    conn = psycopg2.connect(host='${HOST:-db}', port=${PORT:-5432}, user='${USER:-odoo}', password='${PASSWORD:-odoo}', dbname=sys.argv[1])
    cr = conn.cursor()
    cr.execute("SELECT count(*) FROM ir_module_module WHERE state = 'installed' AND name IN ('trace_compliance', 'trace_recall', 'trace_warranty')")
    sys.exit(0 if cr.fetchone()[0] == 3 else 1)
except Exception:
    sys.exit(1)
PY
}

wait_for_db
case "${1:-serve}" in
serve)
    if ! installed "$DB"; then
        demo=()
        if [ "$SERIES" -ge 19 ]; then
            [ "${WITHOUT_DEMO:-0}" = 1 ] || demo=(--with-demo)
        elif [ "${WITHOUT_DEMO:-0}" = 1 ]; then
            demo=(--without-demo=all)
        fi
        odoo "${DB_ARGS[@]}" -d "$DB" -i "$MODULES" "${demo[@]}" --stop-after-init
    fi
    echo "Odoo: http://localhost:8069  database $DB, login admin / password admin"
    exec odoo "${DB_ARGS[@]}" -d "$DB" --db-filter="^${DB}\$"
    ;;
test)
    # A fresh database each time, demo data as `make test`. The official image has no
    # Chromium: Odoo skips the browser tours there (`make test` runs them).
    # What the tests import beside Odoo (requirements.txt, "Tests"), for the odoo user.
    python3 -c "import openpyxl, freezegun, hypothesis, jsonschema, biip, zxingcpp" 2>/dev/null ||
        python3 -m pip install --quiet --user --break-system-packages openpyxl freezegun hypothesis \
            "jsonschema[format-nongpl]" biip zxing-cpp
    python3 - "${DB}_test" <<PY
import sys, psycopg2
conn = psycopg2.connect(host='${HOST:-db}', port=${PORT:-5432}, user='${USER:-odoo}', password='${PASSWORD:-odoo}', dbname='postgres')
conn.autocommit = True
conn.cursor().execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % sys.argv[1])
PY
    test_demo=()
    [ "$SERIES" -ge 19 ] && test_demo=(--with-demo)
    odoo "${DB_ARGS[@]}" -d "${DB}_test" -i "$MODULES" "${test_demo[@]}" --test-enable --test-tags="$TAGS" \
        --stop-after-init --http-port=8070 2>&1 | tee /tmp/test.log || true
    python3 - <<'PY'
import re, sys
text = open("/tmp/test.log").read()
m = re.findall(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests", text)
fail, err, total = map(int, m[-1]) if m else (1, 0, 0)
errors = re.findall(r"^\S+ \S+ \d+ (?:ERROR|CRITICAL) (?!.*\.tests\.).*$", text, re.MULTILINE)
print(f"{total - fail - err} passed, {fail + err} failed" + (f", {len(errors)} errors logged" if errors else ""))
sys.exit(1 if fail + err or errors or not m else 0)
PY
    ;;
*)
    exec "$@"
    ;;
esac
