/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The DNS client's system calls (dns_client.h struct dns_net). */
#include <errno.h>
#include <netinet/in.h>
#include <unistd.h>

#include "dns_client.h"
#include "clock.h"

static int net_open(void *ctx, const struct dns_server *server, bool tcp)
{
	int family = server->addr.ss_family;
	int fd = socket(family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	(void)ctx;
	if (fd < 0)
		return -1;
	if (!tcp) {
		/* ICMP errors reported on the socket, as res_send (res_enable_icmp.c) */
		int on = 1;
		if (family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
		else
			setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	}
	if (connect(fd, (const struct sockaddr *)&server->addr, server->len) < 0 &&
	    !(tcp && errno == EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

static ssize_t net_send(void *ctx, int fd, const void *buf, size_t len)
{
	(void)ctx;
	return send(fd, buf, len, MSG_NOSIGNAL);
}

static ssize_t net_recv(void *ctx, int fd, void *buf, size_t len, bool datagram)
{
	(void)ctx;
	return recv(fd, buf, len, datagram ? MSG_TRUNC : 0);
}

static int net_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
	(void)ctx;
	return poll(fds, nfds, timeout_ms);
}

static void net_close(void *ctx, int fd)
{
	(void)ctx;
	close(fd);
}

static long long net_now_ms(void *ctx)
{
	(void)ctx;
	return monotonic_ns() / 1000000;
}

const struct dns_net dns_net_system = {net_open, net_send, net_recv, net_poll,
				       net_close, net_now_ms, NULL};
