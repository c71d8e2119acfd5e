# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark targets (included by the top-level Makefile: -include bench/bench.mk).
# Both need root: bench/run.sh builds a private net/mount/pid namespace with
# NSD on 127.0.0.1:53 and a 10 ms per-packet delay on lo; see BENCHMARKS.md.
#   make bench          full run: Markdown report, exit 1 if a target is missed
#   make bench-quick    CI: few samples, no assertions, < 60 s
# BENCH_FLAGS passes options through, e.g. make bench BENCH_FLAGS='--no-assert --out r.md'.
#   make bench-pairing  the pseudo-service pairing gap under load (no root)
.PHONY: bench bench-quick bench-pairing

bench: all bench-pairing
	BENCH_BUILD=$(BUILD) bench/run.sh $(BENCH_FLAGS)

# The gap between getaddrinfo's services and hosts lookups on 32 threads,
# with 0, 16 and 64 busy threads on top (src/scope.h's pairing window).
BENCH_GAP := $(BUILD)/bench/pairing_gap
$(BUILD)/bench/libnss_gapprobe.so.2: bench/nss_gapprobe.c | $(BUILD)/bench
	$(CC) -O2 -fPIC -shared -Wall -Wextra -Werror -Wl,-soname,libnss_gapprobe.so.2 -o $@ $<
$(BENCH_GAP): bench/pairing_gap.c | $(BUILD)/bench
	$(CC) -O2 -Wall -Wextra -Werror -pthread -o $@ $< -ldl
$(BUILD)/bench:
	mkdir -p $@
bench-pairing: $(BENCH_GAP) $(BUILD)/bench/libnss_gapprobe.so.2
	@for hogs in 0 16 64; do LD_LIBRARY_PATH=$(BUILD)/bench $(BENCH_GAP) 32 1000 $$hogs || exit 1; done

bench-quick: all
	BENCH_BUILD=$(BUILD) bench/run.sh --quick $(BENCH_FLAGS)
