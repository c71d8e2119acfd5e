# SPDX-License-Identifier: LGPL-2.1-or-later
# make check-dlopen: the built module dlopened, every entry point called at
# many buffer sizes (test/dlopen/run.sh; no root needed).  Included by the
# top-level Makefile.  DLOPEN_MODULE=path tests another copy (the package
# test passes the installed one).
DLOPEN_BIN := $(BUILD)/dlopen/dlopen_module
DLOPEN_MODULE ?= $(abspath $(MODULE))

.PHONY: check-dlopen

$(DLOPEN_BIN): test/dlopen/dlopen_module.c test/dlopen/dlopen.mk
	mkdir -p $(dir $@)
	$(CC) -std=c11 -O1 -g $(WARNINGS) -pthread -o $@ $< -ldl

check-dlopen: $(MODULE) $(DLOPEN_BIN)
	test/dlopen/run.sh $(DLOPEN_BIN) $(DLOPEN_MODULE)
