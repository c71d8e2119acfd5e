# SPDX-License-Identifier: LGPL-2.1-or-later
# libcheck unit tests (no network).  Included by the top-level Makefile.
#
#   make check-unit        build every unit test binary under $(BUILD)/unit and
#                          run them all; fails when any test fails
#   make check-unit-asan   the same, rebuilt with ASan + UBSan under $(BUILD)/asan
#
# The engine and module sources are compiled again here, with the project's
# ALL_CFLAGS, but without -fvisibility=hidden (the tests call internal
# functions) and with SRVSIP_CONFIG_PATH pointing into the build tree, so no
# test ever reads /etc/srvsip.conf.  test_nss links the module objects with
# test/unit/fake_resolver.c instead of src/resolver.c (no network).
#
# Environment understood by the test binaries:
#   SRVSIP_TEST_SEED=N      replay the statistical tests with seed N (printed
#                           on failure)
#   CK_RUN_SUITE / CK_RUN_CASE / CK_VERBOSITY   libcheck's usual selectors

UNIT_BUILD := $(BUILD)/unit
UNIT_OBJ := $(UNIT_BUILD)/obj
UNIT_CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
UNIT_CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -pthread)
# Each test binary reads its own config path, so they never race on one file.
UNIT_CONF_NSS := $(abspath $(UNIT_BUILD))/nss-srvsip.conf
UNIT_CONF_CFG := $(abspath $(UNIT_BUILD))/config-srvsip.conf
# test_config listens here for the module's syslog lines (log.c).
UNIT_LOG_SOCK := $(abspath $(UNIT_BUILD))/log.sock
# A fake nscd socket and nscd.conf for the pairing tests.
UNIT_NSCD := -DSRVSIP_NSCD_SOCKET='"$(abspath $(UNIT_BUILD))/nscd.socket"' \
	-DSRVSIP_NSCD_CONF='"$(abspath $(UNIT_BUILD))/nscd.conf"'
# The resolv.conf whose changes empty the cache (cache.c), so a test can change it.
UNIT_RESOLV_CONF := $(abspath $(UNIT_BUILD))/resolv.conf
UNIT_CFLAGS = $(ALL_CFLAGS) -Isrc -Itest/unit $(UNIT_CHECK_CFLAGS) -USRVSIP_CONFIG_PATH $(UNIT_NSCD) \
	-DSRVSIP_RESOLV_CONF='"$(UNIT_RESOLV_CONF)"'

UNIT_HEADERS := $(wildcard src/*.h) $(wildcard tools/*.h) $(wildcard test/unit/*.h) test/unit/unit.mk Makefile

UNIT_TESTS := test_dnswire test_select test_lookup test_nss test_config test_client test_search
UNIT_BINS := $(addprefix $(UNIT_BUILD)/,$(UNIT_TESTS))

UNIT_ENGINE_OBJS := $(ENGINE_SRCS:src/%.c=$(UNIT_OBJ)/%.o)
# The module without its DNS transport; fake_resolver.o stands in for it.
UNIT_MODULE_OBJS := $(patsubst src/%.c,$(UNIT_OBJ)/%.o,$(filter-out src/resolver.c src/config_load.c,$(MODULE_SRCS))) \
	$(UNIT_OBJ)/config_load_nss.o

.PHONY: check-unit check-unit-asan unit-build

unit-build: $(UNIT_BINS)

check-unit: $(UNIT_BINS)
	@rc=0; for t in $(UNIT_BINS); do \
		echo "== $$t"; \
		$$t || rc=1; \
	done; \
	if [ $$rc -ne 0 ]; then echo "check-unit: FAILED"; else echo "check-unit: all unit tests passed"; fi; \
	exit $$rc

# Rebuilds everything with ASan + UBSan in its own tree and runs the same tests.
# -Wno-error: GCC 12 gives false -Wformat-truncation warnings under the
# sanitizers (-O1 inlines differently); the -O2 build keeps -Werror.
UNIT_ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all -U_FORTIFY_SOURCE -Wno-error
check-unit-asan:
	$(MAKE) --no-print-directory BUILD=$(BUILD)/asan CFLAGS="$(UNIT_ASAN_FLAGS)" \
		LDFLAGS="-fsanitize=address,undefined" check-unit

$(UNIT_OBJ) $(UNIT_OBJ)/test:
	mkdir -p $@

$(UNIT_OBJ)/%.o: src/%.c $(UNIT_HEADERS) | $(UNIT_OBJ)
	$(CC) $(UNIT_CFLAGS) -DSRVSIP_CONFIG_PATH='"$(UNIT_CONF_NSS)"' -c -o $@ $<

$(UNIT_OBJ)/first_choice.o: tools/first_choice.c $(UNIT_HEADERS) | $(UNIT_OBJ)
	$(CC) $(UNIT_CFLAGS) -c -o $@ $<

$(UNIT_OBJ)/config_load_nss.o: src/config_load.c $(UNIT_HEADERS) | $(UNIT_OBJ)
	$(CC) $(UNIT_CFLAGS) -DSRVSIP_CONFIG_PATH='"$(UNIT_CONF_NSS)"' -c -o $@ $<

$(UNIT_OBJ)/config_load_cfg.o: src/config_load.c $(UNIT_HEADERS) | $(UNIT_OBJ)
	$(CC) $(UNIT_CFLAGS) -DSRVSIP_CONFIG_PATH='"$(UNIT_CONF_CFG)"' -c -o $@ $<

$(UNIT_OBJ)/log_cfg.o: src/log.c $(UNIT_HEADERS) | $(UNIT_OBJ)
	$(CC) $(UNIT_CFLAGS) -DSRVSIP_CONFIG_PATH='"$(UNIT_CONF_CFG)"' \
		-DSRVSIP_SYSLOG_PATH='"$(UNIT_LOG_SOCK)"' -c -o $@ $<

$(UNIT_OBJ)/test/test_config.o: test/unit/test_config.c $(UNIT_HEADERS) | $(UNIT_OBJ)/test
	$(CC) $(UNIT_CFLAGS) -DSRVSIP_CONFIG_PATH='"$(UNIT_CONF_CFG)"' \
		-DSRVSIP_SYSLOG_PATH='"$(UNIT_LOG_SOCK)"' -c -o $@ $<

$(UNIT_OBJ)/test/%.o: test/unit/%.c $(UNIT_HEADERS) | $(UNIT_OBJ)/test
	$(CC) $(UNIT_CFLAGS) -DSRVSIP_CONFIG_PATH='"$(UNIT_CONF_NSS)"' -c -o $@ $<

UNIT_LINK = $(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(UNIT_CHECK_LIBS)

$(UNIT_BUILD)/test_dnswire: $(UNIT_OBJ)/test/test_dnswire.o $(UNIT_OBJ)/test/wire_builder.o \
		$(UNIT_ENGINE_OBJS)
	$(UNIT_LINK)

# srv_rng_below is wrapped so the exact tests can enumerate every draw the
# selection makes (the wrapper passes through to the real one otherwise).
$(UNIT_BUILD)/test_select: $(UNIT_OBJ)/test/test_select.o $(UNIT_OBJ)/first_choice.o \
		$(UNIT_ENGINE_OBJS)
	$(UNIT_LINK) -Wl,--wrap=srv_rng_below

$(UNIT_BUILD)/test_nss: $(UNIT_OBJ)/test/test_nss.o $(UNIT_OBJ)/test/wire_builder.o \
		$(UNIT_OBJ)/test/fake_resolver.o $(UNIT_MODULE_OBJS)
	$(UNIT_LINK) -Wl,--wrap=srv_xoshiro_seed_os

# getauxval is wrapped so a test can play a setuid (AT_SECURE) program; stat,
# fstat and fmemopen so a test can make a check fail or a reload pause.
$(UNIT_BUILD)/test_config: $(UNIT_OBJ)/test/test_config.o $(UNIT_ENGINE_OBJS) \
		$(UNIT_OBJ)/config_load_cfg.o $(UNIT_OBJ)/log_cfg.o
	$(UNIT_LINK) -Wl,--wrap=getauxval -Wl,--wrap=stat -Wl,--wrap=fstat \
		-Wl,--wrap=fmemopen

# The DNS client against the scripted network (no system call).
$(UNIT_BUILD)/test_client: $(UNIT_OBJ)/test/test_client.o $(UNIT_OBJ)/test/fake_net.o \
		$(UNIT_OBJ)/dns_client.o $(UNIT_OBJ)/dnswire.o
	$(UNIT_LINK)

# The engine's lookup against a scripted transport: TTLs and repeated targets.
$(UNIT_BUILD)/test_lookup: $(UNIT_OBJ)/test/test_lookup.o $(UNIT_OBJ)/test/wire_builder.o \
		$(UNIT_ENGINE_OBJS) $(UNIT_OBJ)/cache.o
	$(UNIT_LINK)

# resolver.c's search walk against the scripted network (LOCALDOMAIN and
# RES_OPTIONS set the search list and ndots that res_ninit reads).
$(UNIT_BUILD)/test_search: $(UNIT_OBJ)/test/test_search.o $(UNIT_OBJ)/test/fake_net.o \
		$(UNIT_OBJ)/resolver.o $(UNIT_OBJ)/dns_client.o $(UNIT_OBJ)/dnswire.o $(UNIT_OBJ)/rng.o
	$(UNIT_LINK)
