#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every document a comment cites is in the repository: each <name>.md named
# in the given files exists (relative to the repository root), and each
# <name>.md "Section" names a heading of that file.  So a reviewer can follow
# every pointer the code gives.
#
#   test/style/doc-references.sh FILE...
#
# Prints each broken reference and exits 1 if there is one.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
status=0
for file in "$@"; do
	# Every *.md name, and every *.md "Section" pair, one per line.
	grep -oE '[A-Za-z0-9_./-]+\.md( "[^"]+")?' "$file" | sort -u | while IFS= read -r ref; do
		doc=${ref%% \"*}
		if [ ! -f "$root/$doc" ]; then
			echo "$file: cites $doc, which is not in the repository"
			echo x
			continue
		fi
		case $ref in
		*\"*)
			section=${ref#*\"}
			section=${section%\"}
			# A heading that holds the section's words (the code may
			# quote a heading's start).
			if ! grep -E '^#+ ' "$root/$doc" | grep -qF -- "$section"; then
				echo "$file: cites $doc \"$section\", which has no such heading"
				echo x
			fi
			;;
		esac
	done
done | {
	while IFS= read -r line; do
		if [ "$line" = x ]; then status=1; else echo "$line"; fi
	done
	exit $status
}
