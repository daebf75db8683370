# The web UI's tests in a real browser. Source it; do not run it.

# axe-core, the accessibility checker the browser tests run on every page: the copy that the PyPI package
# axe-selenium-python carries (pinned by its hash), unpacked once. Only the script is used, injected by the tests.
BERTH_AXE_WHEEL=axe_selenium_python-2.1.6-py2.py3-none-any.whl
BERTH_AXE_SHA256=21d10014c0bc3c999c1bfab54b9ef6a5d67f200ffca3db3629e0b315b3f1f136
BERTH_AXE_DIR=${BERTH_AXE_DIR:-/opt/berth-axe}

ensure_axe() {
  ensure_packages python3 python3-venv
  [ -s "$BERTH_AXE_DIR/axe.min.js" ] && return 0
  say "fetching axe-core (axe-selenium-python 2.1.6) into $BERTH_AXE_DIR"
  local work
  work=$(mktemp -d)
  /usr/bin/python3 -m venv "$work/venv"
  echo "axe-selenium-python==2.1.6 --hash=sha256:$BERTH_AXE_SHA256" >"$work/requirements.txt"
  "$work/venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --require-hashes -r "$work/requirements.txt" -d "$work"
  mkdir -p "$BERTH_AXE_DIR"
  /usr/bin/python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("axe_selenium_python/node_modules/axe-core/axe.min.js"))' \
    "$work/$BERTH_AXE_WHEEL" "$BERTH_AXE_DIR/axe.min.js"
  rm -rf "$work"
}

# Runs Tests/Browser: the console's terminal renderer alone under node, then the pages against a real
# `berth serve` (the debug build) in headless chromium. Screenshots of every main page land in
# test-output/screenshots. python3-pyzbar reads back the two-factor QR code the page draws.
run_browser_tests() {
  ensure_packages chromium chromium-driver python3-selenium python3-pyzbar nodejs
  ensure_axe
  say "checking the console's terminal renderer under node"
  /usr/bin/node Tests/Browser/test_terminal.js
  # The "Busybox echo" image the tests deploy runs this locally built image.
  docker image inspect berth/busybox:latest >/dev/null 2>&1 || build_busybox_image berth/busybox:latest
  say "running the web UI's tests in headless chromium (screenshots in test-output/screenshots)"
  # Debian's python has Debian's selenium; a python of its own earlier on PATH may not.
  BERTH_AXE_JS="$BERTH_AXE_DIR/axe.min.js" /usr/bin/python3 Tests/Browser/test_web_ui.py
}
