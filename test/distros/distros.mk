# Other Debian releases.  Included by the top-level Makefile.
#
#   make check-distros   test/distros/run.sh (root): on the releases among
#                        bookworm, trixie and forky that this machine does
#                        not run, each in a chroot made with mmdebstrap from
#                        the mirror of this machine's apt sources and cached
#                        in $(DISTROS_CACHE): tools/install-deps.sh in a
#                        minimal system, then on trixie (and bookworm) the
#                        build, check-static, the unit tests, the e2e suite,
#                        the packages, lintian, the install matrix and the
#                        autopkgtest; on forky the build and the unit tests.
#                        One table of results at the end.
#
#   DISTROS=trixie       only these releases; DISTROS=none skips the target
#   DISTROS_CACHE=DIR    image cache (default /var/cache/srvsip-distros)
#   DISTROS_E2E='sip_*'  only these e2e cases
# test/distros/run.sh --exec trixie 'make -k check-static' runs one command
# in a release's system.

.PHONY: check-distros

DISTROS ?=

check-distros:
	@if [ "$(strip $(DISTROS))" = none ]; then \
		echo "check-distros: skipped (DISTROS=none)"; \
	else \
		test/distros/run.sh $(DISTROS); \
	fi
