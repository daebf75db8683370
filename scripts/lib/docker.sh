# Finds a Docker engine that answers, or starts one of our own. Source it after common.sh.
#
# An engine we start has its own data root, exec root and socket, so it never disturbs
# another engine on the machine; `stop_own_docker_engine` stops only that one.

BERTH_DOCKER_ROOT=${BERTH_DOCKER_ROOT:-/var/lib/berth-docker}
BERTH_DOCKER_SOCKET=${BERTH_DOCKER_SOCKET:-/run/berth-docker/docker.sock}
BERTH_DOCKER_PIDFILE=/run/berth-docker/dockerd.pid
STARTED_OWN_DOCKER_ENGINE=0

docker_answers() { DOCKER_HOST="$1" timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# Sets DOCKER_HOST to an engine that answers, starting ours when none does.
ensure_docker_engine() {
  ensure_packages docker.io
  local candidate
  for candidate in "${DOCKER_HOST:-}" "unix://$BERTH_DOCKER_SOCKET" unix:///var/run/docker.sock; do
    if [ -n "$candidate" ] && docker_answers "$candidate"; then
      export DOCKER_HOST="$candidate"
      say "using the Docker engine at $DOCKER_HOST"
      return 0
    fi
  done
  say "starting a Docker engine at unix://$BERTH_DOCKER_SOCKET (data in $BERTH_DOCKER_ROOT)"
  mkdir -p "$BERTH_DOCKER_ROOT" "$(dirname "$BERTH_DOCKER_SOCKET")"
  # An engine that died leaves its pid file behind, and dockerd refuses to start beside one.
  if [ -f "$BERTH_DOCKER_PIDFILE" ] && ! kill -0 "$(cat "$BERTH_DOCKER_PIDFILE")" 2>/dev/null; then
    rm -f "$BERTH_DOCKER_PIDFILE"
  fi
  # containerd is started by dockerd itself when none is given, under the same exec root.
  nohup dockerd \
    --data-root "$BERTH_DOCKER_ROOT" \
    --exec-root /run/berth-docker/exec \
    --pidfile "$BERTH_DOCKER_PIDFILE" \
    --host "unix://$BERTH_DOCKER_SOCKET" \
    >"$BERTH_DOCKER_ROOT.log" 2>&1 &
  export DOCKER_HOST="unix://$BERTH_DOCKER_SOCKET"
  local attempt
  for attempt in $(seq 1 60); do
    if docker_answers "$DOCKER_HOST"; then
      STARTED_OWN_DOCKER_ENGINE=1
      return 0
    fi
    sleep 1
  done
  echo "the Docker engine did not answer within 60 s; its log follows" >&2
  tail -n 40 "$BERTH_DOCKER_ROOT.log" >&2
  return 1
}

# Stops the engine that ensure_docker_engine started, and only that one.
stop_own_docker_engine() {
  [ "$STARTED_OWN_DOCKER_ENGINE" = 1 ] || return 0
  local pid
  pid=$(cat "$BERTH_DOCKER_PIDFILE" 2>/dev/null) || return 0
  say "stopping the Docker engine we started"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 1; done
  kill -9 "$pid" 2>/dev/null || true
}

# Builds the small local images the tests use. No registry is reachable, so they are
# imported from a busybox root made of Debian's busybox-static.
build_test_images() {
  # Programs that try what the seccomp profile allows and refuses (TenantContainerTests): fileattr-probe the
  # file-attribute ioctls, i386-probe 32-bit system calls.
  local probes sources
  probes=$(mktemp -d)
  sources="$(dirname "${BASH_SOURCE[0]}")/test-image"
  clang -static -O2 -o "$probes/fileattr-probe" "$sources/fileattr-probe.c"
  clang -m32 -static -nostdlib -ffreestanding -fno-pic -O1 -o "$probes/i386-probe" "$sources/i386-probe.c"
  build_busybox_image berth-test/busybox:latest "$probes/fileattr-probe" "$probes/i386-probe"
  rm -rf "$probes"
  say "test image berth-test/busybox:latest is ready"
}

# Imports a busybox root made of Debian's busybox-static as the image named $1, with the programs named
# after it in /bin.
build_busybox_image() {
  ensure_packages busybox-static
  local name=$1 root
  shift
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/data" "$root/etc"
  cp /bin/busybox "$root/bin/busybox"
  [ $# -eq 0 ] || cp "$@" "$root/bin/"
  local applet
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'nobody:x:65534:65534:nobody:/:/bin/false' >>"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
  echo 'nogroup:x:65534:' >>"$root/etc/group"
  tar -C "$root" -c . | docker import \
    --change 'CMD ["sh"]' \
    --change 'ENV PATH=/bin' \
    --change 'LABEL org.opencontainers.image.title=berth-busybox' \
    - "$name" >/dev/null
  rm -rf "$root"
}
