#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs the libFuzzer harnesses; called by fuzz/fuzz.mk.
#
#   fuzz/run.sh fuzz BUILD_DIR SECONDS HARNESS...
#       fuzzes every harness for SECONDS, all in parallel, each on its own
#       copy of the corpus in BUILD_DIR/corpus/NAME (seeds and regressions
#       are copied in; what the fuzzer finds stays there across runs).
#       Crashing inputs go to BUILD_DIR/crashes/NAME-crash-*; exit 1 if any.
#   fuzz/run.sh regress BUILD_DIR HARNESS...
#       runs every file of fuzz/corpus/NAME and fuzz/regressions/NAME once.
#
# HARNESS names "answer", "config": binary BUILD_DIR/fuzz_NAME.
set -u

mode=$1
build=$2
shift 2
# A smaller quarantine than ASan's 256 MiB: srv_resolve allocates ~110 KiB per
# call, and recycling that memory sooner makes fuzz_answer ~1.5x faster.
ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=32}
export ASAN_OPTIONS

summary() { # log -> "N runs, cov C, corpus K"
	awk '/stat::number_of_executed_units:/ {runs=$2}
	     /stat::peak_rss_mb:/ {rss=$2}
	     /^#[0-9]+.*cov:/ {for (i=1;i<=NF;i++) { if ($i=="cov:") cov=$(i+1); if ($i=="corp:") corp=$(i+1) }}
	     END {printf "%s runs, cov %s, corpus %s, peak rss %s MB", runs, cov, corp, rss}' "$1"
}

case $mode in
fuzz)
	seconds=$1
	shift
	mkdir -p "$build/crashes"
	pids=""
	for h in "$@"; do
		mkdir -p "$build/corpus/$h"
		for f in fuzz/corpus/$h/* fuzz/regressions/$h/*; do
			[ -f "$f" ] && cp "$f" "$build/corpus/$h/seed-$(basename "$f")"
		done
		echo "fuzz: fuzz_$h for ${seconds}s (log $build/fuzz_$h.log)"
		"$build/fuzz_$h" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
			-dict="fuzz/$h.dict" -artifact_prefix="$build/crashes/$h-" \
			-print_final_stats=1 ${FUZZ_ARGS:-} "$build/corpus/$h" >"$build/fuzz_$h.log" 2>&1 &
		pids="$pids $!"
	done
	rc=0
	for pid in $pids; do
		h=$1
		shift
		if wait "$pid"; then
			echo "fuzz: fuzz_$h OK: $(summary "$build/fuzz_$h.log")"
		else
			rc=1
			echo "fuzz: fuzz_$h FAILED: $(summary "$build/fuzz_$h.log")"
			grep -E 'ERROR|invariant failed|SUMMARY|runtime error|Test unit written' \
				"$build/fuzz_$h.log" | head -20
			echo "fuzz: crashing inputs in $build/crashes:"
			ls -l "$build/crashes"
		fi
	done
	exit $rc
	;;
regress)
	rc=0
	for h in "$@"; do
		files=""
		n=0
		for f in fuzz/corpus/$h/* fuzz/regressions/$h/*; do
			[ -f "$f" ] || continue
			files="$files $f"
			n=$((n + 1))
		done
		# File arguments: libFuzzer runs each once and stops at a failure.
		# shellcheck disable=SC2086 # file names are ours, without spaces
		if FUZZ_ALL_VARIANTS=1 "$build/fuzz_$h" $files >"$build/regress_$h.log" 2>&1; then
			echo "fuzz-regress: fuzz_$h: $n inputs OK"
		else
			rc=1
			echo "fuzz-regress: fuzz_$h FAILED (log $build/regress_$h.log):"
			grep -E 'Running:|ERROR|invariant failed|SUMMARY|runtime error' \
				"$build/regress_$h.log" | tail -20
		fi
	done
	exit $rc
	;;
*)
	echo "usage: fuzz/run.sh fuzz BUILD SECONDS HARNESS... | regress BUILD HARNESS..." >&2
	exit 64
	;;
esac
