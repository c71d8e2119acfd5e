# shellcheck shell=bash disable=SC2034,SC2119,SC2120
# Library of the end-to-end rig (sourced by run.sh and by every case).
#
# Everything here runs INSIDE the private namespace that run.sh creates with
#   unshare --net --mount --pid --fork --kill-child --mount-proc --propagation private
# so the inner run.sh is PID 1: when it exits, the kernel kills every server
# and drops every mount made here.  Nothing touches the host's /etc: ns_setup
# puts an overlayfs (upper layer on a tmpfs) over /etc, visible only here.
#
# Variables (set by run.sh):
#   E2E_DIR  test/e2e          REPO   repository root
#   E2E_TMP  scratch dir (mktemp -d on the host, removed on exit)
#   MODULE   $MODULE_DIR/libnss_srvsip.so.2  (MODULE_DIR: $REPO/build, or
#            $E2E_MODULE_DIR; first on LD_LIBRARY_PATH)
# Per case (set by the runner): CASE_NAME, CASE_DIR (scratch, also the cwd).

PY=/usr/bin/python3                  # Debian's, which has python3-dnslib
NSD_ADDR=127.0.0.1 NSD_PORT=5300     # the authoritative server (behind the proxy)
BIND_ADDR=127.0.0.1 BIND_PORT=5301   # the second one (BIND 9, random rrset order)
UPSTREAM_FILE="$E2E_TMP/dnsproxy/upstream" # the proxy's upstream (use_server)
NFQ_DELAY="$E2E_TMP/tools/nfq_delay" # latency on lo (tools/nfq_delay.c, built by run.sh)
DNS_ADDR=127.0.0.1                   # resolv.conf's server: the logging proxy, port 53
DNS_ADDR6=::1                        # the proxy listens there too (port 53)
QLOG="$E2E_TMP/dnsproxy/queries.log" # one line per query: time proto QTYPE qname action from= to= id= edns= ad=
PROXY_RULES="$E2E_TMP/dnsproxy/rules"
SRVSIP_CONF=/etc/srvsip.conf         # compiled-in path (Makefile CONFIG_PATH)
ULA6=fd53::2                         # extra addresses that AI_ADDRCONFIG counts
EXTRA4=127.0.0.2

# The nsswitch.conf lines every case starts from.
NSS_HOSTS_DEFAULT='files srvsip [NOTFOUND=return TRYAGAIN=return] dns'
NSS_SERVICES_DEFAULT='files srvsip'

# ---------------------------------------------------------------- results --

# fail REASON: end the current case as FAIL (cases run in their own process).
fail() {
    printf '%s\n' "$*" >"$CASE_DIR/.reason"
    echo "FAIL: $*" >&2
    exit 1
}

# skip REASON: end the current case as SKIP.
skip() {
    printf '%s\n' "$*" >"$CASE_DIR/.reason"
    exit 77
}

# note TEXT: goes to the case log (shown when the case fails or with -v).
note() { echo "# $*" >&2; }

# short TEXT: first line of TEXT, at most 120 characters (for logs).
short() { local s=${1%%$'\n'*}; [ "$s" != "$1" ] && s+=" ..."; printf '%.120s' "$s"; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
    [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
    note "ok: $1 = '$3'"
}

# expect_ne WHAT UNWANTED ACTUAL
expect_ne() {
    [ "$2" != "$3" ] || fail "$1: got unwanted '$3'"
    note "ok: $1 != '$2'"
}

# expect_match WHAT ERE ACTUAL
expect_match() {
    [[ "$3" =~ $2 ]] || { note "$3"; fail "$1: '$(short "$3")' does not match /$2/"; }
    note "ok: $1 '$(short "$3")' matches /$2/"
}

# expect_in WHAT ACTUAL ALLOWED...
expect_in() {
    local what=$1 actual=$2 a
    shift 2
    for a in "$@"; do [ "$actual" = "$a" ] && { note "ok: $what = '$actual'"; return 0; }; done
    fail "$what: '$actual' not one of: $*"
}

# expect_ratio WHAT HITS N P [SIGMAS]: binomial check that HITS out of N
# trials is within SIGMAS (default 5) standard deviations of N*P.
# At 5 sigma a correct implementation fails about 6e-7 of the time.
expect_ratio() {
    local what=$1 hits=$2 n=$3 p=$4 k=${5:-5} verdict
    verdict=$(awk -v h="$hits" -v n="$n" -v p="$p" -v k="$k" 'BEGIN {
        mu = n * p; sd = sqrt(n * p * (1 - p)); d = h - mu; if (d < 0) d = -d
        printf "%s %d/%d, expected %.0f +- %.1f (%g sigma of %.2f)", (d <= k * sd ? "ok" : "bad"), h, n, mu, k * sd, k, sd }')
    [ "${verdict%% *}" = ok ] || fail "$what: ${verdict#* }"
    note "ok: $what ${verdict#* }"
}

# check CMD...: run CMD (a function using expect_*) in a subshell; a failure
# is recorded instead of ending the case.  check_done fails the case with
# every recorded reason (so one run reports every broken path at once).
CHECK_FAILS=()
check() {
    ( "$@" )
    local rc=$?
    [ "$rc" = 77 ] && exit 77
    if [ "$rc" != 0 ]; then
        CHECK_FAILS+=("$(head -n 1 "$CASE_DIR/.reason" 2>/dev/null)")
        rm -f "$CASE_DIR/.reason"
    fi
    return 0
}
check_done() {
    [ ${#CHECK_FAILS[@]} -eq 0 ] && return 0
    local r all=""
    for r in "${CHECK_FAILS[@]}"; do all+="${all:+; }$r"; done
    fail "$all"
}

# need_cmd CMD...: SKIP the case when a program is missing.
need_cmd() {
    local c
    for c in "$@"; do command -v "$c" >/dev/null || skip "$c not installed"; done
}

# wait_until TIMEOUT_S CMD...: poll CMD every 50 ms until it succeeds.
wait_until() {
    local deadline=$(( $(date +%s%N) + ${1%.*} * 1000000000 ))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s%N)" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}

# ---------------------------------------------------------------- namespace --

# ns_setup: loopback up, private /etc (overlay), nscd masked.
ns_setup() {
    [ "$$" = 1 ] || { echo "ns_setup: not PID 1 of a private namespace" >&2; return 1; }
    ip link set lo up
    # fd53::/64 is local like 127/8, so IPv6 targets in the zones are reachable
    # (otherwise RFC 6724 rule 1 sorts them last); AI_ADDRCONFIG ignores routes.
    ip -6 route add local fd53::/64 dev lo table local
    mkdir -p "$E2E_TMP/etc-ov"
    mount -t tmpfs -o mode=0755 e2e-etc "$E2E_TMP/etc-ov"
    mkdir "$E2E_TMP/etc-ov/upper" "$E2E_TMP/etc-ov/work"
    mount -t overlay e2e-etc \
        -o "lowerdir=/etc,upperdir=$E2E_TMP/etc-ov/upper,workdir=$E2E_TMP/etc-ov/work" /etc
    # nscd would answer (and cache) for every process: hide its socket.
    if [ -d /run/nscd ]; then mount -t tmpfs -o mode=0755 e2e-nscd /run/nscd; fi
    # Remove before writing: if the host's file is a symlink (systemd-resolved),
    # writing through it would reach the real target outside the overlay.
    rm -f /etc/resolv.conf /etc/nsswitch.conf /etc/hosts "$SRVSIP_CONF"
    write_resolv
    write_nsswitch
    write_hosts
    addr_mode bare
}

# write_resolv [OPTIONS...]: nameserver = the proxy, one 1 s try.
write_resolv() {
    rm -f /etc/resolv.conf
    { echo "nameserver $DNS_ADDR"; echo "options timeout:1 attempts:1 $*"; } >/etc/resolv.conf
}

# write_nsswitch [HOSTS_LINE [SERVICES_LINE]]
write_nsswitch() {
    rm -f /etc/nsswitch.conf
    cat >/etc/nsswitch.conf <<EOF
passwd:    files
group:     files
shadow:    files
hosts:     ${1:-$NSS_HOSTS_DEFAULT}
networks:  files
protocols: files
services:  ${2:-$NSS_SERVICES_DEFAULT}
ethers:    files
rpc:       files
EOF
}

# resolv_conf LINE...: /etc/resolv.conf made of exactly these lines (several
# nameservers, search lists); case_reset writes the rig's own again.
resolv_conf() {
    rm -f /etc/resolv.conf
    printf '%s\n' "$@" >/etc/resolv.conf
}

write_hosts() {
    rm -f /etc/hosts
    printf '127.0.0.1\tlocalhost %s\n::1\tlocalhost ip6-localhost\n' "$(hostname)" >/etc/hosts
}

# write_conf [LINE...]: /etc/srvsip.conf (root, 0644) from the arguments,
# or from stdin when there are none.  The module ignores a file that is not
# root-owned or is group/other-writable; use chmod/chown after to test that.
write_conf() {
    local tmp=/etc/.srvsip.conf.new
    if [ $# -gt 0 ]; then printf '%s\n' "$@" >"$tmp"; else cat >"$tmp"; fi
    chown root:root "$tmp"
    chmod 0644 "$tmp"
    mv -f "$tmp" "$SRVSIP_CONF"   # new inode: the module's reload check sees it
}

rm_conf() { rm -f "$SRVSIP_CONF"; }

# addr_mode bare|v4|v6|dual: which families AI_ADDRCONFIG sees.  glibc ignores
# exactly 127.0.0.1 and ::1, so "bare" has none (AF_UNSPEC stays unnarrowed:
# gethostbyname4_r); v4 adds 127.0.0.2/32 (getaddrinfo narrows to AF_INET:
# gethostbyname2_r); v6 adds a ULA /128; dual adds both.
addr_mode() {
    ip -4 addr del "$EXTRA4/32" dev lo 2>/dev/null
    ip -6 addr del "$ULA6/128" dev lo 2>/dev/null
    case $1 in
        bare) ;;
        v4) ip -4 addr add "$EXTRA4/32" dev lo ;;
        v6) ip -6 addr add "$ULA6/128" dev lo nodad ;;
        dual) ip -4 addr add "$EXTRA4/32" dev lo; ip -6 addr add "$ULA6/128" dev lo nodad ;;
        *) echo "addr_mode: bad mode $1" >&2; return 1 ;;
    esac
}

# ---------------------------------------------------------------- servers --

# The servers, the proxy and the delayer run at nice -10, so that programs
# under test loading the CPU cannot starve them past the 1 s resolver
# timeout (seen on a loaded 2-core machine: 3 of 400 getent runs failed).
# nice execs the command, so $! stays the server's pid; without the
# privilege nice warns and runs it unchanged.
INFRA_NICE=(nice -n -10)

# nsd_conf ADDR PORT DIR: an nsd.conf serving every test/e2e/zones/*.zone
# (root.zone is the root zone ".").  Nothing is written outside DIR.
nsd_conf() {
    local addr=$1 port=$2 dir=$3 f name
    cat <<EOF
server:
    ip-address: $addr@$port
    server-count: 1
    reuseport: no
    username: ""
    chroot: ""
    database: ""
    zonelistfile: "$dir/zone.list"
    xfrdfile: "$dir/xfrd.state"
    xfrdir: "$dir/xfr"
    pidfile: "$dir/nsd.pid"
    logfile: "$dir/nsd.log"
    zonesdir: "$E2E_DIR/zones"
    zonefiles-write: 0
    verbosity: 1
    hide-version: yes
    tcp-count: 200
    rrl-ratelimit: 0                # no response rate limiting: all queries come from 127.0.0.1
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
EOF
    for f in "$E2E_DIR"/zones/*.zone; do
        name=$(basename "$f" .zone)
        [ "$name" = root ] && name=.
        printf 'zone:\n    name: "%s"\n    zonefile: "%s"\n' "$name" "$(basename "$f")"
    done
}

# start_nsd [ADDR [PORT]]: NSD in the foreground (nsd -d), waits until it
# answers.  Sets NSD_PID.
start_nsd() {
    local addr=${1:-$NSD_ADDR} port=${2:-$NSD_PORT} dir
    dir="$E2E_TMP/nsd-$addr-$port"
    mkdir -p "$dir/xfr"
    nsd_conf "$addr" "$port" "$dir" >"$dir/nsd.conf"
    nsd-checkconf "$dir/nsd.conf" || return 1
    "${INFRA_NICE[@]}" nsd -d -c "$dir/nsd.conf" >"$dir/stdout" 2>&1 &
    NSD_PID=$!
    if ! wait_until 10 dns_answers "$addr" "$port" example.com SOA; then
        echo "start_nsd: NSD on $addr@$port did not answer" >&2
        cat "$dir/nsd.log" "$dir/stdout" >&2 2>/dev/null
        return 1
    fi
}

# dns_answers ADDR PORT NAME TYPE: true when the server gives a NOERROR answer.
dns_answers() {
    dig +norec +tries=1 +time=1 -p "$2" "@$1" "$3" "$4" 2>/dev/null | grep -q 'status: NOERROR'
}

# bind_conf ADDR PORT DIR: a named.conf serving the same zones as nsd_conf,
# authoritative only, the records of an RRset in random order in every answer.
bind_conf() {
    local addr=$1 port=$2 dir=$3 f name
    cat <<EOF
options {
    directory "$dir";
    pid-file "$dir/named.pid";
    session-keyfile "$dir/session.key";
    managed-keys-directory "$dir";
    listen-on port $port { $addr; };
    listen-on-v6 { none; };
    recursion no;
    notify no;
    dnssec-validation no;
    allow-query { any; };
    rrset-order { order random; };
};
controls { };
logging {
    channel e2e { file "$dir/named.log"; severity info; print-time yes; };
    category default { e2e; };
};
EOF
    for f in "$E2E_DIR"/zones/*.zone; do
        name=$(basename "$f" .zone)
        [ "$name" = root ] && name=.
        printf 'zone "%s" { type primary; file "%s"; };\n' "$name" "$f"
    done
}

# start_bind [ADDR [PORT]]: BIND 9 in the foreground (named -g) serving the
# same zones; waits until it answers and checks every zone loaded.  Sets
# BIND_PID.
start_bind() {
    local addr=${1:-$BIND_ADDR} port=${2:-$BIND_PORT} dir
    dir="$E2E_TMP/bind-$addr-$port"
    mkdir -p "$dir"
    bind_conf "$addr" "$port" "$dir" >"$dir/named.conf"
    named-checkconf "$dir/named.conf" || return 1
    "${INFRA_NICE[@]}" named -g -4 -n 1 -u root -c "$dir/named.conf" >"$dir/stdout" 2>&1 &
    BIND_PID=$!
    if ! wait_until 10 dns_answers "$addr" "$port" example.com SOA; then
        echo "start_bind: named on $addr#$port did not answer" >&2
        tail -n 20 "$dir/named.log" "$dir/stdout" >&2 2>/dev/null
        return 1
    fi
    # named answers for the zones it loaded even when another one failed
    if grep -h 'not loaded due to errors' "$dir/named.log" "$dir/stdout" 2>/dev/null | grep -q .; then
        grep -h 'zone.*:' "$dir/named.log" "$dir/stdout" | grep -v 'loaded serial' >&2
        return 1
    fi
}

# set_upstream HOST:PORT: where the proxy forwards from now on (no restart;
# the proxy re-reads $UPSTREAM_FILE when it changes).
set_upstream() {
    printf '%s\n' "$1" >"$UPSTREAM_FILE.new" && mv -f "$UPSTREAM_FILE.new" "$UPSTREAM_FILE"
}

# use_server nsd|bind: the case's queries go (through the proxy) to that
# server; SKIPs the case when it is not running.  Sets CASE_SERVER.
use_server() {
    case $1 in
        nsd) set_upstream "$NSD_ADDR:$NSD_PORT" ;;
        bind)
            [ -z "${BIND_MISSING:-}" ] || skip "$BIND_MISSING"
            if [ -z "${BIND_PID:-}" ] || ! kill -0 "$BIND_PID" 2>/dev/null; then
                fail "BIND (named) is installed but not running (see run.sh's setup output)"
            fi
            set_upstream "$BIND_ADDR:$BIND_PORT" ;;
        *) fail "use_server: unknown server $1" ;;
    esac
    CASE_SERVER=$1
    note "DNS server: $1"
}

# server_port: the port of the server the case uses (for direct queries).
server_port() { if [ "${CASE_SERVER:-nsd}" = bind ]; then echo "$BIND_PORT"; else echo "$NSD_PORT"; fi; }

# children_of PID: the PIDs whose parent is PID (from /proc: no procps).
children_of() {
    local f s
    for f in /proc/[0-9]*/stat; do
        s=$(cat "$f" 2>/dev/null) || continue
        s=${s##*) }                       # after "pid (comm) ": state ppid ...
        s=${s#* }
        [ "${s%% *}" = "$1" ] || continue
        f=${f#/proc/}
        echo "${f%/stat}"
    done
}

# descendants_of PID: PID's children, their children, ...
descendants_of() {
    local c
    for c in $(children_of "$1"); do
        echo "$c"
        descendants_of "$c"
    done
}

# dns_pids: the proxy, the servers and all their processes (NSD forks twice).
dns_pids() {
    local p
    for p in "${PROXY_PID:-}" "${NSD_PID:-}" "${BIND_PID:-}"; do
        [ -n "$p" ] || continue
        echo "$p"
        descendants_of "$p"
    done
}
# dns_stop / dns_cont: SIGSTOP / SIGCONT all of them: queries then time out
# (a killed server would refuse at once).  The runner sends SIGCONT before
# every case.
dns_stop() {
    local pids
    mapfile -t pids < <(dns_pids)
    : >"$E2E_TMP/dns.stopped"
    kill -STOP "${pids[@]}" 2>/dev/null
}
dns_cont() {
    local pids
    mapfile -t pids < <(dns_pids)
    kill -CONT "${pids[@]}" 2>/dev/null
    rm -f "$E2E_TMP/dns.stopped"
}

# start_proxy [LISTEN [UPSTREAM]]: the logging/fault proxy (dnsproxy.py),
# on $DNS_ADDR:53 and [$DNS_ADDR6]:53 unless LISTEN (HOST:PORT) says.
# Rules in $PROXY_RULES (see dnsproxy.py).  Without an explicit UPSTREAM,
# $UPSTREAM_FILE (when it exists) names the upstream (use_server).  Sets
# PROXY_PID.
start_proxy() {
    local upstream=${2:-$NSD_ADDR:$NSD_PORT} dir ufile=() listen=()
    [ -z "${2:-}" ] && ufile=(--upstream-file "$UPSTREAM_FILE")
    if [ -n "${1:-}" ]; then listen=(--listen "$1"); else listen=(--listen "$DNS_ADDR:53" --listen "[$DNS_ADDR6]:53"); fi
    dir="$E2E_TMP/dnsproxy"
    mkdir -p "$dir"
    rm -f "$dir/ready"
    PYTHONDONTWRITEBYTECODE=1 "${INFRA_NICE[@]}" "$PY" -B "$E2E_DIR/dnsproxy.py" "${listen[@]}" \
        --upstream "$upstream" "${ufile[@]}" \
        --log "$QLOG" --rules "$PROXY_RULES" --ready "$dir/ready" \
        >"$dir/stdout" 2>&1 &
    PROXY_PID=$!
    wait_until 10 test -e "$dir/ready" || { cat "$dir/stdout" >&2; return 1; }
    proxy_answers "${listen[1]}"
}

# proxy_answers HOST:PORT: wait until a proxy there answers (10 s at most).
proxy_answers() {
    local host=${1%:*}
    host=${host#[}
    wait_until 10 dns_answers "${host%]}" "${1##*:}" example.com SOA
}

# proxy_extra NAME LISTEN...: one more dnsproxy.py (a second or third
# nameserver), on each LISTEN (HOST:PORT, [IPV6%SCOPE]:PORT), with the rig
# proxy's upstream, rules and query log (its to= column tells them apart);
# a background program of the case (bg_start), stdout in $CASE_DIR/NAME.out.
proxy_extra() {
    local name=$1 l args=()
    shift
    for l in "$@"; do args+=(--listen "$l"); done
    rm -f "$CASE_DIR/$name.ready"
    bg_start "$name" "${INFRA_NICE[@]}" "$PY" -B "$E2E_DIR/dnsproxy.py" "${args[@]}" \
        --upstream "$NSD_ADDR:$NSD_PORT" --upstream-file "$UPSTREAM_FILE" \
        --log "$QLOG" --rules "$PROXY_RULES" --ready "$CASE_DIR/$name.ready"
    wait_until 10 test -e "$CASE_DIR/$name.ready" || fail "proxy $name did not start: $(tail -n 3 "$CASE_DIR/$name.out" | paste -sd' ')"
    for l in "$@"; do proxy_answers "$l" || fail "proxy $name on $l does not answer"; done
}

# proxy_rules [LINE...]: replace the proxy's fault rules (none = pass all).
proxy_rules() {
    if [ $# -gt 0 ]; then printf '%s\n' "$@" >"$PROXY_RULES.new"; else : >"$PROXY_RULES.new"; fi
    mv -f "$PROXY_RULES.new" "$PROXY_RULES"
}

# ------------------------------------------------------------- query log --

# qlog_mark: remember the end of the query log; qlog_since prints what came
# after the mark (lines: epoch proto QTYPE qname action).
qlog_mark() { QLOG_MARK=$(wc -l <"$QLOG"); }
qlog_since() { tail -n "+$(( ${QLOG_MARK:-0} + 1 ))" "$QLOG"; }

# qlog_count [QTYPE|*] [QNAME|*]: queries since the mark matching both.
qlog_count() {
    qlog_since | awk -v t="${1:-*}" -v n="${2:-*}" '
        BEGIN { n = tolower(n); if (n != "*" && n !~ /\.$/) n = n "." }
        (t == "*" || $3 == t) && (n == "*" || $4 == n) { c++ } END { print c + 0 }'
}

# qlog_fields FIELD...: the queries since the mark, one line each with
# those fields only: time proto type name action (columns 1-5), from to id
# edns ad (the key=value columns, their values).
qlog_fields() {
    qlog_since | awk -v f="$*" 'BEGIN { n = split(f, want, " ") }
        { split("", v); v["time"] = $1; v["proto"] = $2; v["type"] = $3; v["name"] = $4; v["action"] = $5
          for (i = 6; i <= NF; i++) { k = $i; sub(/=.*/, "", k); x = $i; sub(/^[^=]*=/, "", x); v[k] = x }
          line = ""; for (i = 1; i <= n; i++) line = line (i > 1 ? " " : "") v[want[i]]; print line }'
}

# ---------------------------------------------------------------- helpers --

# undo_later CMD...: CMD runs before the next case (run.sh case_reset), also
# when this case was killed: for what a case changes in the namespace that
# the reset would not rewrite anyway (iptables filter rules, interfaces).
undo_later() {
    printf '%q ' "$@" >>"$E2E_TMP/undo.sh"
    echo >>"$E2E_TMP/undo.sh"
}
undo_run() {
    [ -e "$E2E_TMP/undo.sh" ] || return 0
    bash "$E2E_TMP/undo.sh" 2>/dev/null
    rm -f "$E2E_TMP/undo.sh"
}

module_built() { [ -e "$MODULE" ]; }

# first_addr CMD...: first field of the first output line (getent style).
first_addr() { "$@" 2>/dev/null | awk 'NR == 1 { print $1 }'; }

# gai ARGS...: run test/e2e/gai.py (getaddrinfo / gethostbyname loops).
gai() { PYTHONDONTWRITEBYTECODE=1 "$PY" -B "$E2E_DIR/gai.py" "$@"; }

# outcome FILE: what the gai.py runs of FILE gave (it lists its counts
# sorted): "error E..." (the distinct errors) or else "answer A..." (the
# distinct first addresses), for readable failure reasons.
outcome() {
    awk '$1 == "error" { e = e " " $2 } $1 == "first" { a = a " " $2 }
         END { print (e != "" ? "error" e : "answer" a) }' "$1"
}

# maxv FILE KEY: largest numeric VALUE of the KEY lines ("" if none).
maxv() { awk -v k="$2" '$1 == k && ($2 + 0 > m || m == "") { m = $2 + 0 } END { print m }' "$1"; }

# expect_ms WHAT MS MIN MAX: MIN <= MS < MAX.
expect_ms() {
    [ -n "$2" ] || fail "$1: no duration measured"
    { [ "$2" -ge "$3" ] && [ "$2" -lt "$4" ]; } || fail "$1: took $2 ms (expected $3 <= ms < $4)"
    note "ok: $1: $2 ms in [$3, $4)"
}

# bg_start NAME CMD...: start a background program of the case (output in
# $CASE_DIR/NAME.out, pid in BG_LAST), remember it.
# bg_stop_all: stop them (cases call it; the case's process group is also
# killed by the runner's timeout, and PID 1's exit kills the rest).
bg_start() {
    local name=$1
    shift
    "$@" >"$CASE_DIR/$name.out" 2>&1 &
    BG_LAST=$!
    BG_PIDS+=("$!")
}
bg_stop_all() {
    local p
    for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null; done
    BG_PIDS=()
}

# e2e_case NAME FUNCTION [needs...]: declare a case (in a case file, at top
# level).  needs: "module" = needs build/libnss_srvsip.so.2.
e2e_case() {
    if [ -n "${E2E_LISTING:-}" ]; then echo "$E2E_CASE_FILE $*"; fi
}

# e2e_case_servers NAME FUNCTION [needs...]: declare NAME_nsd and NAME_bind,
# which run FUNCTION with the proxy forwarding to NSD, then to BIND
# (use_server; CASE_SERVER tells FUNCTION which one).
e2e_case_servers() {
    local name=$1 func=$2 s
    shift 2
    for s in nsd bind; do
        eval "${func}_$s() { use_server $s; $func; }"
        e2e_case "${name}_$s" "${func}_$s" "$@"
    done
}

# gai_runs N OUT GAI-ARGS...: N gai.py processes of one lookup each, timed
# in-process (--times); OUT gets their counts merged, like one gai.py run of
# N.  A new process per lookup: the module's per-process reply cache never
# answers, every lookup sends its queries.
gai_runs() {
    local n=$1 out=$2 i
    shift 2
    for ((i = 0; i < n; i++)); do gai "$@" --times || return 1; done |
        awk '{ c[$1 " " $2] += $3 } END { for (k in c) print k, c[k] }' | sort >"$out"
}

# median FILE KEY: median of the numeric VALUEs of the KEY lines of a gai.py
# histogram ("ms 43 2" = two lookups of 43 ms), "" if none.
median() {
    awk -v k="$2" '$1 == k { for (i = 0; i < $3; i++) print $2 }' "$1" | median_of_lines
}
# median_of N...: median of the arguments (integers).
median_of() { printf '%s\n' "$@" | median_of_lines; }
median_of_lines() {
    sort -n | awk 'NF { v[++n] = $1 } END { if (n) print (n % 2) ? v[(n + 1) / 2] : int((v[n / 2] + v[n / 2 + 1]) / 2) }'
}
# now_ms: wall clock in milliseconds (for durations of whole commands).
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# cnt FILE KEY VALUE: the count gai.py printed for "KEY VALUE" (0 if none).
cnt() { awk -v k="$2" -v v="$3" '$1 == k && $2 == v { n += $3 } END { print n + 0 }' "$1"; }
# vals FILE KEY: the distinct values gai.py printed for KEY, space separated.
vals() { awk -v k="$2" '$1 == k { print $2 }' "$1" | sort | paste -sd' '; }
# total FILE KEY: sum of the counts for KEY.
total() { awk -v k="$2" '$1 == k { n += $3 } END { print n + 0 }' "$1"; }

# getent_loop N OUTFILE GETENT-ARGS...: run getent N times; OUTFILE gets
# "first ADDR n" (first address), "canon ADDR:NAME n" (the first line's name:
# column 3 for ahosts*, h_name for hosts), "naddr K n" (K distinct addresses
# in the output) and "error STATUS n" lines, like gai.py.
getent_loop() {
    local n=$1 out=$2 i st col=3 a
    shift 2
    for a in "$@"; do [ "$a" = hosts ] && col=2; done
    for ((i = 0; i < n; i++)); do
        getent "$@" | awk -v c="$col" 'NR == 1 { f = $1 " " $c } { seen[$1] = 1 }
            END { if (NR) { k = 0; for (a in seen) k++; print f, k } }'
        st=${PIPESTATUS[0]}
        [ "$st" = 0 ] || echo "error $st"
    done | awk '$1 == "error" { e[$2]++; next }
                { f[$1]++; c[$1 ":" $2]++; na[$3]++ }
                END { for (k in f) print "first", k, f[k]; for (k in c) print "canon", k, c[k];
                      for (k in na) print "naddr", k, na[k]; for (k in e) print "error", k, e[k] }' \
        | sort >"$out"
}

# ---------------------------------------------------------------- latency --

# delay_start MS: every DNS packet on lo (UDP and TCP, to or from port 53:
# between programs and the proxy, not between the proxy and the servers) is
# held MS ms by nfq_delay (tools/nfq_delay.c), so a round trip costs 2*MS.
# The kernel has no netem: iptables NFQUEUE rules in the namespace's mangle
# OUTPUT chain (--queue-bypass: packets pass when nfq_delay is gone).  SKIPs
# the case when nfq_delay could not be built or iptables/NFQUEUE is missing.
delay_start() {
    local ms=$1 p d
    [ -x "$NFQ_DELAY" ] || skip "nfq_delay not built: $(head -n 2 "$E2E_TMP/tools/build.log" 2>/dev/null |
        paste -sd' ' | grep . || echo 'needs gcc and libnetfilter-queue-dev')"
    command -v iptables >/dev/null || skip "iptables not installed"
    rm -f "$CASE_DIR/nfq.ready" "$CASE_DIR/nfq.count"
    bg_start nfq_delay "${INFRA_NICE[@]}" "$NFQ_DELAY" -d "$ms" -r "$CASE_DIR/nfq.ready" -c "$CASE_DIR/nfq.count"
    NFQ_PID=$BG_LAST
    wait_until 5 test -e "$CASE_DIR/nfq.ready" ||
        skip "nfq_delay could not bind queue 0: $(tail -n 1 "$CASE_DIR/nfq_delay.out")"
    : >"$E2E_TMP/delay.on"     # the runner's reset removes the rules
    for p in udp tcp; do
        for d in --dport --sport; do
            iptables -t mangle -A OUTPUT -o lo -p "$p" "$d" 53 -j NFQUEUE --queue-num 0 \
                --queue-bypass 2>"$CASE_DIR/iptables.err" ||
                skip "iptables NFQUEUE rule refused: $(head -n 1 "$CASE_DIR/iptables.err")"
        done
    done
    note "delay: $ms ms per packet on lo port 53 (round trip $((2 * ms)) ms)"
}

# delay_stop: remove the rules and stop nfq_delay (idempotent).
delay_stop() {
    [ -e "$E2E_TMP/delay.on" ] || return 0
    iptables -t mangle -F OUTPUT 2>/dev/null
    rm -f "$E2E_TMP/delay.on"
    if [ -n "${NFQ_PID:-}" ]; then kill "$NFQ_PID" 2>/dev/null; wait "$NFQ_PID" 2>/dev/null; fi
    NFQ_PID=
}

# delayed_packets: packets nfq_delay has held and released so far.
delayed_packets() { cat "$CASE_DIR/nfq.count" 2>/dev/null || echo 0; }

# -------------------------------------------------------------- SIP peers --

# sip_uas NAME IP [PORT]: a sipp UAS on udp IP:PORT (default 5060) answering
# every request with 200 OK (scenarios/any_uas.xml), in the background; what
# it received is logged in $CASE_DIR/NAME.msg.  Waits until it listens.
sip_uas() {
    local name=$1 ip=$2 port=${3:-5060}
    bg_start "$name" sipp -sf "$E2E_DIR/scenarios/any_uas.xml" -i "$ip" -p "$port" -nostdin \
        -trace_msg -message_file "$CASE_DIR/$name.msg"
    printf '%s\n' "$BG_LAST" >"$CASE_DIR/$name.pid"
    wait_until 10 udp_listening "$ip" "$port" || fail "sipp UAS $name on $ip:$port did not start"
}

# uas_stop NAME: stop the UAS NAME; its port then answers ICMP unreachable.
uas_stop() {
    local pid
    pid=$(cat "$CASE_DIR/$1.pid" 2>/dev/null) || return 0
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null    # bg_start made it a child of this shell
    rm -f "$CASE_DIR/$1.pid"
}

# uas_requests NAME [METHOD]: requests (default: any method) UAS NAME received.
uas_requests() {
    local n
    n=$(grep -Ec "^${2:-[A-Z]+} sip:" "$CASE_DIR/$1.msg" 2>/dev/null)
    echo "${n:-0}"
}

# uas_calls NAME: distinct calls (Call-IDs) UAS NAME received requests of,
# so a retransmitted request is not counted twice.
uas_calls() {
    grep -i '^Call-ID:' "$CASE_DIR/$1.msg" 2>/dev/null | tr -d '\r' | sort -u | grep -c .
}

# udp_listening IP PORT: something listens on udp IP:PORT.
udp_listening() { ss -Hlun "src $1:$2" | grep -q .; }
