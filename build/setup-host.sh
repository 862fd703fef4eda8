#!/usr/bin/env bash
# Host set-up: the Debian/Ubuntu packages Kubedeck's demo, test clusters and CI need, installed once.
# Used by `npm run demo` (profile demo) and by .ci/run (profile ci), so both need the same things.
#
#   bash build/setup-host.sh [demo|ci]
#
# As root on Debian or Ubuntu it installs what is missing with apt-get (no prompts, no terminal, no stdin
# needed). Otherwise it installs nothing and says exactly what to run; it exits 1 only when something
# needed is missing. A machine that already has everything gets no apt call at all.
set -euo pipefail

profile="${1:-demo}"
# package → a file it provides, so the check also works where dpkg is missing (e.g. macOS).
#   demo: the test clusters (busybox for the busybox/notar images, python3 for PTYs, openssl for certs)
#   ci:   also chromium (Playwright's browser), asciinema (recordings are checked with it), fonts for
#         screenshots, python3-kubernetes (the python client in the conformance test), OpenSSH, sshfs,
#         paramiko and asyncssh (the SSH gateway's tests drive real clients)
# (a function, not an associative array: macOS ships bash 3.2)
provides() {
  case "$1" in
    busybox-static) echo /bin/busybox ;;
    python3) echo /usr/bin/python3 ;;
    openssl) echo /usr/bin/openssl ;;
    chromium) echo /usr/bin/chromium ;;
    asciinema) echo /usr/bin/asciinema ;;
    fonts-dejavu-core) echo /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ;;
    python3-kubernetes) echo /usr/lib/python3/dist-packages/kubernetes/__init__.py ;;
    openssh-client) echo /usr/bin/ssh ;;
    openssh-sftp-server) echo /usr/lib/openssh/sftp-server ;;
    sshfs) echo /usr/bin/sshfs ;;
    python3-paramiko) echo /usr/lib/python3/dist-packages/paramiko/__init__.py ;;
    python3-asyncssh) echo /usr/lib/python3/dist-packages/asyncssh/__init__.py ;;
  esac
}
case "$profile" in
  demo) wanted=(busybox-static python3 openssl) ;;
  ci) wanted=(busybox-static python3 openssl chromium asciinema fonts-dejavu-core python3-kubernetes openssh-client openssh-sftp-server sshfs python3-paramiko python3-asyncssh) ;;
  *) echo "setup-host: unknown profile '$profile' (use demo or ci)" >&2; exit 2 ;;
esac

missing=()
for p in "${wanted[@]}"; do
  if command -v dpkg >/dev/null 2>&1; then
    dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
  else
    [[ -e "$(provides "$p")" ]] || missing+=("$p")
  fi
done
((${#missing[@]})) || exit 0

cmd="apt-get update && apt-get install -y ${missing[*]}"
if [[ "$(uname -s)" != Linux ]] || ! command -v apt-get >/dev/null 2>&1; then
  {
    echo "setup-host: this is not Debian or Ubuntu, so nothing was installed."
    echo "  Kubedeck's test clusters need Linux and root, and these Debian packages or their equivalents: ${missing[*]}"
    echo "  (on Debian or Ubuntu: $cmd)"
    echo "  Kubedeck itself needs none of them: point it at your own clusters with \`npx kubedeck serve\`."
  } >&2
  exit 1
fi
if [[ "$(id -u)" != 0 ]]; then
  {
    echo "setup-host: missing packages: ${missing[*]}"
    echo "  install them as root, then run this again:"
    echo "    sudo sh -c '$cmd'"
  } >&2
  exit 1
fi

echo "setup-host: installing ${missing[*]} (apt-get)…" >&2
export DEBIAN_FRONTEND=noninteractive
# </dev/null: apt and dpkg scripts must never wait for input (CI has no terminal and no stdin).
apt-get update -qq </dev/null
apt-get install -y -qq "${missing[@]}" </dev/null >/dev/null
echo "setup-host: done." >&2
