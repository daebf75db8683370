# Starts a throwaway PostgreSQL server for the tests (Debian's postgresql package): its own data
# directory and port on loopback, trust authentication, gone again after stop_test_postgres.
# Source it after common.sh.

BERTH_TEST_POSTGRES_PORT=${BERTH_TEST_POSTGRES_PORT:-15432}
BERTH_TEST_POSTGRES_DIR=""

start_test_postgres() {
  ensure_packages postgresql
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bin" ] || { echo "PostgreSQL's programs were not found under /usr/lib/postgresql" >&2; return 1; }
  BERTH_TEST_POSTGRES_DIR=$(mktemp -d /tmp/berth-postgres.XXXXXX)
  chown postgres:postgres "$BERTH_TEST_POSTGRES_DIR"
  say "starting a throwaway PostgreSQL on 127.0.0.1:$BERTH_TEST_POSTGRES_PORT"
  runuser -u postgres -- "$bin/initdb" -D "$BERTH_TEST_POSTGRES_DIR/data" --auth=trust -U postgres >/dev/null
  runuser -u postgres -- "$bin/pg_ctl" -D "$BERTH_TEST_POSTGRES_DIR/data" -l "$BERTH_TEST_POSTGRES_DIR/log" -w \
    -o "-p $BERTH_TEST_POSTGRES_PORT -k $BERTH_TEST_POSTGRES_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" \
    start >/dev/null
  export BERTH_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$BERTH_TEST_POSTGRES_PORT/postgres?sslmode=disable"
}

stop_test_postgres() {
  [ -n "$BERTH_TEST_POSTGRES_DIR" ] || return 0
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  runuser -u postgres -- "$bin/pg_ctl" -D "$BERTH_TEST_POSTGRES_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$BERTH_TEST_POSTGRES_DIR"
  BERTH_TEST_POSTGRES_DIR=""
}
