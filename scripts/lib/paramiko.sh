# paramiko (PyPI) for the SFTP tests' second client (scripts/lib/sftp-probe.py). Debian's python3-paramiko
# (2.12) has no AES-GCM, the only ciphers swift-nio-ssh offers; 3.5 and later do. Source it after common.sh.

BERTH_PARAMIKO_VENV=${BERTH_PARAMIKO_VENV:-/opt/berth-paramiko}

berth_paramiko_requirements() {
  cat <<'REQUIREMENTS'
paramiko==5.1.0
bcrypt==5.0.0
cffi==2.1.1
cryptography==50.0.2
invoke==3.0.3
pycparser==3.12
PyNaCl==1.6.2
REQUIREMENTS
}

# Installs the pinned paramiko into its own venv (left alone when it has it) and tells the tests where it is.
ensure_paramiko() {
  ensure_packages python3 python3-venv
  local python="$BERTH_PARAMIKO_VENV/bin/python"
  if ! [ -x "$python" ] || [ "$("$python" -c 'import paramiko; print(paramiko.__version__)' 2>/dev/null)" != "5.1.0" ]; then
    say "installing paramiko into $BERTH_PARAMIKO_VENV"
    rm -rf "$BERTH_PARAMIKO_VENV"
    /usr/bin/python3 -m venv "$BERTH_PARAMIKO_VENV"
    "$BERTH_PARAMIKO_VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -r <(berth_paramiko_requirements)
  fi
  export BERTH_PARAMIKO_PYTHON="$python"
}
