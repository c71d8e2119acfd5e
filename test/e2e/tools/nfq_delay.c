/* nfq_delay: hold every packet of an NFQUEUE for a fixed time, then accept it.
 *
 * The e2e rig's latency for DNS on lo without netem (this kernel has none):
 *   iptables -t mangle -A OUTPUT -o lo -p udp --dport 53 -j NFQUEUE --queue-num 0 --queue-bypass
 * (and --sport 53, and tcp) inside the test namespace only; each packet on lo
 * passes OUTPUT once, so a query/answer round trip costs 2 * DELAY.
 *
 * usage: nfq_delay -d DELAY_MS [-q QUEUE] [-r READY_FILE] [-c COUNT_FILE]
 *   -r  created once the queue is bound (the rig waits for it)
 *   -c  rewritten with the number of packets delayed so far, after each one
 * Every packet is delayed by the same DELAY_MS from the moment it was queued,
 * independently of the others (a FIFO of pending verdicts, not a sleep per
 * packet), so concurrent packets do not add up.  SIGTERM/SIGINT: exit 0.
 * --queue-bypass on the rule makes packets pass unqueued when this program is
 * not running.
 *
 * Build: gcc -O2 -Wall -o nfq_delay nfq_delay.c -lnetfilter_queue
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define MAX_PENDING 65536

struct pending {
	uint32_t id;
	uint64_t due_ns;
};

static struct pending fifo[MAX_PENDING];
static size_t head, count;
static uint64_t delay_ns;
static unsigned long delayed_total;
static volatile sig_atomic_t stop;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
		     void *data)
{
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	uint32_t id;

	(void)msg;
	(void)data;
	if (ph == NULL)
		return 0;
	id = ntohl(ph->packet_id);
	if (count == MAX_PENDING) /* cannot hold more: let it through now */
		return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
	fifo[(head + count) % MAX_PENDING] = (struct pending){id, now_ns() + delay_ns};
	count++;
	return 0;
}

static void write_count(const char *path)
{
	char tmp[4096];
	FILE *f;

	if (path == NULL || snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		return;
	f = fopen(tmp, "w");
	if (f == NULL)
		return;
	fprintf(f, "%lu\n", delayed_total);
	if (fclose(f) == 0)
		rename(tmp, path);
}

int main(int argc, char **argv)
{
	const char *ready = NULL;
	const char *count_file = NULL;
	int queue = 0;
	long delay_ms = -1;
	int opt;

	while ((opt = getopt(argc, argv, "d:q:r:c:")) != -1) {
		switch (opt) {
		case 'd': delay_ms = strtol(optarg, NULL, 10); break;
		case 'q': queue = (int)strtol(optarg, NULL, 10); break;
		case 'r': ready = optarg; break;
		case 'c': count_file = optarg; break;
		default:
			fprintf(stderr, "usage: %s -d DELAY_MS [-q QUEUE] [-r READY] [-c COUNT]\n", argv[0]);
			return 64;
		}
	}
	if (delay_ms < 0 || delay_ms > 10000) {
		fprintf(stderr, "nfq_delay: -d DELAY_MS (0..10000) required\n");
		return 64;
	}
	delay_ns = (uint64_t)delay_ms * 1000000u;

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	struct nfq_handle *h = nfq_open();
	if (h == NULL) {
		perror("nfq_open");
		return 1;
	}
	struct nfq_q_handle *qh = nfq_create_queue(h, (uint16_t)queue, on_packet, NULL);
	if (qh == NULL) {
		perror("nfq_create_queue");
		return 1;
	}
	if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0) {
		perror("nfq_set_mode");
		return 1;
	}
	nfq_set_queue_maxlen(qh, 4096);
	int fd = nfq_fd(h);
	if (ready != NULL) {
		FILE *f = fopen(ready, "w");
		if (f != NULL)
			fclose(f);
	}
	fprintf(stderr, "nfq_delay: queue %d, %ld ms per packet\n", queue, delay_ms);

	char buf[65536] __attribute__((aligned));
	while (!stop) {
		int timeout = -1;
		uint64_t now = now_ns();
		/* Release everything that is due. */
		while (count > 0 && fifo[head].due_ns <= now) {
			nfq_set_verdict(qh, fifo[head].id, NF_ACCEPT, 0, NULL);
			head = (head + 1) % MAX_PENDING;
			count--;
			delayed_total++;
			write_count(count_file);
		}
		if (count > 0) {
			uint64_t wait = fifo[head].due_ns - now;
			timeout = (int)((wait + 999999u) / 1000000u);
		}
		struct pollfd pfd = {fd, POLLIN, 0};
		int n = poll(&pfd, 1, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			break;
		}
		if (n > 0 && (pfd.revents & POLLIN)) {
			ssize_t len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (len > 0)
				nfq_handle_packet(h, buf, (int)len);
			else if (len < 0 && errno == ENOBUFS)
				fprintf(stderr, "nfq_delay: queue overrun (ENOBUFS)\n");
		}
	}
	/* Accept what is still held so nothing is lost on exit. */
	while (count > 0) {
		nfq_set_verdict(qh, fifo[head].id, NF_ACCEPT, 0, NULL);
		head = (head + 1) % MAX_PENDING;
		count--;
	}
	nfq_destroy_queue(qh);
	nfq_close(h);
	return 0;
}
