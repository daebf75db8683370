# Fuzzes the panel's HTTP API with schemathesis against its own OpenAPI document. Source it after common.sh
# (and docker.sh, whose engine and busybox image it uses); scripts/test calls run_api_fuzzing after building.
#
# It starts a throwaway `berth serve` (the debug build; BERTH_FUZZ_BINARY names another) with its own data
# directory on free loopback ports, makes an API key, and runs every schemathesis phase and check as
# scripts/lib/schemathesis.toml says: any 5xx, any answer the document does not describe, any valid request
# refused or invalid one accepted fails it. The server is stopped and the containers its node made are removed
# whatever happens. The JUnit report lands in test-output/api-fuzzing/.

BERTH_FUZZ_SCHEMATHESIS_VERSION=4.32.5
BERTH_FUZZ_VENV=${BERTH_FUZZ_VENV:-/opt/berth-fuzz}

# What schemathesis draws depends on these; pinned so that one seed makes the same requests on every machine.
berth_fuzz_requirements() {
  cat <<EOF
schemathesis==$BERTH_FUZZ_SCHEMATHESIS_VERSION
anyio==4.16.0
certifi==2026.10.19.post1
charset-normalizer==3.5.3
click==8.5.1
graphql-core==3.3.2
harfile==0.6.0
hypothesis==6.170.17
hypothesis-graphql==0.13.5
idna==3.20
iniconfig==2.3.1
jsonschema_rs==0.60.3
markdown-it-py==4.3.0
MarkupSafe==3.0.4
mdurl==0.1.2
packaging==26.4
pluggy==1.7.0
Pygments==2.21.0
pyrate-limiter==4.5.1
pytest==9.2.0
PyYAML==6.0.4
requests==2.34.2
rich==15.0.0
sortedcontainers==2.4.0
typing_extensions==4.16.0
urllib3==2.8.0
Werkzeug==3.1.9
EOF
}

# Installs the pinned schemathesis into its own venv, with Debian's python3; a venv that has it is left alone.
ensure_schemathesis() {
  ensure_packages python3 python3-venv curl
  local schemathesis="$BERTH_FUZZ_VENV/bin/schemathesis"
  if [ -x "$schemathesis" ] && [ "$("$schemathesis" --version 2>/dev/null)" = "schemathesis, version $BERTH_FUZZ_SCHEMATHESIS_VERSION" ]; then
    return 0
  fi
  say "installing schemathesis $BERTH_FUZZ_SCHEMATHESIS_VERSION into $BERTH_FUZZ_VENV"
  rm -rf "$BERTH_FUZZ_VENV"
  /usr/bin/python3 -m venv "$BERTH_FUZZ_VENV"
  "$BERTH_FUZZ_VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -r <(berth_fuzz_requirements)
}

# A TCP port nothing listens on at 127.0.0.1 right now.
berth_fuzz_free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Runs in a subshell of its own, so that its EXIT trap (stop the server, remove its containers) neither replaces
# the caller's nor waits for the caller to exit. Non-zero when schemathesis found anything.
run_api_fuzzing() {
  (
    set -euo pipefail
    berth_fuzz_run
  )
}

berth_fuzz_run() {
  local binary=${BERTH_FUZZ_BINARY:-.build/debug/berth}
  [ -x "$binary" ] || { echo "$binary is missing: build it first (swift build)" >&2; return 1; }
  ensure_schemathesis
  if [ -z "${DOCKER_HOST:-}" ] && declare -F ensure_docker_engine >/dev/null; then ensure_docker_engine; fi
  # Deploys run "Busybox echo"; no registry is reachable, so its image must be here (docker.sh builds it).
  if ! docker image inspect berth/busybox:latest >/dev/null 2>&1; then
    declare -F build_busybox_image >/dev/null || { echo "berth/busybox:latest is missing; source docker.sh" >&2; return 1; }
    build_busybox_image berth/busybox:latest
  fi

  BERTH_FUZZ_DIR=$(mktemp -d /tmp/berth-fuzz.XXXXXX)
  BERTH_FUZZ_PID=""
  trap berth_fuzz_cleanup EXIT
  trap 'exit 130' INT TERM
  local data="$BERTH_FUZZ_DIR/data" port daemon_port
  port=$(berth_fuzz_free_port)
  daemon_port=$(berth_fuzz_free_port)
  while [ "$daemon_port" = "$port" ]; do daemon_port=$(berth_fuzz_free_port); done
  # Only the image that runs without a registry: a deploy of another would make Docker try to pull it.
  mkdir -p "$BERTH_FUZZ_DIR/images"
  cp images/busybox-echo.json "$BERTH_FUZZ_DIR/images/"

  say "starting berth serve on 127.0.0.1:$port for API fuzzing (data in $data)"
  "$binary" serve --data "$data" --host 127.0.0.1 --port "$port" --daemon-port "$daemon_port" \
    --images "$BERTH_FUZZ_DIR/images" --failed-authentication-limit 100000 >"$BERTH_FUZZ_DIR/serve.log" 2>&1 &
  BERTH_FUZZ_PID=$!
  local api="http://127.0.0.1:$port/api" key node="" attempt
  # The web UI's sign-in page answers without an API key, so waiting costs no failed authentication.
  for attempt in $(seq 1 61); do
    [ "$attempt" -le 60 ] && kill -0 "$BERTH_FUZZ_PID" 2>/dev/null ||
      { echo "berth serve did not start; its log follows" >&2; tail -n 40 "$BERTH_FUZZ_DIR/serve.log" >&2; return 1; }
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" || true)" != 000 ] && break
    sleep 1
  done
  key=$("$binary" apikey create --data "$data" --name api-fuzzing | tail -n 1)
  # The local node registers itself, then reports by heartbeat; deploys need it online.
  for attempt in $(seq 1 60); do
    node=$(curl -sf "$api/nodes" -H "x-api-key: $key" |
      /usr/bin/python3 -c 'import json, sys; print(next((n["id"] for n in json.load(sys.stdin) if n["status"] == "online"), ""))') || true
    [ -n "$node" ] && break
    sleep 1
  done
  [ -n "$node" ] || { echo "the local node did not come online; the server's log follows" >&2; tail -n 40 "$BERTH_FUZZ_DIR/serve.log" >&2; return 1; }
  # The owner of most deploys (the config's "owners" dictionary).
  curl -sf -o /dev/null "$api/auth/create-user" -H "x-api-key: $key" \
    -d '{"username": "fuzz-owner", "email": "fuzz-owner@example.com", "password": "fuzz owner password", "userId": "fuzz-owner"}'
  # One installed instance whose files the file manager's operations act on (the config's path.id for them).
  local instance="" state=""
  instance=$(curl -sf "$api/instances/deploy" -H "x-api-key: $key" \
    -d "{\"image\": \"berth/busybox:latest\", \"imagename\": \"Busybox echo\", \"memory\": \"64MB\", \"cpu\": \"5%\", \"nodeId\": \"$node\", \"user\": \"fuzz-owner\", \"name\": \"files\", \"start\": false}" |
    /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["Id"])') || true
  [ -n "$instance" ] || { echo "the instance for the file routes was not deployed; the server's log follows" >&2; tail -n 40 "$BERTH_FUZZ_DIR/serve.log" >&2; return 1; }
  for attempt in $(seq 1 120); do
    state=$(curl -sf "$api/getInstance" -H "x-api-key: $key" -d "{\"id\": \"$instance\"}" |
      /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["InternalState"])') || true
    [ "$state" = READY ] && break
    sleep 0.5
  done
  [ "$state" = READY ] || { echo "the instance for the file routes did not install ($state)" >&2; return 1; }

  mkdir -p test-output/api-fuzzing
  # BERTH_FUZZ_SEED=N explores another seed; BERTH_FUZZ_ARGS adds schemathesis options (e.g. "--report har").
  local seed=() extra=()
  [ -z "${BERTH_FUZZ_SEED:-}" ] || seed=(--seed "$BERTH_FUZZ_SEED")
  read -r -a extra <<<"${BERTH_FUZZ_ARGS:-}"
  say "fuzzing $api with schemathesis $BERTH_FUZZ_SCHEMATHESIS_VERSION (all phases; scripts/lib/schemathesis.toml)"
  local started=$SECONDS status=0
  BERTH_FUZZ_NODE_ID=$node BERTH_FUZZ_INSTANCE_ID=$instance timeout 900 \
    "$BERTH_FUZZ_VENV/bin/schemathesis" --config-file scripts/lib/schemathesis.toml run "$api/openapi.json" \
    --header "x-api-key: $key" --phases examples,coverage,fuzzing,stateful "${seed[@]}" "${extra[@]}" --no-color \
    --report junit --report-junit-path test-output/api-fuzzing/junit.xml || status=$?
  say "API fuzzing took $((SECONDS - started)) s"
  # What the server logged as errors (a 5xx already fails the run; this says why).
  if grep -Eq '^[^ ]+ (error|critical) ' "$BERTH_FUZZ_DIR/serve.log"; then
    echo "the server logged these errors while it was fuzzed:" >&2
    grep -E '^[^ ]+ (error|critical) ' "$BERTH_FUZZ_DIR/serve.log" | tail -n 20 >&2
  fi
  return "$status"
}

# Stops the server we started and removes every container its node made (labelled berth.node=<its id>).
berth_fuzz_cleanup() {
  local status=$?
  if [ -n "${BERTH_FUZZ_PID:-}" ] && kill -0 "$BERTH_FUZZ_PID" 2>/dev/null; then
    kill -TERM "$BERTH_FUZZ_PID" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$BERTH_FUZZ_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$BERTH_FUZZ_PID" 2>/dev/null || true
    wait "$BERTH_FUZZ_PID" 2>/dev/null || true
  fi
  local node_id containers
  node_id=$(cat "$BERTH_FUZZ_DIR/data/node-id" 2>/dev/null || true)
  if [ -n "$node_id" ]; then
    containers=$(docker ps -aq --filter "label=berth.node=$node_id" 2>/dev/null || true)
    [ -z "$containers" ] || docker rm -f $containers >/dev/null 2>&1 || true
  fi
  unmount_under "$BERTH_FUZZ_DIR"
  rm -rf "$BERTH_FUZZ_DIR"
  return "$status"
}
