# SPDX-License-Identifier: LGPL-2.1-or-later
# The module under the sanitizers, many threads at once.  Included by
# test/hardening/hardening.mk.
#
#   make check-tsan   thread_driver with -fsanitize=thread: any report fails
#                     (TSAN_OPTIONS halt_on_error=1 exitcode=66)
#   make check-asan   thread_driver with -fsanitize=address,undefined (LSan on)
#
# The driver links the module's sources (minus src/resolver.c) with
# test/hardening/fake_transport.c, an in-memory DNS, and calls the NSS entry
# points directly.  The module reads its own config file in the build tree
# ($(SAN_BUILD)/srvsip.conf: `debug` and `domain .example.test`) and logs to
# a socket path that does not exist, so nothing leaves the build tree.
# THREADS=N / LOOKUPS=N in the environment change the load (32 x 1000).

SAN_CC ?= clang
SAN_BUILD := $(BUILD)/hardening
SAN_CONF := $(abspath $(SAN_BUILD))/srvsip.conf
SAN_SYSLOG := $(abspath $(SAN_BUILD))/no-syslog.sock
SAN_SRCS := $(filter-out src/resolver.c,$(MODULE_SRCS)) test/hardening/fake_transport.c \
	test/hardening/thread_driver.c
SAN_DEPS := $(SAN_SRCS) src/*.h test/hardening/fake_transport.h test/hardening/sanitize.mk
# The project's flags (warnings are errors; clang also flags log.c's vsnprintf
# of a va_list format, which gcc accepts) without FORTIFY, whose checked
# functions the sanitizers do not see through; our config and syslog paths.
SAN_CFLAGS := $(ALL_CFLAGS) -Wno-format-nonliteral -U_FORTIFY_SOURCE -O1 -g -fno-omit-frame-pointer \
	-Isrc -Itest/hardening -USRVSIP_CONFIG_PATH -DSRVSIP_CONFIG_PATH='"$(SAN_CONF)"' \
	-DSRVSIP_SYSLOG_PATH='"$(SAN_SYSLOG)"'
SAN_LIBS := -pthread -lresolv

.PHONY: check-tsan check-asan

$(SAN_BUILD):
	mkdir -p $@

$(SAN_CONF): test/hardening/sanitize.mk | $(SAN_BUILD)
	printf '# Written by test/hardening/sanitize.mk for thread_driver.\ndebug\ndomain .example.test\n' >$@
	chmod 0644 $@

$(SAN_BUILD)/thread_driver_tsan: $(SAN_DEPS) | $(SAN_BUILD)
	$(SAN_CC) $(SAN_CFLAGS) -fsanitize=thread -o $@ $(SAN_SRCS) $(SAN_LIBS)

$(SAN_BUILD)/thread_driver_asan: $(SAN_DEPS) | $(SAN_BUILD)
	$(SAN_CC) $(SAN_CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all \
		-o $@ $(SAN_SRCS) $(SAN_LIBS)

check-tsan: $(SAN_BUILD)/thread_driver_tsan $(SAN_CONF)
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 $(TSAN_OPTIONS)" $<

check-asan: $(SAN_BUILD)/thread_driver_asan $(SAN_CONF)
	FORKS=0 ASAN_OPTIONS="detect_leaks=1:$(ASAN_OPTIONS)" \
		UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:$(UBSAN_OPTIONS)" $<
