#!/bin/sh
# Installs the Debian packages the test suite needs, if they are missing:
# the PostgreSQL 15 server binaries (initdb, pg_ctl) used for the throwaway test server.
set -eu
PG_BIN=/usr/lib/postgresql/15/bin
if [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && id postgres >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL 15 server binaries are missing and this is not root:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y postgresql-15" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends postgresql-15
