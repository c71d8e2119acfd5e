#!/bin/bash
# install-matrix.sh - what installing, removing and purging libnss-srvsip
# does to /etc/nsswitch.conf, for several starting files.
#
# usage (root): test/pkg/install-matrix.sh PATH/libnss-srvsip_VERSION_ARCH.deb
#
# Every case runs in its own private mount/network/PID namespace where /etc,
# /var (dpkg database, logs, caches), /usr and a non-merged /lib are
# overlayfs mounts whose upper layers live on a tmpfs: dpkg really installs,
# removes and purges the package and runs its maintainer scripts and
# triggers, but the host's files and dpkg database are never touched.  The
# host's /etc/nsswitch.conf checksum and the package's dpkg status are
# compared before and after (last case, "host-untouched").
#
# Each case: write the starting nsswitch.conf, then
#   dpkg -i  -> hosts:/services: lines must equal the expectation EXACTLY,
#               the other lines must be unchanged, the will-install marker
#               gone, /etc/srvsip.conf present with only comments;
#   (case admin-twoterm: the admin first respells srvsip's action as
#   [NOTFOUND=return TRYAGAIN=return])
#   dpkg -r  -> lines exactly as expected, and equal to the starting lines
#               once comments and runs of blanks are ignored; conffile kept;
#   dpkg -i  -> as after the first installation (case admin-optout: the
#               admin first deletes srvsip from hosts:, and reinstalling
#               must not add it back);
#   dpkg -P  -> as after removal; /etc/srvsip.conf gone; package unknown.
# Expectations are those of dh_installnss 1.7 (bookworm); whitespace next to
# the edited word is normalised by its sed expressions (a tab before srvsip
# becomes a space on removal), which the exact expectations spell out.
#
# Output: "PASS case" or "FAIL case" plus indented details, then
# "N passed, M failed".  Exit status 0 only when all passed.
set -u

SELF=$(readlink -f "$0")
PKG=libnss-srvsip
T=$'\t'

# ------------------------------------------------------------ the cases
CASES="debian-default ubuntu-mdns systemd-resolved already-listed comments-tabs no-dns admin-optout admin-twoterm"

# Starting files.  debian-default is bookworm's /usr/share/libc-bin/nsswitch.conf.
orig_debian_default() {
	cat <<'EOF'
# /etc/nsswitch.conf
#
# Example configuration of GNU Name Service Switch functionality.
# If you have the `glibc-doc-reference' and `info' packages installed, try:
# `info libc "Name Service Switch"' for information about this file.

passwd:         files
group:          files
shadow:         files
gshadow:        files

hosts:          files dns
networks:       files

protocols:      db files
services:       db files
ethers:         db files
rpc:            db files

netgroup:       nis
EOF
}
orig_with_hosts() { # the Debian file with another hosts: line
	orig_debian_default | sed "s/^hosts:.*/hosts:          $1/"
}
orig() {
	case $1 in
	debian-default | admin-optout | admin-twoterm) orig_debian_default ;;
	ubuntu-mdns) orig_with_hosts 'files mdns4_minimal [NOTFOUND=return] dns' ;;
	systemd-resolved)
		orig_with_hosts 'files mdns4_minimal [NOTFOUND=return] resolve [!UNAVAIL=return] dns myhostname' |
			sed 's/^passwd:.*/& systemd/; s/^group:.*/& systemd/'
		;;
	already-listed) orig_with_hosts 'files srvsip [NOTFOUND=return] dns' ;;
	comments-tabs)
		printf '%s\n' \
			"# hand-edited" \
			"passwd:${T}files" \
			"group:${T}files" \
			"#hosts:${T}files mdns4_minimal [NOTFOUND=return] dns" \
			"hosts:${T}files${T}dns${T}# resolver order" \
			"networks:${T}files" \
			"" \
			"protocols:${T}db files" \
			"services:${T}db files${T}# local ports in /etc/services"
		;;
	no-dns) printf 'passwd: files\nhosts: files myhostname\nservices: files\n' ;;
	esac
}

# expect CASE STEP DB: the exact line expected after STEP (i1 r1 i2 p2).
expect() {
	local c=$1 step=$2 db=$3 line
	line=$(orig "$c" | grep "^$db:")
	case $c:$step:$db in
	debian-default:i?:hosts | admin-optout:i1:hosts | already-listed:i2:hosts | admin-twoterm:i?:hosts)
		line='hosts:          files srvsip [!UNAVAIL=return] dns' ;;
	debian-default:i?:services | admin-optout:i?:services | already-listed:i2:services | \
		admin-twoterm:i?:services)
		line='services:       db files srvsip' ;;
	ubuntu-mdns:i?:hosts)
		line='hosts:          files mdns4_minimal [NOTFOUND=return] srvsip [!UNAVAIL=return] dns' ;;
	systemd-resolved:i?:hosts)
		line='hosts:          files mdns4_minimal [NOTFOUND=return] srvsip [!UNAVAIL=return] resolve [!UNAVAIL=return] dns myhostname' ;;
	ubuntu-mdns:i?:services | systemd-resolved:i?:services)
		line='services:       db files srvsip' ;;
	# Already listed: dh-nss adds nothing at all (not even services:), but
	# removal strips the admin's entry, since the module is gone; the next
	# installation then adds both entries as on a Debian default file.
	already-listed:i1:*) ;;
	already-listed:[rp]?:hosts) line='hosts:          files dns' ;;
	comments-tabs:i1:hosts) line="hosts:${T}files${T}srvsip [!UNAVAIL=return] dns # resolver order" ;;
	comments-tabs:i2:hosts) line="hosts:${T}files srvsip [!UNAVAIL=return] dns # resolver order" ;;
	comments-tabs:[rp]?:hosts) line="hosts:${T}files dns # resolver order" ;;
	# dh-nss's "after" expression on a line with a comment drops the blank
	# that followed the anchor (it re-emits the anchor's optional [..] group
	# instead of the separator), so the tab before "#" becomes a space.
	comments-tabs:i?:services) line="services:${T}db files srvsip # local ports in /etc/services" ;;
	comments-tabs:[rp]?:services) line="services:${T}db files # local ports in /etc/services" ;;
	# No DNS module on hosts: (no anchor): hosts: is left alone.
	no-dns:i?:services) line='services: files srvsip' ;;
	# The admin deleted srvsip from hosts:; reinstalling keeps it deleted.
	admin-optout:i2:hosts) line='hosts:          files dns' ;;
	esac
	printf '%s\n' "$line"
}

# ------------------------------------------------- inside one namespace
norm() { sed 's/#.*//; s/[[:space:]]\+/ /g; s/ $//'; }

run_case() {
	local c=$1 deb=$2 w=$3 nfail=0 step db got want
	local nss=/etc/nsswitch.conf marker=/etc/nsswitch.conf.nss.$PKG-will-install
	bad() { echo "$*"; nfail=$((nfail + 1)); }

	mount -t tmpfs -o mode=0755 tmpfs "$w" || { echo "cannot mount tmpfs"; return 1; }
	local d
	for d in /etc /var /usr /lib /lib32 /lib64 /libx32; do
		[ -d "$d" ] && [ ! -L "$d" ] || continue
		mkdir -p "$w/upper$d" "$w/work$d"
		mount -t overlay overlay \
			-o "lowerdir=$d,upperdir=$w/upper$d,workdir=$w/work$d" "$d" ||
			{ echo "cannot mount overlayfs on $d"; return 1; }
	done
	export DEBIAN_FRONTEND=noninteractive
	# Start from "not installed" even if the host has the package.
	if dpkg-query -W -f='${db:Status-Abbrev}' "$PKG" 2>/dev/null | grep -q '^[ic]'; then
		dpkg --purge "$PKG" >"$w/dpkg.log" 2>&1 || { cat "$w/dpkg.log"; return 1; }
	fi
	rm -f "$nss" "$marker"
	orig "$c" >"$nss"
	orig "$c" | grep -vE '^(hosts|services):' >"$w/rest"

	dpkg_do() { # dpkg_do ARGS...: run dpkg, report its output on failure
		if ! dpkg "$@" >"$w/dpkg.log" 2>&1; then
			bad "dpkg $* failed:"
			sed 's/^/    /' "$w/dpkg.log"
		fi
	}
	check_lines() { # check_lines STEP
		local step=$1
		for db in hosts services; do
			got=$(grep "^$db:" "$nss")
			want=$(expect "$c" "$step" "$db")
			[ "$got" = "$want" ] ||
				bad "$step $db: got  '$(cat -A <<<"$got")'" $'\n'"    $step $db: want '$(cat -A <<<"$want")'"
			if [ "${step:0:1}" != i ]; then
				# after removal/purge: same services as before, comments aside
				[ "$(norm <<<"$got")" = "$(orig "$c" | grep "^$db:" | norm)" ] ||
					[ "$c:$db" = already-listed:hosts ] ||
					bad "$step $db: not back to the starting entries: '$got'"
			fi
		done
		grep -vE '^(hosts|services):' "$nss" | cmp -s - "$w/rest" ||
			bad "$step: lines other than hosts:/services: changed"
		[ ! -e "$marker" ] || bad "$step: $marker left behind"
	}
	installed_ok() { # installed_ok STEP
		[ -f /etc/srvsip.conf ] || bad "$1: /etc/srvsip.conf missing"
		! grep -qvE '^[[:space:]]*(#|$)' /etc/srvsip.conf 2>/dev/null ||
			bad "$1: /etc/srvsip.conf has an active line"
		dpkg -L "$PKG" | grep -q '/libnss_srvsip\.so\.2$' || bad "$1: module not listed by dpkg -L"
	}

	dpkg_do -i "$deb"
	check_lines i1
	installed_ok i1

	if [ "$c" = admin-optout ]; then
		sed -i 's/^\(hosts:.*\) srvsip \[!UNAVAIL=return\]/\1/' "$nss"
	else
		# The admin spells the action in two terms, as the docs allow;
		# removal must still take the whole bracket away.
		[ "$c" != admin-twoterm ] ||
			sed -i 's/srvsip \[!UNAVAIL=return\]/srvsip [NOTFOUND=return TRYAGAIN=return]/' "$nss"
		dpkg_do -r "$PKG"
		check_lines r1
		[ -f /etc/srvsip.conf ] || bad "r1: conffile /etc/srvsip.conf removed by dpkg -r"
		[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$PKG" 2>/dev/null)" = "rc " ] ||
			bad "r1: status is not config-files"
	fi

	dpkg_do -i "$deb"
	check_lines i2
	installed_ok i2

	dpkg_do -P "$PKG"
	check_lines p2
	[ ! -e /etc/srvsip.conf ] || bad "p2: /etc/srvsip.conf left after purge"
	! dpkg-query -W "$PKG" >/dev/null 2>&1 || bad "p2: dpkg still knows $PKG"

	[ "$nfail" = 0 ]
}

if [ "${1:-}" = --case ]; then
	run_case "$2" "$3" "$4"
	exit
fi

# --------------------------------------------------------------- driver
if [ $# != 1 ] || [ ! -f "$1" ]; then
	echo "usage: $0 PATH/$PKG.deb" >&2
	exit 64
fi
if [ "$(id -u)" != 0 ]; then
	echo "$0: must run as root" >&2
	exit 64
fi
DEB=$(readlink -f "$1")
if [ "$(dpkg-deb -f "$DEB" Package)" != "$PKG" ]; then
	echo "$0: $DEB is not a $PKG package" >&2
	exit 64
fi

host_state() {
	sha256sum "$(readlink -f /etc/nsswitch.conf)"
	echo "status: $(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$PKG" 2>/dev/null || echo unknown)"
	ls -l --time-style=full-iso /etc/srvsip.conf /etc/nsswitch.conf.nss.* 2>&1
}
before=$(host_state)

npass=0
nfail=0
for c in $CASES; do
	w=$(mktemp -d)
	out=$(unshare --mount --net --pid --fork --kill-child --mount-proc \
		--propagation private -- "$SELF" --case "$c" "$DEB" "$w" 2>&1)
	rc=$?
	rmdir "$w"
	if [ "$rc" = 0 ]; then
		echo "PASS $c"
		npass=$((npass + 1))
	else
		echo "FAIL $c"
		sed 's/^/  /' <<<"$out"
		nfail=$((nfail + 1))
	fi
done

after=$(host_state)
if [ "$before" = "$after" ]; then
	echo "PASS host-untouched"
	npass=$((npass + 1))
else
	echo "FAIL host-untouched"
	diff <(echo "$before") <(echo "$after") | sed 's/^/  /'
	nfail=$((nfail + 1))
fi

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
