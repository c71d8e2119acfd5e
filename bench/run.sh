#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark of libnss-srvsip (`make bench`, `make bench-quick`): lookups
# through NSS against NSD on 127.0.0.1:53, every packet on lo held 10 ms by
# nfq_delay (one DNS round trip = 20 ms), inside a private net/mount/pid
# namespace (the host's /etc and network are never touched).
#
# usage: bench/run.sh [--quick] [--samples N] [--out FILE] [--keep] [--no-assert]
#        bench/run.sh -x 'COMMANDS'                                   (as root)
#   --quick       CI mode: few samples, one short callgrind run, no strace,
#                 no target assertions; < 60 s
#   --samples N   timed lookups per case (default 101; --quick: 5)
#   --out FILE    also write the Markdown report to FILE
#   --keep        keep the scratch dir (samples, callgrind and strace files)
#   --no-assert   full run, but exit 0 when targets are missed (report only)
#   -x 'COMMANDS' set the rig up (NSD, delay, counters), run COMMANDS (bash,
#                 cwd = scratch dir; $BIN holds bench_driver, naive_pipeline and
#                 ctr; functions conf cold|cached, write_nsswitch, write_conf)
#                 instead of the cases, exit with their status, e.g.
#                 run.sh -x 'conf cold; strace -r $BIN/bench_driver ghbn six.test'
# env: BENCH_BUILD=DIR  the build dir holding libnss_srvsip.so.2 (default
#                       build/; bench/bench.mk passes make's $(BUILD))
#      BENCH_DELAY_MS   per-packet delay (default 10)
#
# Prints a Markdown report on stdout (progress on stderr): per case the
# median wall time per lookup, as a ratio to the floor's, in round trips
# (median / measured RTT), the DNS queries sent per lookup (iptables rule
# counters in the namespace: UDP datagrams + TCP connections to port 53,
# zeroed after the warm-up lookup), callgrind instructions per lookup
# (--toggle-collect=bench_measured) and system calls per lookup (strace),
# then every target of the issue as met or missed.
#
# Exit status: 0 every case ran (and, without --quick or --no-assert, every
# target was met); 1 a target was missed (full run only); 2 a case failed to
# resolve or the rig did not come up; 64 usage.
# shellcheck disable=SC1090,SC1091,SC2016,SC2317
set -u

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
BUILD_DIR=${BENCH_BUILD:-$REPO/build}
case $BUILD_DIR in /*) ;; *) BUILD_DIR=$REPO/$BUILD_DIR ;; esac
MODULE=$BUILD_DIR/libnss_srvsip.so.2
DELAY_MS=${BENCH_DELAY_MS:-10}
export BENCH_DIR REPO BUILD_DIR MODULE DELAY_MS

QUICK='' SAMPLES='' OUT='' KEEP='' EXEC='' NOASSERT=''
parse_args() {
    while [ $# -gt 0 ]; do
        case $1 in
            --quick) QUICK=1 ;;
            --samples) SAMPLES=${2:-}; shift ;;
            --out) OUT=${2:-}; shift ;;
            --keep) KEEP=1 ;;
            --no-assert) NOASSERT=1 ;;
            -x) EXEC=${2:-}; shift ;;
            -h|--help) sed -n '2,/^# shellcheck/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
            *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 64 ;;
        esac
        shift
    done
    case $SAMPLES in '') ;; *[!0-9]*|0) echo "run.sh: --samples needs a positive number" >&2; exit 64 ;; esac
}

# ------------------------------------------------------------ host side --
if [ "${1:-}" != --inside ]; then
    parse_args "$@"
    if [ "$(id -u)" != 0 ]; then echo "run.sh: must run as root (private namespace)" >&2; exit 2; fi
    for c in unshare nsd nsd-checkconf dig ip iptables timeout gcc valgrind strace; do
        command -v "$c" >/dev/null || { echo "run.sh: missing $c" >&2; exit 2; }
    done
    [ -e "$MODULE" ] || { echo "run.sh: $MODULE missing: run make" >&2; exit 2; }
    if [ -n "$OUT" ]; then
        case $OUT in /*) BENCH_OUT_ABS=$OUT ;; *) BENCH_OUT_ABS=$PWD/$OUT ;; esac
        export BENCH_OUT_ABS
    fi
    BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/srvsip-bench.XXXXXX") || exit 2
    chmod 0755 "$BENCH_TMP"
    export BENCH_TMP
    cleanup() {
        if [ -n "$KEEP" ]; then echo "run.sh: scratch kept in $BENCH_TMP" >&2
        else rm -rf "$BENCH_TMP"; fi
    }
    trap cleanup EXIT
    mkdir -p "$BENCH_TMP/bin"
    cflags=(-std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wshadow -Wformat=2
            -Wstrict-prototypes -Wmissing-prototypes)
    if ! { gcc "${cflags[@]}" -o "$BENCH_TMP/bin/bench_driver" "$BENCH_DIR/bench_driver.c" -lresolv &&
           gcc "${cflags[@]}" -o "$BENCH_TMP/bin/naive_pipeline" "$BENCH_DIR/naive_pipeline.c" -lresolv &&
           gcc "${cflags[@]}" -fPIC -shared -Wl,-soname,libnss_benchnull.so.2 \
               -o "$BENCH_TMP/bin/libnss_benchnull.so.2" "$BENCH_DIR/nss_null.c" &&
           gcc -O2 -Wall -o "$BENCH_TMP/bin/nfq_delay" "$REPO/test/e2e/tools/nfq_delay.c" \
               -lnetfilter_queue; } 2>"$BENCH_TMP/build.log"; then
        echo "run.sh: building the bench tools failed (gcc, libnetfilter-queue-dev):" >&2
        cat "$BENCH_TMP/build.log" >&2
        exit 2
    fi
    # The inner run.sh is the namespace's PID 1: NSD and nfq_delay die with
    # it, and the iptables rules vanish with the namespace.
    # shellcheck source=../test/e2e/ns-run.sh
    . "$REPO/test/e2e/ns-run.sh"
    run_in_namespace "$BENCH_DIR/run.sh" "$@"
    exit $?
fi

# ------------------------------------------------------- namespace side --
shift
parse_args "$@"
OUT=${BENCH_OUT_ABS:-}
E2E_DIR=$REPO/test/e2e E2E_TMP=$BENCH_TMP
export E2E_DIR E2E_TMP
. "$E2E_DIR/lib.sh"      # ns_setup, start_nsd, write_conf, write_nsswitch, wait_until
BIN=$BENCH_TMP/bin
export LD_LIBRARY_PATH="$BUILD_DIR:$BIN"   # libnss_srvsip.so.2, libnss_benchnull.so.2
D=$BENCH_TMP/results
mkdir -p "$D"
cd "$BENCH_TMP" || exit 2

log() { echo "bench: $*" >&2; }
die() { log "$*"; [ -s "$BENCH_TMP/setup.log" ] && sed 's/^/  | /' "$BENCH_TMP/setup.log" >&2; exit 2; }

if [ -n "$QUICK" ]; then
    N=${SAMPLES:-5} N_REPEAT=50 CG_N=2 ST_N=0
else
    N=${SAMPLES:-101} N_REPEAT=1000 CG_N=20 ST_N=20
fi
ST_N_OOS=60   # out of scope: longer, so the module's once-a-second config check shows

# ---- the rig --------------------------------------------------------------
{
    ns_setup || exit 1
    # NSD straight on 127.0.0.1:53 (the resolv.conf server; no proxy in the
    # timed path), serving bench/zones/*.zone: start_nsd takes the zones
    # from $E2E_DIR/zones.
    E2E_DIR=$BENCH_DIR start_nsd 127.0.0.1 53 || exit 1
} >"$BENCH_TMP/setup.log" 2>&1 || die "namespace or NSD did not come up"
dns_answers 127.0.0.1 53 _sip._udp.six.test SRV || die "NSD does not serve bench/zones"

# What the fixtures are: the glue (A records in the Additional section) of
# each SRV answer, as the server sends it.
# "N SRV records, G targets with glue".
glue() {
    dig +norec +noedns +tries=1 +time=2 -p 53 @127.0.0.1 "$1" SRV +noall +answer +additional |
        awk '$4 == "SRV" { n++; t[tolower($8)] = 1 }
             ($4 == "A" || $4 == "AAAA") && (tolower($1) in t) && !g[tolower($1)]++ { k++ }
             END { printf "%d SRV, %d glued", n, k }'
}
FIXTURES=""
for z in sipdomain.com noglue.test one.test two.test six.test; do
    FIXTURES+="${FIXTURES:+; }$z: $(glue "_sip._udp.$z")"
done

# Every packet on lo (both directions pass OUTPUT once) held DELAY_MS ms;
# counting rules first (no target: they only count).
"$BIN/nfq_delay" -d "$DELAY_MS" -r "$BENCH_TMP/nfq.ready" >"$BENCH_TMP/nfq.log" 2>&1 &
NFQ_PID=$!
wait_until 5 test -e "$BENCH_TMP/nfq.ready" || die "nfq_delay did not bind queue 0: $(cat "$BENCH_TMP/nfq.log")"
{
    iptables -t mangle -A OUTPUT -o lo -p udp --dport 53 -m comment --comment bench_q_udp &&
    iptables -t mangle -A OUTPUT -o lo -p tcp --dport 53 --syn -m comment --comment bench_q_tcp &&
    iptables -t mangle -A OUTPUT -o lo -j NFQUEUE --queue-num 0 --queue-bypass
} 2>"$BENCH_TMP/iptables.err" || die "iptables NFQUEUE rules refused: $(cat "$BENCH_TMP/iptables.err")"
ip6tables -t mangle -A OUTPUT -o lo -j NFQUEUE --queue-num 0 --queue-bypass 2>/dev/null ||
    log "ip6tables NFQUEUE refused: IPv6 on lo not delayed (no DNS uses it here)"
# The "network" (nfq_delay) and the server run SCHED_FIFO: other load on the
# machine then cannot delay the packets.  Without this, a busy machine adds
# milliseconds of scheduling delay to every burst of packets.
# The timed lookups themselves run SCHED_FIFO 5 (below the rig): their CPU
# work still counts, other programs' does not (callgrind and strace runs
# keep the normal priority).
RIG_PRIO="SCHED_FIFO 10 (nfq_delay, NSD), timed lookups SCHED_FIFO 5"
RT=(chrt -f 5)
for p in "$NFQ_PID" $(pgrep -x nsd); do
    chrt -a -f -p 10 "$p" >/dev/null 2>&1 || RIG_PRIO="normal (chrt refused)"
done
if [ "${RIG_PRIO#normal}" != "$RIG_PRIO" ] || ! chrt -f 5 true 2>/dev/null; then
    RIG_PRIO="normal (chrt refused)" RT=()
fi

cat >"$BIN/ctr" <<'EOF'
#!/bin/sh
# ctr zero | ctr read FILE: the DNS query counters (UDP datagrams, TCP SYNs to port 53).
case $1 in
    zero) exec iptables -t mangle -Z OUTPUT ;;
    read) iptables -t mangle -L OUTPUT -v -n -x |
              awk '/bench_q_udp/ { u = $1 } /bench_q_tcp/ { t = $1 } END { print u + 0, t + 0 }' >"$2" ;;
    *) exit 64 ;;
esac
EOF
chmod 0755 "$BIN/ctr"

HOSTS_SRVSIP='files srvsip [NOTFOUND=return TRYAGAIN=return] dns'
HOSTS_PLAIN='files dns'
# conf cold|cached: the domains of the gethostbyname cases; cold adds
# "cache off" so every lookup pays its queries.
conf() {
    local lines=("domain sipdomain.com" "domain noglue.test" "domain one.test" "domain two.test"
        "domain six.test")
    [ "$1" = cold ] && lines=("cache off" "${lines[@]}")
    write_conf "${lines[@]}"
}

if [ -n "$EXEC" ]; then
    export BIN
    write_nsswitch "$HOSTS_SRVSIP"
    eval "$EXEC"
    exit $?
fi

# ---- measuring --------------------------------------------------------------
declare -A LABEL LOOKUP HOSTSL SERVICESL LIMIT MED P90 NOK QRY IR SC SHARE STATUS SCHIST PARTS STSECS
CASES=()
FAILED_CASES=0

# stats FILE [ADDR]: "n median_us p90_us share" of the samples (share: the
# fraction whose first address is ADDR).
stats() {
    awk '$2 != "error"' "$1" | sort -n -k1,1 | awk -v a="${2:-}" '{ v[++n] = $1; if ($2 == a) h++ }
        END { if (!n) { print 0, "-", "-", "-"; exit }
              m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
              p = v[int(0.9 * (n - 1)) + 1]
              printf "%d %s %s %s\n", n, m, p, (a == "" ? "-" : h / n) }'
}

# cg_part FILE N PATTERN: inclusive instructions per lookup of the functions
# whose callgrind_annotate name matches the ERE PATTERN (summed; none nest).
cg_part() {
    callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
        awk -v n="$2" -v pat="$3" '$2 ~ /^\(/ && $0 ~ pat { gsub(",", "", $1); t += $1 }
            END { printf "%.0f", t / n }'
}

# run_case ID LABEL LOOKUP HOSTS CONF QUERY-LIMIT SHARE-ADDR PROGRAM ARGS...
# (SERVICES: the case's services: line, default "files srvsip")
run_case() {
    local id=$1 label=$2 lookup=$3 hosts=$4 cf=$5 limit=$6 share_addr=$7 prog=$8 rc n=$N
    shift 8
    CASES+=("$id")
    LABEL[$id]=$label LOOKUP[$id]=$lookup LIMIT[$id]=$limit STATUS[$id]=ok
    HOSTSL[$id]=${hosts// \[*\]/}
    [ "$id" = repeat ] && n=$N_REPEAT
    write_nsswitch "$hosts" "${SERVICES:-files srvsip}"
    SERVICESL[$id]=${SERVICES:-files srvsip}
    case $cf in cold|cached) conf "$cf" ;; *) rm_conf ;; esac
    log "$id: $label ($n lookups)"
    timeout 600 "${RT[@]}" "$BIN/$prog" -n "$n" -w 1 -b "$BIN/ctr zero" -a "$BIN/ctr read $D/$id.q" "$@" \
        >"$D/$id.samples" 2>"$D/$id.err"
    rc=$?
    read -r "NOK[$id]" "MED[$id]" "P90[$id]" "SHARE[$id]" < <(stats "$D/$id.samples" "$share_addr")
    if [ "$rc" != 0 ] || [ "${NOK[$id]}" != "$n" ]; then
        STATUS[$id]="FAILED (exit $rc, $((n - ${NOK[$id]})) of $n lookups failed: $(head -c 200 "$D/$id.err" | tr '\n' ' ')$(grep -m1 error "$D/$id.samples"))"
        FAILED_CASES=$((FAILED_CASES + 1))
        log "$id: ${STATUS[$id]}"
    fi
    local udp tcp
    if read -r udp tcp <"$D/$id.q" 2>/dev/null; then
        QRY[$id]=$(awk -v u="$udp" -v t="$tcp" -v n="$n" 'BEGIN { printf "%.2f", (u + t) / n }')
        [ "$tcp" != 0 ] && QRY[$id]+=" ($tcp TCP)"
    else
        QRY[$id]="-"
    fi
    IR[$id]="-" SC[$id]="-"
    if [ "${id#rtt}" = "$id" ] && { [ -z "$QUICK" ] || [ "$id" = glue ]; }; then
        local cn=$CG_N
        [ "$id" = repeat ] && cn=$((CG_N * 10))
        timeout 600 valgrind --tool=callgrind --toggle-collect=bench_measured \
            --callgrind-out-file="$D/$id.cg" -q "$BIN/$prog" -q -n "$cn" -w 1 "$@" \
            >"$D/$id.cg.out" 2>&1 || log "$id: callgrind run failed (see $D/$id.cg.out)"
        IR[$id]=$(awk -v n="$cn" '/^(summary|totals):/ { t = $2 } END { if (t != "") printf "%.0f", t / n; else print "-" }' "$D/$id.cg" 2>/dev/null)
        # Where they go: services lookup (all modules), then the hosts
        # modules' entry points.
        PARTS[$id]="$(cg_part "$D/$id.cg" "$cn" 'getservbyname_r@@')"
        # (entry points only: gethostbyname_r calls gethostbyname3_r inside)
        local m
        for m in files srvsip dns; do
            PARTS[$id]+=" $(cg_part "$D/$id.cg" "$cn" ":_nss_${m}_gethostbyname(4|2)?_r \\[")"
        done
    fi
    if [ "${id#rtt}" = "$id" ] && [ "$ST_N" -gt 0 ]; then
        local sn=$ST_N
        case $id in oos*) sn=$ST_N_OOS ;; repeat) sn=$((ST_N * 10)) ;; esac
        local t0
        t0=$(date +%s%N)
        timeout 600 strace -f -qq -o "$D/$id.st" "$BIN/$prog" -q -n "$sn" -w 1 "$@" \
            >"$D/$id.st.out" 2>&1 || log "$id: strace run failed (see $D/$id.st.out)"
        STSECS[$id]=$(awk -v d=$(( $(date +%s%N) - t0 )) 'BEGIN { printf "%.1f", d / 1e9 }')
        # The lines between the two getppid() markers around bench_measured.
        awk -v n="$sn" -v hist="$D/$id.sc" '
            { line = $0; sub(/^[0-9]+ +/, "", line) }
            line ~ /^getppid\(\)/ { m++; next }
            m == 1 && line !~ /^<\.\.\./ && line !~ /^(\+\+\+|---)/ {
                c++; name = line; sub(/\(.*/, "", name); h[name]++ }
            END { printf "%.2f\n", c / n; for (k in h) printf "%s %.2f\n", k, h[k] / n > hist }' \
            "$D/$id.st" >"$D/$id.sc.total" 2>/dev/null
        SC[$id]=$(cat "$D/$id.sc.total" 2>/dev/null || echo -)
        SCHIST[$id]=$(sort "$D/$id.sc" 2>/dev/null | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }')
    fi
}

RUN_T0=$(date +%s) LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
SRC_REV=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo "no git")
[ -n "$(git -C "$REPO" status --porcelain -- src 2>/dev/null)" ] && SRC_REV+=" (src/ modified)"
# The physical round trip: one raw UDP query/answer, no NSS, no libresolv.
run_case rtt "network round trip" "raw UDP query A 1x-load.sipdomain.com" "$HOSTS_PLAIN" none 1 "" \
    bench_driver rtt 1x-load.sipdomain.com
run_case rtt6 "network round trip, burst of 6" "6 raw UDP queries at once" "$HOSTS_PLAIN" none 6 "" \
    bench_driver rtt 1x-load.sipdomain.com 6
run_case floor "floor: known target name" 'getaddrinfo("1x-load.sipdomain.com", "5060")' \
    "$HOSTS_PLAIN" none 2 "" bench_driver gai 1x-load.sipdomain.com 5060
SERVICES="files" \
run_case floor_svc "floor, named service" 'getaddrinfo("1x-load.sipdomain.com", "sip")' \
    "$HOSTS_PLAIN" none 2 "" bench_driver gai 1x-load.sipdomain.com sip
# In scope by a `domain` line, with the floor's numeric port: the same call
# as the floor, so the two compare like for like.
run_case glue "first address, with glue" 'getaddrinfo("sipdomain.com", "5060")' \
    "$HOSTS_SRVSIP" cold 1 127.0.0.13 bench_driver gai sipdomain.com 5060
run_case noglue "first address, without glue" 'getaddrinfo("noglue.test", "5060")' \
    "$HOSTS_SRVSIP" cold 3 127.0.0.63 bench_driver gai noglue.test 5060
# In scope by the pseudo-service: glibc first asks the services: modules
# for "sipsrv" (files scans all of /etc/services before srvsip answers).
run_case glue_svc "first address, with glue, pseudo-service" 'getaddrinfo("sipdomain.com", "sipsrv")' \
    "$HOSTS_SRVSIP" cold 1 127.0.0.13 bench_driver gai sipdomain.com sipsrv
SERVICES="srvsip files" \
run_case glue_svc1st "first address, with glue, pseudo-service, srvsip first on services:" 'getaddrinfo("sipdomain.com", "sipsrv")' \
    "$HOSTS_SRVSIP" cold 1 127.0.0.13 bench_driver gai sipdomain.com sipsrv
run_case noglue_svc "first address, without glue, pseudo-service" 'getaddrinfo("noglue.test", "sipsrv")' \
    "$HOSTS_SRVSIP" cold 3 127.0.0.63 bench_driver gai noglue.test sipsrv
run_case list1 "failover list, 1 target (no glue)" 'gethostbyname("one.test")' \
    "$HOSTS_SRVSIP" cold 2 "" bench_driver ghbn one.test
run_case list2 "failover list, 2 targets (no glue)" 'gethostbyname("two.test")' \
    "$HOSTS_SRVSIP" cold 3 "" bench_driver ghbn two.test
run_case list6 "failover list, 6 targets (4 glued)" 'gethostbyname("sipdomain.com")' \
    "$HOSTS_SRVSIP" cold 3 127.0.0.13 bench_driver ghbn sipdomain.com
run_case list6ng "failover list, 6 targets (no glue)" 'gethostbyname("six.test")' \
    "$HOSTS_SRVSIP" cold 7 127.0.0.62 bench_driver ghbn six.test
run_case repeat "repeat within TTL (cache on)" 'getaddrinfo("sipdomain.com", "5060")' \
    "$HOSTS_SRVSIP" cached 0 127.0.0.13 bench_driver gai sipdomain.com 5060
run_case oos_floor "out of scope, without srvsip" 'getaddrinfo("www.plain.test", "5060")' \
    "$HOSTS_PLAIN" cached 2 "" bench_driver gai www.plain.test 5060
run_case oos "out of scope, with srvsip" 'getaddrinfo("www.plain.test", "5060")' \
    "$HOSTS_SRVSIP" cached 2 "" bench_driver gai www.plain.test 5060
run_case oos_null "out of scope, with a no-op module" 'getaddrinfo("www.plain.test", "5060")' \
    "files benchnull [NOTFOUND=return TRYAGAIN=return] dns" none 2 "" bench_driver gai www.plain.test 5060
run_case naive1 "naive pipeline, 1 target" 'res_query SRV + gethostbyname each' \
    "$HOSTS_PLAIN" none 2 "" naive_pipeline _sip._udp.one.test
run_case naive2 "naive pipeline, 2 targets" 'res_query SRV + gethostbyname each' \
    "$HOSTS_PLAIN" none 3 "" naive_pipeline _sip._udp.two.test
run_case naive6 "naive pipeline, 6 targets (sipdomain.com)" 'res_query SRV + gethostbyname each' \
    "$HOSTS_PLAIN" none 7 "" naive_pipeline _sip._udp.sipdomain.com
run_case naive6ng "naive pipeline, 6 targets (six.test)" 'res_query SRV + gethostbyname each' \
    "$HOSTS_PLAIN" none 7 "" naive_pipeline _sip._udp.six.test
RUN_SECS=$(( $(date +%s) - RUN_T0 )) LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report -----------------------------------------------------------------
num() { [[ ${1:-} =~ ^[0-9.]+$ ]]; }
ratio() { if num "$1" && num "$2" && [ "$2" != 0 ]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; else echo -; fi; }
ms() { if num "$1"; then awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; else echo -; fi; }
le() { num "$1" && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

RTT=${MED[rtt]} FLOOR=${MED[floor]} FLOOR_IR=${IR[floor]}
MET=0 MISSED=0
TARGETS=""
target() { # VERDICT TEXT
    if [ "$1" = met ]; then MET=$((MET + 1)); else MISSED=$((MISSED + 1)); fi
    TARGETS+="- **$1**: $2"$'\n'
}
check_le() { # VALUE LIMIT TEXT
    if le "$1" "$2"; then target met "$3"; else target missed "$3"; fi
}
qnum() { echo "${QRY[$1]%% *}"; }

report() {
    local id
    echo "## libnss-srvsip benchmark ($([ -n "$QUICK" ] && echo quick || echo full run))"
    echo
    echo "- code: $SRC_REV, module $MODULE"
    echo "- machine: $(uname -srm), $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(ldd --version | head -n 1 | sed 's/^ldd //'), $(nsd -v 2>&1 | head -n 1), $(valgrind --version); load average $LOAD0 at the start, $LOAD1 at the end"
    echo "- network: every packet on lo held ${DELAY_MS} ms by nfq_delay; measured RTT $(ms "$RTT") ms (median of ${NOK[rtt]} raw UDP queries); NSD on 127.0.0.1:53; rig priority $RIG_PRIO"
    echo "- fixtures (bench/zones): $FIXTURES"
    echo "- samples: $N timed lookups per case (repeat: $N_REPEAT) after 1 warm-up; instructions: callgrind over $CG_N lookups (repeat: $((CG_N * 10)))$([ -n "$QUICK" ] && echo ", glue case only"); syscalls: $([ "$ST_N" -gt 0 ] && echo "strace over $ST_N lookups (out of scope: $ST_N_OOS; repeat: $((ST_N * 10)))" || echo "not measured (quick)"); run time ${RUN_SECS} s"
    echo
    echo "| case | lookup | hosts: | median ms | p90 ms | x floor | RTTs | queries/lookup (limit) | instr/lookup | x floor instr | syscalls/lookup |"
    echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for id in "${CASES[@]}"; do
        if [ "${STATUS[$id]}" != ok ]; then
            echo "| ${LABEL[$id]} | \`${LOOKUP[$id]}\` | ${HOSTSL[$id]} | ${STATUS[$id]} | | | | | | | |"
            continue
        fi
        local lim="(${LIMIT[$id]})"
        case $id in naive*) lim="(1+N)" ;; esac
        echo "| ${LABEL[$id]} | \`${LOOKUP[$id]}\` | ${HOSTSL[$id]} | $(ms "${MED[$id]}") | $(ms "${P90[$id]}") | $(ratio "${MED[$id]}" "$FLOOR") | $(ratio "${MED[$id]}" "$RTT") | ${QRY[$id]} $lim | ${IR[$id]} | $(ratio "${IR[$id]}" "$FLOOR_IR") | ${SC[$id]} |"
    done
    echo
    if [ -z "$QUICK" ]; then
        echo "### Targets"
        echo
        printf '%s' "$TARGETS"
        echo
        echo "### Fresh draw (first address = the weight-3 target, expected 75%)"
        echo
        for id in glue noglue glue_svc noglue_svc list6 list6ng repeat; do
            num "${SHARE[$id]}" || continue
            echo "- ${LABEL[$id]}: $(awk -v s="${SHARE[$id]}" -v n="${NOK[$id]}" 'BEGIN {
                sd = sqrt(0.75 * 0.25 / n); d = s - 0.75; if (d < 0) d = -d
                printf "%.1f%% of %d (%s, %.1f sigma)", 100 * s, n, (d <= 5 * sd ? "ok" : "BAD"), d / sd }')"
        done
        echo
        echo "### Instructions per lookup, by part (callgrind inclusive costs)"
        echo
        echo "| case | services: | total | services lookup | hosts: files | hosts: srvsip | hosts: dns | rest (getaddrinfo, driver) |"
        echo "|---|---|---:|---:|---:|---:|---:|---:|"
        for id in "${CASES[@]}"; do
            [ -n "${PARTS[$id]:-}" ] || continue
            local p
            read -r -a p <<<"${PARTS[$id]}"
            num "${IR[$id]}" || continue
            echo "| ${LABEL[$id]} | ${SERVICESL[$id]} | ${IR[$id]} | ${p[0]} | ${p[1]} | ${p[2]} | ${p[3]} | $(( ${IR[$id]} - p[0] - p[1] - p[2] - p[3] )) |"
        done
        echo
        echo "### System calls per lookup, by name"
        echo
        for id in floor glue repeat oos_floor oos; do
            [ -n "${SCHIST[$id]:-}" ] && echo "- ${LABEL[$id]}: ${SCHIST[$id]}"
        done
        echo
    fi
}

if [ -z "$QUICK" ]; then
    for id in glue noglue glue_svc noglue_svc list1 list2 list6 list6ng; do
        [ "${STATUS[$id]}" = ok ] || target missed "${LABEL[$id]}: case failed"
    done
    for id in glue glue_svc; do
        r=$(ratio "${MED[$id]}" "$RTT")
        check_le "$r" 1.05 "${LABEL[$id]} <= 1.05 RTT: $r RTT ($(ms "${MED[$id]}") ms)"
    done
    for id in noglue noglue_svc; do
        r=$(ratio "${MED[$id]}" "$RTT")
        check_le "$r" 2.05 "${LABEL[$id]} <= 2.05 RTT: $r RTT ($(ms "${MED[$id]}") ms)"
    done
    for id in list1 list2 list6 list6ng; do
        r=$(ratio "${MED[$id]}" "$RTT")
        check_le "$r" 2.05 "${LABEL[$id]} <= 2.05 RTT: $r RTT ($(ms "${MED[$id]}") ms; naive pipeline: $(ratio "${MED[naive${id#list}]}" "$RTT") RTT, srvsip $(ratio "${MED[$id]}" "${MED[naive${id#list}]}")x its time)"
    done
    for id in glue noglue glue_svc noglue_svc list1 list2 list6 list6ng; do
        q=$(qnum "$id")
        check_le "$q" "${LIMIT[$id]}" "queries, ${LABEL[$id]}: $q per lookup (physical limit ${LIMIT[$id]})"
    done
    r=$(ratio "${IR[glue]}" "$FLOOR_IR")
    read -r -a gp <<<"${PARTS[glue]:-- - - -}"
    check_le "$r" 1.5 "glue path <= 1.5x the floor's instructions: ${r}x (${IR[glue]} vs ${IR[floor]}: hosts: files ${gp[1]}, srvsip ${gp[2]}; through the pseudo-service: $(ratio "${IR[glue_svc]}" "$FLOOR_IR")x, of which the services lookup $(read -r -a sp <<<"${PARTS[glue_svc]:-- }"; echo "${sp[0]}"), against $(ratio "${IR[floor_svc]}" "$FLOOR_IR")x for the floor with the named service \"sip\"; with srvsip first on services: $(ratio "${IR[glue_svc1st]}" "$FLOOR_IR")x)"
    q=$(qnum repeat)
    check_le "$q" 0 "repeat within the TTL sends 0 queries: $q per lookup"
    if num "${SHARE[repeat]}" && awk -v s="${SHARE[repeat]}" -v n="${NOK[repeat]}" 'BEGIN {
            d = s - 0.75; if (d < 0) d = -d; exit !(d <= 5 * sqrt(0.75 * 0.25 / n)) }'; then
        target met "repeat within the TTL still draws afresh: weight-3 target first in $(awk -v s="${SHARE[repeat]}" 'BEGIN { printf "%.1f%%", 100 * s }') of ${NOK[repeat]} (expected 75%)"
    else
        target missed "repeat within the TTL still draws afresh: weight-3 share ${SHARE[repeat]} of ${NOK[repeat]}"
    fi
    r=$(ratio "${IR[oos]}" "${IR[oos_floor]}")
    read -r -a op <<<"${PARTS[oos]:-- - - -}"
    check_le "$r" 1.02 "out of scope <= 1.02x the instructions of \`files dns\`: ${r}x (${IR[oos]} vs ${IR[oos_floor]}; srvsip's own functions ${op[2]}; a no-op module on the same line: $(ratio "${IR[oos_null]}" "${IR[oos_floor]}")x, ${IR[oos_null]})"
    extra=$(awk -v a="${SC[oos]}" -v b="${SC[oos_floor]}" 'BEGIN { printf "%.2f", a - b }')
    # which calls differ, per lookup
    scdiff=$(awk 'NR == FNR { b[$1] = $2; next } { a[$1] = $2 }
        END { for (k in a) if (a[k] != b[k]) printf "%s%s %+.2f", (n++ ? ", " : ""), k, a[k] - b[k]
              for (k in b) if (!(k in a)) printf "%s%s %+.2f", (n++ ? ", " : ""), k, -b[k] }' \
        "$D/oos_floor.sc" "$D/oos.sc" 2>/dev/null)
    check_le "$extra" 0 "out of scope: 0 extra system calls per lookup: $extra (${SC[oos]} vs ${SC[oos_floor]}${scdiff:+: $scdiff}; $ST_N_OOS lookups in ${STSECS[oos]:-?} s under strace)"
fi

report_text=$(report)
printf '%s\n' "$report_text"
[ -n "$OUT" ] && printf '%s\n' "$report_text" >"$OUT"

if [ "$FAILED_CASES" -gt 0 ]; then log "$FAILED_CASES case(s) failed"; exit 2; fi
if [ -z "$QUICK" ] && [ "$MISSED" -gt 0 ]; then
    log "$MISSED target(s) missed, $MET met"
    [ -n "$NOASSERT" ] || exit 1
    exit 0
fi
[ -z "$QUICK" ] && log "all $MET targets met"
exit 0
