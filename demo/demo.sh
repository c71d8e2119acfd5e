#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The module at work, on the seed document's zones, in a private network and
# mount namespace: nothing on the host changes (no /etc file, no daemon).
#
# usage: sudo demo/demo.sh          (run by `sudo make demo` after the build)
#
# Shows: the SRV records; what srvsip-lookup says; 1,000 getaddrinfo lookups
# of sipdomain.com as a histogram (1x-load : 3x-load near 1:3); failover to
# the priority-1 servers when the priority-0 ones disappear from DNS; and an
# unmodified sipp reaching the server the SRV records select.
set -u

DEMO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$DEMO_DIR/.." && pwd)
E2E_DIR="$REPO/test/e2e"
MODULE="$REPO/build/libnss_srvsip.so.2"
export DEMO_DIR REPO E2E_DIR MODULE

if [ "${1:-}" != --inside ]; then
	[ "$(id -u)" = 0 ] || { echo "demo: run as root (sudo make demo)" >&2; exit 2; }
	[ -e "$MODULE" ] || { echo "demo: $MODULE missing: run make" >&2; exit 2; }
	E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/srvsip-demo.XXXXXX") || exit 2
	chmod 0755 "$E2E_TMP"
	export E2E_TMP
	trap 'rm -rf "$E2E_TMP"' EXIT
	# shellcheck source=../test/e2e/ns-run.sh
	. "$E2E_DIR/ns-run.sh"
	run_in_namespace "$DEMO_DIR/demo.sh"
	exit $?
fi

# ---- inside the namespace: PID 1, so every server dies when this exits ----
# shellcheck source=../test/e2e/lib.sh
. "$E2E_DIR/lib.sh"
export LD_LIBRARY_PATH="$REPO/build"
export PYTHONDONTWRITEBYTECODE=1
CASE_DIR="$E2E_TMP/demo"
mkdir -p "$CASE_DIR"
cd "$CASE_DIR" || exit 2

title() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

if ! { ns_setup && start_nsd && start_proxy; } >setup.log 2>&1; then
	cat setup.log >&2
	echo "demo: the namespace or NSD did not come up" >&2
	exit 1
fi

title "A private namespace: NSD serves the seed's zones on 127.0.0.1; /etc here is an overlay"
run grep -E '^(hosts|services):' /etc/nsswitch.conf
echo "(the module is loaded from $REPO/build via LD_LIBRARY_PATH)"

title "The SRV records of sipdomain.com (RFC 2782 example from the seed)"
run dig +short _sip._udp.sipdomain.com SRV @127.0.0.1 -p 53 | sort -n

title "Plain programs ask for \"sipdomain.com\": list it in /etc/srvsip.conf"
write_conf "domain sipdomain.com"
run cat /etc/srvsip.conf
run "$REPO/build/srvsip-lookup" sipdomain.com

title "1,000 lookups: python3 socket.getaddrinfo('sipdomain.com', 5060), first address"
gai gai sipdomain.com 5060 -n 1000 >dist || exit 1
awk '$1 == "first" { n[$2] = $3; t += $3 }
	END {
		name["127.0.0.11"] = "1x-load (weight 1)"; name["127.0.0.13"] = "3x-load (weight 3)"
		for (a in n) {
			bar = ""; for (i = 0; i < n[a] / 12.5; i++) bar = bar "#"
			printf "  %-15s %-20s %5d %5.1f%%  %s\n", a, name[a], n[a], 100 * n[a] / t, bar
		}
	}' dist | sort
echo "  expected: 25% and 75%; priority-1 and -2 servers never (their group is only for failover)"

title "gethostbyname() (sipsak, twinkle): the selected target first, then the failover order"
for i in 1 2 3; do
	"$PY" - <<'PY'
import ctypes, socket
class HostEnt(ctypes.Structure):
    _fields_ = [('h_name', ctypes.c_char_p), ('h_aliases', ctypes.c_void_p),
                ('h_addrtype', ctypes.c_int), ('h_length', ctypes.c_int),
                ('h_addr_list', ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte)))]
libc = ctypes.CDLL('libc.so.6')
libc.gethostbyname.restype = ctypes.POINTER(HostEnt)
h = libc.gethostbyname(b'sipdomain.com').contents
addrs, i = [], 0
while h.h_addr_list[i]:
    addrs.append(socket.inet_ntoa(bytes(h.h_addr_list[i][:4]))); i += 1
print('  gethostbyname("sipdomain.com"): h_name %s, h_addr_list %s' % (h.h_name.decode(), ' '.join(addrs)))
PY
done
echo "  (getaddrinfo gets the selected target only: glibc re-sorts what it gets)"

title "Failover: 1x-load and 3x-load disappear from DNS (their A records and the glue)"
proxy_rules "_sip._udp.sipdomain.com SRV noadditional" \
	"1x-load.sipdomain.com * nxdomain" "3x-load.sipdomain.com * nxdomain"
gai gai sipdomain.com 5060 -n 200 >failover || exit 1
awk '$1 == "first" { printf "  %-15s %4d of 200\n", $2, $3 }' failover | sort
echo "  expected: failover1 (127.0.0.21) and failover2 (127.0.0.22), weight 0 each: about 1:1"
proxy_rules

title "An unmodified sipp reaches the selected server"
for ip in 127.0.0.11 127.0.0.13; do
	sipp -sn uas -i "$ip" -p 5060 -m 1 -nostdin -trace_msg -message_file "uas-$ip.msg" \
		>"uas-$ip.out" 2>&1 &
done
for ip in 127.0.0.11 127.0.0.13; do
	wait_until 10 sh -c "ss -Hlun 'src $ip:5060' | grep -q ." || echo "sipp UAS on $ip did not start"
done
printf '$ %s\n' "sipp -sn uac -m 1 -i 127.0.0.1 -p 5099 -nostdin -timeout 10s -timeout_error sipdomain.com"
if timeout 30 sipp -sn uac -m 1 -i 127.0.0.1 -p 5099 -nostdin -timeout 10s -timeout_error \
	sipdomain.com >uac.out 2>&1; then
	echo "  sipp: call completed (exit 0)"
else
	echo "  sipp: call FAILED; its output:"
	tail -n 20 uac.out
fi
for ip in 127.0.0.11 127.0.0.13; do
	if grep -q '^INVITE sip:' "uas-$ip.msg" 2>/dev/null; then
		echo "  the INVITE reached the UAS on $ip ($( [ "$ip" = 127.0.0.11 ] && echo 1x-load || echo 3x-load))"
	fi
done

title "Out of scope: every other name costs no SRV query"
qlog_mark
run getent ahosts www.plain.test
echo "  queries sent: $(qlog_since | awk '{print $3, $4}' | sort | uniq -c | tr -s ' ' | paste -sd ';')"
echo
echo "Done. Nothing outside the namespace was changed."
