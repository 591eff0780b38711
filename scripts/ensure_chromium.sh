#!/usr/bin/env bash
# Make sure Debian's chromium is at /usr/bin/chromium for the browser tests.
# Present: nothing to do (no apt at all). Missing: install it with apt-get, as root directly
# or through sudo. Where neither works, say in one message what to run, and exit 1.
set -uo pipefail
CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0

explain() {
  cat >&2 <<MSG
==> The browser tests need Debian's chromium at $CHROMIUM, and it is missing.
    $1
    Install it once, then run the tests again:
        sudo apt-get update && sudo apt-get install -y chromium      # (as root: without sudo)
MSG
  exit 1
}

command -v apt-get >/dev/null 2>&1 || explain "This machine has no apt-get (not Debian or Ubuntu), so it cannot be installed for you."
if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  # With a terminal sudo may ask for a password; without one (CI) it must not wait for it.
  if [ -t 0 ]; then as_root=(sudo); else as_root=(sudo -n); fi
else
  explain "You are not root and sudo is not installed, so it cannot be installed for you."
fi
echo "==> installing Debian's chromium for the browser tests (${as_root[*]:-as root} apt-get install chromium)"
"${as_root[@]}" apt-get update -qq \
  && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
  || explain "apt-get could not install it (see the lines above)."
[ -x "$CHROMIUM" ] || explain "apt-get finished, but $CHROMIUM is still missing."
