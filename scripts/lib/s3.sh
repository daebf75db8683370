# A throwaway S3-compatible server for the backup tests: moto (PyPI) in server mode on loopback, with its
# signature checks on (by default it takes any signature: INITIAL_NO_AUTH_ACTION_COUNT lets only the
# three setup calls of test-s3-setup.py through unsigned). botocore, beside it, is the independent SigV4
# signer the ObjectStorage tests compare ours with. Source it after common.sh.

BERTH_MOTO_VENV=${BERTH_MOTO_VENV:-/opt/berth-moto}
BERTH_TEST_S3_PORT=${BERTH_TEST_S3_PORT:-15900}
BERTH_TEST_S3_PID=""

# moto's S3 and IAM with no more than they import; its [server] extra would bring every AWS service's.
berth_moto_requirements() {
  cat <<'REQUIREMENTS'
moto==5.2.5
boto3==1.44.8
botocore==1.44.8
s3transfer==0.19.3
jmespath==1.1.0
python-dateutil==2.9.0.post0
six==1.17.0
urllib3==2.8.0
requests==2.34.2
certifi==2026.10.19.post1
idna==3.20
charset-normalizer==3.5.3
responses==0.26.3
PyYAML==6.0.4
Werkzeug==3.1.9
MarkupSafe==3.0.4
Jinja2==3.1.6
xmltodict==1.0.4
cryptography==50.0.2
cffi==2.1.1
pycparser==3.12
Flask==3.1.3
flask-cors==6.0.5
blinker==1.9.0
click==8.5.1
itsdangerous==2.2.0
py-partiql-parser==0.6.3
REQUIREMENTS
}

ensure_moto() {
  ensure_packages python3 python3-venv
  local python="$BERTH_MOTO_VENV/bin/python"
  if ! [ -x "$python" ] || [ "$("$python" -c 'import moto; print(moto.__version__)' 2>/dev/null)" != "5.2.5" ]; then
    say "installing moto into $BERTH_MOTO_VENV"
    rm -rf "$BERTH_MOTO_VENV"
    /usr/bin/python3 -m venv "$BERTH_MOTO_VENV"
    "$BERTH_MOTO_VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -r <(berth_moto_requirements)
  fi
  export BERTH_TEST_S3_PYTHON="$python"
}

# Starts moto, makes a user whose key may use S3, and a bucket, and tells the tests where and how
# (BERTH_TEST_S3_ENDPOINT, _BUCKET, _ACCESS_KEY_ID, _SECRET_ACCESS_KEY).
start_test_s3() {
  ensure_moto
  stop_test_s3
  say "starting a throwaway S3-compatible server (moto) on 127.0.0.1:$BERTH_TEST_S3_PORT"
  INITIAL_NO_AUTH_ACTION_COUNT=3 "$BERTH_MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p "$BERTH_TEST_S3_PORT" \
    >/tmp/berth-test-s3.log 2>&1 &
  BERTH_TEST_S3_PID=$!
  export BERTH_TEST_S3_ENDPOINT="http://127.0.0.1:$BERTH_TEST_S3_PORT"
  local settings
  settings=$("$BERTH_TEST_S3_PYTHON" scripts/lib/test-s3-setup.py "$BERTH_TEST_S3_ENDPOINT") || {
    cat /tmp/berth-test-s3.log >&2
    return 1
  }
  eval "$settings"
}

stop_test_s3() {
  [ -n "$BERTH_TEST_S3_PID" ] || return 0
  kill "$BERTH_TEST_S3_PID" 2>/dev/null || true
  wait "$BERTH_TEST_S3_PID" 2>/dev/null || true
  BERTH_TEST_S3_PID=""
}
