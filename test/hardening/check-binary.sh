#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Hardening checks of the built module and CLI, and of the module's sources.
#
#   test/hardening/check-binary.sh [BUILD_DIR]      (default: build)
#
# Binaries (readelf/nm from binutils), for BUILD/libnss_srvsip.so.2 and
# BUILD/srvsip-lookup:
#   - full RELRO: a GNU_RELRO segment and BIND_NOW / FLAGS NOW
#   - non-executable stack: GNU_STACK without E
#   - stack protector: __stack_chk_fail imported
#   - FORTIFY: some __*_chk function imported
#   - no TEXTREL, no RPATH/RUNPATH (and srvsip-lookup is a PIE)
# Module only:
#   - exports exactly the five _nss_srvsip_* entry points
#   - imports nothing that could touch the application's stdio, random
#     state or life (printf family, puts, perror, rand family, exit, abort...)
# Sources (src/, comments removed; tools/ may do all of this):
#   - no rand()/random()/srand(), no printf/puts/perror, no fprintf to
#     stdout/stderr, no exit/abort/assert
#
# Prints PASS/FAIL per check and "N passed, M failed"; exits 1 on a failure.
set -u

BUILD=${1:-build}
MODULE=$BUILD/libnss_srvsip.so.2
LOOKUP=$BUILD/srvsip-lookup
SRC=${SRC:-src}
pass=0
fail=0

ok() {
	pass=$((pass + 1))
	echo "PASS: $1"
}

bad() {
	fail=$((fail + 1))
	echo "FAIL: $1${2:+ ($2)}"
}

# check DESCRIPTION COMMAND...: PASS when the command succeeds.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else bad "$desc"; fi
}

for tool in readelf nm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "check-binary: $tool (binutils) is missing" >&2
		exit 2
	fi
done

has_relro() { readelf -lW "$1" 2>/dev/null | grep -q 'GNU_RELRO'; }
has_bind_now() {
	readelf -dW "$1" 2>/dev/null | grep -Eq '\(BIND_NOW\)|\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*NOW'
}
stack_not_exec() {
	line=$(readelf -lW "$1" 2>/dev/null | grep 'GNU_STACK') || return 1
	# The flags column is the one before the alignment: RW, not RWE.
	flags=$(echo "$line" | awk '{print $(NF-1)}')
	case $flags in *E*) return 1 ;; esac
	return 0
}
no_textrel() { ! readelf -dW "$1" 2>/dev/null | grep -Eq '\(TEXTREL\)|\(FLAGS\).*TEXTREL'; }
no_rpath() { ! readelf -dW "$1" 2>/dev/null | grep -Eq '\((RPATH|RUNPATH)\)'; }
is_pie() { readelf -hW "$1" 2>/dev/null | grep -Eq 'Type:[[:space:]]+DYN'; }
imports() { nm -D --undefined-only "$1" 2>/dev/null | awk '{print $NF}' | sed 's/@.*//'; }
imports_stack_chk() { imports "$1" | grep -qx '__stack_chk_fail'; }
fortify_imports() { imports "$1" | grep -v '^__stack_chk_fail$' | grep -E '^__[a-z0-9_]+_chk$'; }

for bin in "$MODULE" "$LOOKUP"; do
	name=$(basename "$bin")
	if [ ! -f "$bin" ]; then
		bad "$name exists" "run make first"
		continue
	fi
	check "$name: GNU_RELRO segment" has_relro "$bin"
	check "$name: BIND_NOW (full RELRO)" has_bind_now "$bin"
	check "$name: non-executable stack (GNU_STACK without E)" stack_not_exec "$bin"
	check "$name: stack protector (__stack_chk_fail imported)" imports_stack_chk "$bin"
	check "$name: no text relocations (TEXTREL)" no_textrel "$bin"
	check "$name: no RPATH/RUNPATH" no_rpath "$bin"
	chk=$(fortify_imports "$bin" | tr '\n' ' ' | sed 's/ $//')
	if [ -n "$chk" ]; then
		ok "$name: FORTIFY ($chk)"
	else
		bad "$name: FORTIFY (no __*_chk function imported)"
	fi
done

if [ -f "$LOOKUP" ]; then
	check "srvsip-lookup: position-independent executable (ELF type DYN)" is_pie "$LOOKUP"
fi

if [ -f "$MODULE" ]; then
	expected="_nss_srvsip_getservbyname_r
_nss_srvsip_gethostbyname2_r
_nss_srvsip_gethostbyname3_r
_nss_srvsip_gethostbyname4_r
_nss_srvsip_gethostbyname_r"
	exported=$(nm -D --defined-only "$MODULE" | awk '{print $NF}' | sed 's/@.*//' | sort)
	if [ "$exported" = "$(echo "$expected" | sort)" ]; then
		ok "libnss_srvsip.so.2: exports exactly the five _nss_srvsip_* entry points"
	else
		bad "libnss_srvsip.so.2: exports exactly the five _nss_srvsip_* entry points" \
			"exports: $(echo "$exported" | tr '\n' ' ')"
	fi
	forbidden='^(rand|rand_r|random|random_r|srand|srandom|srand48|drand48|lrand48|mrand48|printf|__printf_chk|vprintf|__vprintf_chk|fprintf|__fprintf_chk|vfprintf|__vfprintf_chk|dprintf|__dprintf_chk|puts|fputs|putchar|fputc|putc|fwrite|perror|warn|warnx|err|errx|error|exit|_exit|_Exit|quick_exit|abort|__assert_fail|stdout|stderr|openlog|syslog|vsyslog|closelog|setlogmask|res_init|__res_init|__res_state|signal|sigaction|setlocale)$'
	found=$(imports "$MODULE" | grep -E "$forbidden" | tr '\n' ' ')
	if [ -z "$found" ]; then
		ok "libnss_srvsip.so.2: imports no stdio output, rand, exit/abort, syslog or _res"
	else
		bad "libnss_srvsip.so.2: imports no stdio output, rand, exit/abort, syslog or _res" \
			"imports: $found"
	fi
fi

# ---- sources ------------------------------------------------------------
# Comments and string literals removed (the C preprocessor drops comments
# without expanding anything with -fpreprocessed; sed blanks strings).
strip_source() {
	${CPP_STRIP:-gcc} -fpreprocessed -dD -E -P -x c "$1" 2>/dev/null |
		sed -e 's/"\([^"\\]\|\\.\)*"/""/g' -e "s/'\\([^'\\\\]\\|\\\\.\\)*'/''/g"
}

source_check() { # DESCRIPTION REGEX
	hits=""
	for f in "$SRC"/*.c "$SRC"/*.h; do
		[ -f "$f" ] || continue
		if strip_source "$f" | grep -Eq "$2"; then
			hits="$hits $(basename "$f")"
		fi
	done
	if [ -z "$hits" ]; then ok "$SRC/: $1"; else bad "$SRC/: $1" "in:$hits"; fi
}

if [ -d "$SRC" ]; then
	if ! command -v "${CPP_STRIP:-gcc}" >/dev/null 2>&1; then
		bad "source checks" "${CPP_STRIP:-gcc} is missing"
	else
		source_check "no rand()/random()/srand()" \
			'(^|[^A-Za-z0-9_.>])(rand|random|srand|srandom|rand_r|drand48|lrand48|mrand48)[[:space:]]*\('
		source_check "no printf/puts/perror/vprintf/putchar" \
			'(^|[^A-Za-z0-9_.>])(printf|vprintf|puts|perror|putchar)[[:space:]]*\('
		source_check "no fprintf/vfprintf/fputs/fwrite to stdout/stderr" \
			'(^|[^A-Za-z0-9_.>])(fprintf|vfprintf|fputs|fputc|putc|fwrite|fflush|dprintf)[[:space:]]*\(.*(stdout|stderr|STDOUT_FILENO|STDERR_FILENO|[(,][[:space:]]*[12][[:space:]]*,)|(^|[^A-Za-z0-9_])(stdout|stderr)([^A-Za-z0-9_]|$)'
		source_check "no exit/_exit/abort/assert" \
			'(^|[^A-Za-z0-9_.>])(exit|_exit|_Exit|quick_exit|abort|assert)[[:space:]]*\('
	fi
else
	bad "source checks" "$SRC/ not found"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
