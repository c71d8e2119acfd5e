/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exit() while other threads are inside the module: exit runs the
 * destructors of every loaded object, NSS modules included (_dl_fini), and
 * the threads go on looking names up meanwhile.  A destructor that frees
 * what a lookup reads makes the process die at exit.
 *
 *   exit_race THREADS NAME [slow]
 *
 * THREADS threads call getaddrinfo(NAME) in a loop; main() returns once
 * they all run.  With "slow", every free() made after exit() began sleeps
 * 20 ms (this file's free() stands in for the C library's): a loaded
 * machine that preempts the exiting thread, which only widens the window.
 * Exit status 0 when the process exits cleanly. */
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

extern void __libc_free(void *ptr);

static atomic_int exiting;
static atomic_int started;
static int slow;

void free(void *ptr)
{
	__libc_free(ptr);
	if (slow && ptr != NULL && atomic_load(&exiting))
		usleep(20000);
}

static void note_exit(void)
{
	atomic_store(&exiting, 1);
}

static void *look_up(void *name)
{
	struct addrinfo hints;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM;
	atomic_fetch_add(&started, 1);
	for (;;) {
		struct addrinfo *res = NULL;
		if (getaddrinfo(name, "5060", &hints, &res) == 0)
			freeaddrinfo(res);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int threads = atoi(argv[1]);
	slow = argc > 3 && strcmp(argv[3], "slow") == 0;
	atexit(note_exit); /* runs before _dl_fini calls the destructors */
	for (int i = 0; i < threads; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, look_up, argv[2]) != 0)
			return 2;
	}
	while (atomic_load(&started) < threads)
		usleep(1000);
	usleep(20000);
	return 0;
}
