# SPDX-License-Identifier: LGPL-2.1-or-later
# Hardening checks.  Included by the top-level Makefile.
#
#   make check-hardening   test/hardening/check-binary.sh on the built module
#                          and srvsip-lookup: full RELRO, non-executable
#                          stack, stack protector, FORTIFY, only the five
#                          _nss_srvsip_* symbols exported, nothing imported
#                          that touches the application's stdio, rand state,
#                          exit or syslog; and the same rules on src/
#   make check-tsan        test/hardening/thread_driver.c under ThreadSanitizer
#   make check-asan        the same driver under ASan + UBSan + LSan
#                          (both in test/hardening/sanitize.mk)

.PHONY: check-hardening

check-hardening: $(MODULE) $(LOOKUP)
	test/hardening/check-binary.sh $(BUILD)

include test/hardening/sanitize.mk
