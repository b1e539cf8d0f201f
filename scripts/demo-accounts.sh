#!/bin/sh
# The demo accounts of `make demo`, one per role, then what to open and how to sign in.
#
# The accounts are made with `padu user add --demo`: their passwords are printed here for
# anyone to read, so the web app and the API refuse them unless the server runs with
# `padu serve --demo`. Safe to run again: an account that exists is left as it is.
#
# Usage: PADU=".venv/bin/padu --home padu-data" sh scripts/demo-accounts.sh [URL]
set -eu
: "${PADU:?setel PADU ke perintah padu, mis. PADU=\".venv/bin/padu --home padu-data\"}"
URL=${1:-http://127.0.0.1:8000/}

#      name          role      password               agency
ACCOUNTS='demo-admin    admin     kaltara-admin-2026     -
demo-operator  operator  kaltara-operator-2026  -
demo-opd       opd       kaltara-opd-2026       PERKIM
demo-viewer    viewer    kaltara-viewer-2026    -'

printf '%s\n' "$ACCOUNTS" | while read -r name role password agency; do
    if [ "$agency" = "-" ]; then set --; else set -- --agency "$agency"; fi
    # shellcheck disable=SC2086 # $PADU is a command with its arguments
    if ! out=$(PADU_PASSWORD=$password $PADU user add "$name" --role "$role" "$@" \
        --demo --by make-demo 2>&1); then
        case $out in
            *"sudah ada"*) ;;  # made by an earlier `make demo`
            *) printf '%s\n' "$out" >&2; exit 1 ;;
        esac
    fi
done

echo
echo "Padu (mode demo) akan berjalan di $URL  -- hentikan dengan Ctrl+C"
echo "Akun demo (hanya diterima oleh server mode demo):"
printf '%s\n' "$ACCOUNTS" | while read -r name role password agency; do
    if [ "$agency" = "-" ]; then where=""; else where=" (instansi $agency)"; fi
    printf '  %-9s %-14s kata sandi: %s%s\n' "$role" "$name" "$password" "$where"
done
echo
