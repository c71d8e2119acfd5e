# Benchmark targets (included by the top-level Makefile: -include bench/bench.mk).
# Both need root: bench/run.sh builds a private net/mount/pid namespace with
# NSD on 127.0.0.1:53 and a 10 ms per-packet delay on lo; see BENCHMARKS.md.
#   make bench          full run: Markdown report, exit 1 if a target is missed
#   make bench-quick    CI: few samples, no assertions, < 60 s
# BENCH_FLAGS passes options through, e.g. make bench BENCH_FLAGS='--no-assert --out r.md'.
.PHONY: bench bench-quick

bench: all
	BENCH_BUILD=$(BUILD) bench/run.sh $(BENCH_FLAGS)

bench-quick: all
	BENCH_BUILD=$(BUILD) bench/run.sh --quick $(BENCH_FLAGS)
