#!/usr/bin/env bash
# Quick start, command 1: installs what is missing (Debian 12 or 13 packages),
# builds, and shows the module at work in a private namespace (demo/demo.sh).
# Changes nothing on the host but the installed packages.  Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install-deps.sh
make --no-print-directory all
exec demo/demo.sh
