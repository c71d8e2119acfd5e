# SPDX-License-Identifier: LGPL-2.1-or-later
# libnss-srvsip: `make` builds the module and srvsip-lookup; `make check`
# runs every test.  See README.md.

CC ?= gcc
BUILD ?= build
CONFIG_PATH ?= /etc/srvsip.conf
PREFIX ?= /usr
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
LIBDIR ?= $(PREFIX)/lib/$(MULTIARCH)
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CFLAGS ?= -O2 -g
WERROR ?= -Werror
WARNINGS := -Wall -Wextra $(WERROR) -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wvla -Wcast-align
# Hardening: stack protector, FORTIFY, full RELRO, immediate binding,
# non-executable stack, hidden visibility plus a version script.
# FORTIFY level 2 unless the caller's flags choose one (dpkg-buildflags may
# pass -D_FORTIFY_SOURCE=3; defining it twice is an error under -Werror).
FORTIFY := $(if $(findstring _FORTIFY_SOURCE,$(CPPFLAGS) $(CFLAGS)),,-D_FORTIFY_SOURCE=2)
HARDENING_CFLAGS := -fstack-protector-strong $(FORTIFY) -fstack-clash-protection \
	-fcf-protection
HARDENING_LDFLAGS := -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack -Wl,-z,defs -Wl,--as-needed
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -fPIC $(WARNINGS) $(HARDENING_CFLAGS) \
	-DSRVSIP_CONFIG_PATH='"$(CONFIG_PATH)"' $(CPPFLAGS) $(CFLAGS)

ENGINE_SRCS := src/dnswire.c src/srv.c src/srv_parse.c src/rfc2782.c src/rng.c src/config.c
MODULE_SRCS := $(ENGINE_SRCS) src/nss_srvsip.c src/scope.c src/nscd.c src/config_load.c \
	src/resolver.c src/dns_client.c src/dns_net.c src/cache.c src/pack.c src/stash.c src/log.c
MODULE_OBJS := $(MODULE_SRCS:src/%.c=$(BUILD)/obj/%.o)
MODULE := $(BUILD)/libnss_srvsip.so.2
LOOKUP := $(BUILD)/srvsip-lookup
LOOKUP_SRCS := tools/srvsip-lookup.c tools/first_choice.c $(filter-out src/nss_srvsip.c,$(MODULE_SRCS))

.PHONY: all check check-unit check-dlopen check-e2e check-static check-cli check-package check-demo install uninstall deb demo deps clean

all: $(MODULE) $(LOOKUP)

$(BUILD)/obj/%.o: src/%.c src/*.h Makefile | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) -fvisibility=hidden -c -o $@ $<

$(BUILD)/obj:
	mkdir -p $@

$(MODULE): $(MODULE_OBJS) src/libnss_srvsip.map
	$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,libnss_srvsip.so.2 \
		-Wl,--version-script=src/libnss_srvsip.map $(HARDENING_LDFLAGS) $(LDFLAGS) \
		-o $@ $(MODULE_OBJS)

$(LOOKUP): $(LOOKUP_SRCS) src/*.h tools/*.h Makefile
	$(CC) $(ALL_CFLAGS) -fPIE -pie -Isrc $(HARDENING_LDFLAGS) $(LDFLAGS) -o $@ $(LOOKUP_SRCS)

include test/unit/unit.mk
include test/dlopen/dlopen.mk
-include fuzz/fuzz.mk
-include test/hardening/hardening.mk
-include bench/bench.mk
-include test/distros/distros.mk

# Everything, as CI runs it (root: namespaces).  See README.md "Tests".
check: check-static check-unit check-unit-asan check-dlopen check-hardening check-cli fuzz-regress fuzz check-tsan \
	check-asan check-e2e check-demo bench-quick check-package check-distros

# gcc -Werror is part of every build; this adds cppcheck, clang-tidy, the
# 60-line limit on functions and a check that every document the code cites
# (`NAME.md "Section"`) is in the repository and has that section.
check-static:
	cppcheck --enable=warning,style,performance,portability --std=c11 --inline-suppr \
		--suppress=normalCheckLevelMaxBranches \
		--error-exitcode=1 --quiet -D_GNU_SOURCE '-DNSS_DECLARE_MODULE_FUNCTIONS(x)=' \
		-Isrc src tools
	clang-tidy --quiet src/*.c tools/*.c -- -std=c11 -D_GNU_SOURCE -Isrc
	test/style/function-length.sh src/*.c tools/*.c
	test/style/doc-references.sh src/* tools/* test/*/*.c test/*/*.sh test/e2e/cases/*.sh \
		fuzz/*.c fuzz/*.h bench/*.c bench/*.h bench/*.sh

check-e2e: all
	test/e2e/run.sh

# srvsip-lookup's exit statuses for hostile arguments and files (no root).
check-cli: all
	test/cli/check-cli.sh $(BUILD)

# The Debian packages, built from a copy of the tree (dpkg-buildpackage
# cleans its tree, which would remove build/): build/deb/*.deb.
DEB_DIR := $(BUILD)/deb
deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C $(DEB_DIR)/src
	cd $(DEB_DIR)/src && dpkg-buildpackage -us -uc -b
	rm -rf $(DEB_DIR)/src

# Package build, lintian, install/remove matrix and autopkgtest (root).
check-package: deb
	test/pkg/lintian.sh $(DEB_DIR)/*.changes
	test/pkg/install-matrix.sh $(DEB_DIR)/libnss-srvsip_*.deb
	test/pkg/autopkgtest.sh $(DEB_DIR)

# The demo of the README (root: it creates a private namespace).
demo: all
	demo/demo.sh

# The README's first command works: the demo runs to its end, its 1,000
# lookups split between the two priority-0 targets and sipp's call completes.
# DEMO=tools/demo.sh runs it exactly as the README does (check-distros).
DEMO ?= demo/demo.sh
check-demo: all
	$(DEMO) > $(BUILD)/demo.out 2>&1 || { cat $(BUILD)/demo.out; exit 1; }
	grep -q '1x-load (weight 1)' $(BUILD)/demo.out && grep -q '3x-load (weight 3)' $(BUILD)/demo.out
	grep -q 'sipp: call completed' $(BUILD)/demo.out && grep -q '^Done\.' $(BUILD)/demo.out
	@echo "check-demo: the demo ran to its end"

# The Debian packages for building and testing, with the names of the
# running release (bookworm, trixie, forky; root).
deps:
	tools/install-deps.sh

install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(MODULE) $(DESTDIR)$(LIBDIR)/libnss_srvsip.so.2
	install -m 0755 $(LOOKUP) $(DESTDIR)$(BINDIR)/srvsip-lookup
	install -m 0644 man/srvsip-lookup.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/srvsip.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/libnss_srvsip.8 $(DESTDIR)$(MANDIR)/man8/

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libnss_srvsip.so.2 $(DESTDIR)$(BINDIR)/srvsip-lookup \
		$(DESTDIR)$(MANDIR)/man1/srvsip-lookup.1 $(DESTDIR)$(MANDIR)/man5/srvsip.conf.5 \
		$(DESTDIR)$(MANDIR)/man8/libnss_srvsip.8

clean:
	rm -rf $(BUILD)
