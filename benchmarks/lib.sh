# Shell helpers of scripts/bench. Source it after scripts/lib/common.sh.

# A throwaway PostgreSQL server for the benchmarks, as scripts/lib/postgres.sh starts one for the tests,
# but on its own port (15433), so a test run and a bench run can share the machine.
BERTH_BENCH_POSTGRES_PORT=${BERTH_BENCH_POSTGRES_PORT:-15433}
BERTH_BENCH_POSTGRES_DIR=""

start_bench_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bin" ] || { echo "PostgreSQL's programs were not found under /usr/lib/postgresql" >&2; return 1; }
  BERTH_BENCH_POSTGRES_DIR=$(mktemp -d /tmp/berth-bench-postgres.XXXXXX)
  chown postgres:postgres "$BERTH_BENCH_POSTGRES_DIR"
  say "starting a throwaway PostgreSQL on 127.0.0.1:$BERTH_BENCH_POSTGRES_PORT"
  runuser -u postgres -- "$bin/initdb" -D "$BERTH_BENCH_POSTGRES_DIR/data" --auth=trust -U postgres >/dev/null
  # Durable settings (fsync on): the figures should be what an operator's server gives, not a test's.
  runuser -u postgres -- "$bin/pg_ctl" -D "$BERTH_BENCH_POSTGRES_DIR/data" -l "$BERTH_BENCH_POSTGRES_DIR/log" -w \
    -o "-p $BERTH_BENCH_POSTGRES_PORT -k $BERTH_BENCH_POSTGRES_DIR -c listen_addresses=127.0.0.1 -c max_connections=200" \
    start >/dev/null
  BERTH_BENCH_DATABASE_URL="postgres://postgres@127.0.0.1:$BERTH_BENCH_POSTGRES_PORT/postgres?sslmode=disable"
}

stop_bench_postgres() {
  [ -n "$BERTH_BENCH_POSTGRES_DIR" ] || return 0
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  runuser -u postgres -- "$bin/pg_ctl" -D "$BERTH_BENCH_POSTGRES_DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$BERTH_BENCH_POSTGRES_DIR"
  BERTH_BENCH_POSTGRES_DIR=""
}
