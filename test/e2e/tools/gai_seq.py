#!/usr/bin/python3
"""gai_seq.py STEP...: getaddrinfo calls and pauses, in order, in ONE thread
(the module's pseudo-service pairing is per thread).  Steps:

    HOST,SERVICE[,passive]   socket.getaddrinfo(HOST, SERVICE, AF_UNSPEC,
                             SOCK_DGRAM, 0, AI_PASSIVE if "passive"); HOST
                             "-" is None (no host), SERVICE "-" is None
    sleep=SECONDS            time.sleep(SECONDS)

One line per getaddrinfo step:
    HOST SERVICE ok FIRST-ADDRESS GAP-MS     or
    HOST SERVICE error ERRNO GAP-MS
GAP-MS: milliseconds (CLOCK_MONOTONIC) from the end of the previous
getaddrinfo call to the start of this one (0 for the first)."""
import socket
import sys
import time


def main():
    last_end = None
    for step in sys.argv[1:]:
        if step.startswith('sleep='):
            time.sleep(float(step[6:]))
            continue
        parts = step.split(',')
        host = None if parts[0] == '-' else parts[0]
        service = None if parts[1] == '-' else parts[1]
        flags = socket.AI_PASSIVE if parts[2:] == ['passive'] else 0
        start = time.monotonic()
        gap = 0 if last_end is None else round((start - last_end) * 1000)
        try:
            res = socket.getaddrinfo(host, service, socket.AF_UNSPEC, socket.SOCK_DGRAM, 0, flags)
            out = 'ok %s' % res[0][4][0]
        except socket.gaierror as e:
            out = 'error %d' % e.errno
        last_end = time.monotonic()
        print(parts[0], parts[1], out, gap, flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
