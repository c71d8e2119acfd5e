#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every function in the given C files is at most MAX lines long, from its
# opening "{" to its closing "}" (both in column 0, the project's style), so
# a reviewer can read each one at a glance (DESIGN.md "Rules of each file").
#
#   test/style/function-length.sh [-m MAX] FILE...      (default MAX: 60)
#
# Prints each longer function with its length and exits 1 if there is one.
set -u
max=60
if [ "${1:-}" = -m ]; then
	max=$2
	shift 2
fi
awk -v max="$max" '
	FNR == 1 { start = 0; signature = "" }
	/^\{$/ { start = FNR; name = signature }
	/^\}/ && start {
		length_ = FNR - start + 1
		if (length_ > max) {
			printf "%s:%d: %d lines (at most %d): %s\n", FILENAME, start, length_, max, name
			long++
		}
		start = 0
	}
	/^[A-Za-z_]/ { signature = $0 }
	END { exit long > 0 }
' "$@"
