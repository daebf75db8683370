#!/usr/bin/env bash
# Builds and removes the machines of the cluster test (Tests/BerthClusterTests): network namespaces
# berth-test-cluster-1…N joined by the bridge berthcl0, node N at 10.231.0.(10+N), this machine at
# 10.231.0.1, and in each namespace a Docker engine of its own (its own data root, exec root, socket and
# bridge), so an instance's published ports land on its node's address and no two nodes share containers.
# The test images ($BERTH_CLUSTER_IMAGES, berth-test/busybox:latest unless set) are copied into each engine
# from the engine at $DOCKER_HOST. Nothing is routed off the
# machine: the subnet is reached only through the bridge.
#
#   test-cluster.sh up DIRECTORY COUNT   # prints nothing; engine N answers at unix://DIRECTORY/engine-N/docker.sock
#   test-cluster.sh down DIRECTORY       # removes all of it, also what a crashed run left
set -euo pipefail

bridge=berthcl0
subnet_prefix=10.231.0

namespace() { echo "berth-test-cluster-$1"; }

down() {
  local directory=$1 name pid
  for name in $(ip netns list 2>/dev/null | awk '/^berth-test-cluster-/ { print $1 }'); do
    # The engines first, gracefully, so they unmount what they mounted; then whatever is left in the namespace.
    for pid in $(ip netns pids "$name" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    for _ in $(seq 1 50); do [ -z "$(ip netns pids "$name" 2>/dev/null)" ] && break; sleep 0.2; done
    ip netns pids "$name" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns delete "$name" 2>/dev/null || true
  done
  ip link delete "$bridge" 2>/dev/null || true
  while iptables -D FORWARD -i "$bridge" -o "$bridge" -j ACCEPT 2>/dev/null; do :; done
  if [ -d "$directory" ]; then
    # Mounts an engine killed mid-way left behind (its overlays, its namespaces' files), deepest first.
    awk -v prefix="$directory/" 'index($2, prefix) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r -n 1 umount -l 2>/dev/null || true
    rm -rf "$directory"
  fi
}

up() {
  local directory=$1 count=$2 index name engine
  down "$directory"
  mkdir -p "$directory"
  ip link add "$bridge" type bridge
  ip addr add "$subnet_prefix.1/24" dev "$bridge"
  ip link set "$bridge" up
  # Docker's engine on this machine drops forwarded traffic by default; nodes talk to each other (transfers).
  iptables -I FORWARD -i "$bridge" -o "$bridge" -j ACCEPT
  for index in $(seq 1 "$count"); do
    name=$(namespace "$index")
    ip netns add "$name"
    ip link add "btcl${index}h" type veth peer name "btcl${index}n"
    ip link set "btcl${index}n" netns "$name"
    ip link set "btcl${index}h" master "$bridge" up
    ip -n "$name" link set lo up
    ip -n "$name" addr add "$subnet_prefix.$((10 + index))/24" dev "btcl${index}n"
    ip -n "$name" link set "btcl${index}n" up
    ip -n "$name" route add default via "$subnet_prefix.1"
    engine="$directory/engine-$index"
    mkdir -p "$engine"
    echo '{}' >"$engine/daemon.json"
    # nsenter joins the network namespace alone: the engine's mounts (and the node daemon's disk images)
    # stay in this machine's mount namespace, where both see them.
    nsenter --net="/run/netns/$name" dockerd \
      --config-file "$engine/daemon.json" \
      --data-root "$engine/root" \
      --exec-root "$engine/exec" \
      --pidfile "$engine/docker.pid" \
      --host "unix://$engine/docker.sock" \
      >"$engine/log" 2>&1 </dev/null &
  done
  for index in $(seq 1 "$count"); do
    engine="$directory/engine-$index"
    for _ in $(seq 1 120); do
      DOCKER_HOST="unix://$engine/docker.sock" docker version >/dev/null 2>&1 && break
      sleep 0.5
    done
    DOCKER_HOST="unix://$engine/docker.sock" docker version >/dev/null 2>&1 || {
      echo "the engine of node $index did not start; its log:" >&2
      tail -n 30 "$engine/log" >&2
      exit 1
    }
    for image in ${BERTH_CLUSTER_IMAGES:-berth-test/busybox:latest}; do
      docker save "$image" | DOCKER_HOST="unix://$engine/docker.sock" docker load >/dev/null
    done
  done
}

case "${1:-}" in
  up) up "$2" "$3" ;;
  down) down "$2" ;;
  *)
    echo "usage: $0 up DIRECTORY COUNT | down DIRECTORY" >&2
    exit 2
    ;;
esac
