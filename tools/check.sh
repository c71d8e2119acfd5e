#!/usr/bin/env bash
# Quick start, command 2 (and what CI runs): installs what is missing
# (Debian 12 or 13 packages), builds, and runs every test (`make check`).  Needs root:
# the end-to-end tests create private network and mount namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install-deps.sh
exec make --no-print-directory check
