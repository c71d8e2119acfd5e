# SPDX-License-Identifier: LGPL-2.1-or-later
# libFuzzer harnesses.  Included by the top-level Makefile.
#
#   make fuzz [FUZZ_SECONDS=60]   fuzzes each harness for FUZZ_SECONDS (in
#                                 parallel) on a copy of the corpus in
#                                 $(BUILD)/fuzz/corpus; a crash fails the target
#                                 and leaves its input in $(BUILD)/fuzz/crashes
#   make fuzz-regress             runs every file of fuzz/corpus/*/ and
#                                 fuzz/regressions/*/ once (a few seconds)
#   make fuzz-build               only builds $(BUILD)/fuzz/fuzz_*
#
# Harnesses (clang, libFuzzer + ASan + UBSan, no recovery):
#   fuzz/fuzz_answer.c  DNS answers -> wire reader, SRV parser, RFC 2782 order,
#                       addresses, and srv_resolve over a fake transport
#   fuzz/fuzz_config.c  srvsip.conf -> config_parse and the matchers
#   fuzz/fuzz_client.c  scripted servers -> the DNS client (dns_client.c) over
#                       test/unit/fake_net.c: IDs, questions, rcodes, ICMP,
#                       truncation, TCP framing, floods, the schedule
# fuzz/corpus/NAME/ holds the seeds of fuzz_NAME (fuzz/make_corpus.py writes
# them), merged (-merge=1) with what long runs found: fuzz_client 10^7,
# fuzz_answer 1.0 * 10^7 (one run, after the fix of the one bug it found) and
# fuzz_config 10^7 (3.8 * 10^6 + 6.2 * 10^6) executions; fuzz/regressions/NAME/ holds inputs that
# once failed (see its README.md).  FUZZ_EXTRA_CFLAGS is added to the harnesses' flags, FUZZ_ARGS
# to libFuzzer's (e.g. FUZZ_ARGS=-use_value_profile=1); ASAN_OPTIONS defaults
# to quarantine_size_mb=32.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_HARNESSES := answer config client
FUZZ_BINS := $(addprefix $(FUZZ_BUILD)/fuzz_,$(FUZZ_HARNESSES))
# The project's flags (warnings are errors), minus FORTIFY (it hides overruns
# from ASan), optimised lightly so that reports have usable stacks.
FUZZ_EXTRA_CFLAGS ?=
FUZZ_CFLAGS := $(ALL_CFLAGS) -U_FORTIFY_SOURCE -O1 -g -fno-omit-frame-pointer -Isrc -Itest/unit \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(FUZZ_EXTRA_CFLAGS)

.PHONY: fuzz fuzz-build fuzz-regress

fuzz-build: $(FUZZ_BINS)

$(FUZZ_BUILD):
	mkdir -p $@

# The engine, plus the DNS reply cache when the tree has one (its transport
# wraps the fake one in some runs of fuzz_answer).
FUZZ_SRCS := $(sort $(ENGINE_SRCS) $(wildcard src/cache.c)) src/dns_client.c test/unit/fake_net.c \
	tools/first_choice.c
FUZZ_DEFS := $(if $(wildcard src/cache.c),-DFUZZ_HAVE_CACHE)

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_SRCS) src/*.h tools/*.h fuzz/fuzz_check.h fuzz/fuzz.mk | $(FUZZ_BUILD)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_DEFS) -o $@ $< $(FUZZ_SRCS) -lm

fuzz: $(FUZZ_BINS)
	FUZZ_ARGS="$(FUZZ_ARGS)" fuzz/run.sh fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

fuzz-regress: $(FUZZ_BINS)
	@fuzz/run.sh regress $(FUZZ_BUILD) $(FUZZ_HARNESSES)
