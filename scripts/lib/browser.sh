# The web UI's tests in a real browser. Source it; do not run it.

# Runs Tests/Browser: the console's terminal renderer alone under node, then the pages against a real
# `berth serve` (the debug build) in headless chromium. Screenshots of every main page land in
# test-output/screenshots. python3-pyzbar reads back the two-factor QR code the page draws.
run_browser_tests() {
  ensure_packages chromium chromium-driver python3-selenium python3-pyzbar nodejs
  say "checking the console's terminal renderer under node"
  /usr/bin/node Tests/Browser/test_terminal.js
  # The "Busybox echo" image the tests deploy runs this locally built image.
  docker image inspect berth/busybox:latest >/dev/null 2>&1 || build_busybox_image berth/busybox:latest
  say "running the web UI's tests in headless chromium (screenshots in test-output/screenshots)"
  # Debian's python has Debian's selenium; a python of its own earlier on PATH may not.
  /usr/bin/python3 Tests/Browser/test_web_ui.py
}
