# Shared by scripts/test, scripts/serve and scripts/bench. Source it; do not run it.

# Prints a step so a long run says where it is.
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs the Debian packages that are missing; a machine that has them all is left alone.
ensure_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run as root, or install them with apt-get)" >&2
    return 1
  fi
  say "installing ${missing[*]}"
  # An old package list finds nothing on a new machine; refresh it once.
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# Unmounts every file system mounted under a folder (the disk images of a node's instances with a disk
# limit), deepest first, so that a node's data folder can be removed when a run ends.
unmount_under() {
  local folder
  folder=$(realpath -m "$1")
  awk -v prefix="$folder/" 'index($2, prefix) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r point; do
    umount -l "$point" 2>/dev/null || true
  done
}
