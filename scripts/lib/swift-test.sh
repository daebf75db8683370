# Runs `swift test` for scripts/test under a watchdog. Source it after common.sh.
#
# A run that hangs (a test waiting for something that never comes) would otherwise sit until CI's own limit
# and be killed there with nothing said, its last lines lost in a buffer. Here each run's output is
# line-buffered through to ours and kept; a run still going after BERTH_TEST_RUN_MINUTES (15: a whole run
# takes about 3 on two cores) is stopped, and the tests that started and never ended are named last, where
# a reader of the end of the log sees them. The limit catches hangs only; no test's speed is judged by it.

BERTH_TEST_RUN_MINUTES=${BERTH_TEST_RUN_MINUTES:-15}

run_swift_tests() {
  local log status
  log=$(mktemp /tmp/berth-swift-test.XXXXXX)
  set +e
  # stdbuf reaches the test runner that swift test starts through the environment (LD_PRELOAD), so each line
  # is out as soon as it is written. timeout signals the whole process group: swift test and its runner.
  timeout --kill-after=30 "${BERTH_TEST_RUN_MINUTES}m" stdbuf -oL -eL swift test "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "swift test $* was still running after $BERTH_TEST_RUN_MINUTES minutes and was stopped." >&2
    echo "These tests started and never ended:" >&2
    unfinished_tests "$log" >&2
  fi
  rm -f "$log"
  return "$status"
}

# The tests a Swift Testing log shows started but neither passed nor failed, one per line.
unfinished_tests() {
  python3 - "$1" <<'EOF'
import re, sys

started, ended = [], set()
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    if match := re.search(r'Test (.+) started\.$', line.rstrip()):
        started.append(match[1])
    elif match := re.search(r'Test (.+) (passed|failed) after [0-9.]+ seconds|Test (.+) skipped', line):
        ended.add(match[1] or match[3])
for name in started:
    if name not in ended:
        print("  " + name)
EOF
}
