#!/bin/sh
# Installs the Debian packages the test suite needs, if they are missing:
# - the PostgreSQL 15 server binaries (initdb, pg_ctl) used for the throwaway test server;
# - Debian's chromium, driven by Playwright in the browser tests (`playwright install`
#   downloads a browser and fails offline, so the tests use /usr/bin/chromium).
set -eu
PG_BIN=/usr/lib/postgresql/15/bin
missing=""
if ! { [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && id postgres >/dev/null 2>&1; }; then
    missing="$missing postgresql-15"
fi
if [ ! -x /usr/bin/chromium ]; then
    missing="$missing chromium"
fi
if [ -z "$missing" ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "Debian packages missing and this is not root:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086 # one word per package
apt-get install -y --no-install-recommends $missing
