# SPDX-License-Identifier: LGPL-2.1-or-later
# Robustness drivers (test/robust/*.c) of the e2e cases
# test/e2e/cases/80-90-robust-*.sh.  Works included from the Makefile
# (-include test/robust/robust.mk) or alone:
#
#   make -f Makefile -f test/robust/robust.mk robust       # drivers, $(BUILD)/robust
#   make -f Makefile -f test/robust/robust.mk robust-tsan  # TSan module + driver
#
# robust-tsan compiles the module sources again with clang -fsanitize=thread
# into $(BUILD)/robust/tsan/libnss_srvsip.so.2 (point LD_LIBRARY_PATH there),
# the thread driver against the TSan runtime, and libnss_racy.so.2, a
# deliberately racy module proving TSan sees races in dlopened modules.  The
# e2e cases call these targets themselves (rebuilt when a source changes).
ifndef ROBUST_MK_INCLUDED
ROBUST_MK_INCLUDED := 1

BUILD ?= build
CONFIG_PATH ?= /etc/srvsip.conf
ROBUST_CC ?= gcc
ROBUST_CLANG ?= clang
ROBUST_DIR := $(BUILD)/robust
ROBUST_CFLAGS := -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -pthread
ROBUST_DRIVERS := lookup host_safety steady threads exit_race
ROBUST_BINS := $(addprefix $(ROBUST_DIR)/,$(ROBUST_DRIVERS))
# The module's sources as the Makefile lists them (run as
# make -f Makefile -f test/robust/robust.mk, or included by the Makefile);
# alone, every src/*.c.
ROBUST_MODULE_SRCS = $(or $(MODULE_SRCS),$(wildcard src/*.c))

.PHONY: robust robust-tsan

robust: $(ROBUST_BINS)

$(ROBUST_DIR)/%: test/robust/%.c test/robust/robust.h | $(ROBUST_DIR)
	$(ROBUST_CC) $(ROBUST_CFLAGS) -o $@ $<

$(ROBUST_DIR) $(ROBUST_DIR)/tsan:
	mkdir -p $@

robust-tsan: $(ROBUST_DIR)/tsan/libnss_srvsip.so.2 $(ROBUST_DIR)/tsan/threads \
	$(ROBUST_DIR)/tsan/libnss_racy.so.2

# No -Wl,-z,defs: the __tsan_* symbols come from the runtime linked into the
# executable.
$(ROBUST_DIR)/tsan/libnss_srvsip.so.2: $(ROBUST_MODULE_SRCS) $(wildcard src/*.h) src/libnss_srvsip.map | $(ROBUST_DIR)/tsan
	$(ROBUST_CLANG) -std=c11 -D_GNU_SOURCE -fPIC -O1 -g -fsanitize=thread -fvisibility=hidden \
		-DSRVSIP_CONFIG_PATH='"$(CONFIG_PATH)"' -shared -Wl,-soname,libnss_srvsip.so.2 \
		-Wl,--version-script=src/libnss_srvsip.map -o $@ $(ROBUST_MODULE_SRCS)

# Positive control: a deliberately racy hosts module (see racy_nss.c).
$(ROBUST_DIR)/tsan/libnss_racy.so.2: test/robust/racy_nss.c | $(ROBUST_DIR)/tsan
	$(ROBUST_CLANG) -std=c11 -D_GNU_SOURCE -fPIC -O1 -g -fsanitize=thread -shared \
		-Wl,-soname,libnss_racy.so.2 -o $@ $<

$(ROBUST_DIR)/tsan/threads: test/robust/threads.c test/robust/robust.h | $(ROBUST_DIR)/tsan
	$(ROBUST_CLANG) -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=thread -pthread -o $@ $<

endif
