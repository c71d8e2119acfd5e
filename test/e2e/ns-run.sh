# shellcheck shell=bash
# Host side of the rig (sourced by test/e2e/run.sh, bench/run.sh and
# demo/demo.sh before they enter their namespace; lib.sh is the inside).

# run_in_namespace SCRIPT [ARG...]: runs `bash SCRIPT --inside ARG...` as
# PID 1 of a private net, mount and pid namespace and returns its status.
# When it exits, the kernel kills whatever it started (servers, delayers)
# and its mounts and iptables rules vanish with the namespaces.  unshare
# --fork ignores SIGINT/SIGTERM, so on those it is SIGKILLed, and
# --kill-child then SIGKILLs the namespace's PID 1 (so all of it).
run_in_namespace() {
    local script=$1 upid rc
    shift
    unshare --net --mount --pid --fork --kill-child --mount-proc --propagation private \
        /bin/bash "$script" --inside "$@" &
    upid=$!
    # shellcheck disable=SC2064 # upid is expanded now, on purpose
    trap "kill -KILL $upid 2>/dev/null; wait $upid; exit 130" INT TERM
    wait "$upid"
    rc=$?
    trap - INT TERM
    return "$rc"
}
