// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hookfloor OBJ: load the BPF object OBJ (bench/hookfloor.bpf.c, built by
 * bench/sched_cost.sh), attach every program in it, print "ready", and keep
 * them attached until SIGINT or SIGTERM. bench/sched_cost.sh reads their
 * run-time statistics (bpftool) to tell what a program on the scheduler
 * tracepoints costs before it does anything.
 */
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	sigset_t sigs;
	int err, sig;

	if (argc != 2) {
		fprintf(stderr, "usage: hookfloor OBJ\n");
		return 2;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "hookfloor: cannot open %s\n", argv[1]);
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "hookfloor: cannot load %s: %s\n", argv[1], strerror(-err));
		bpf_object__close(obj);
		return 1;
	}
	bpf_object__for_each_program(p, obj) {
		if (!bpf_program__attach(p)) {
			fprintf(stderr, "hookfloor: cannot attach %s\n", bpf_program__name(p));
			bpf_object__close(obj);
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	sigwait(&sigs, &sig);
	bpf_object__close(obj); /* links are destroyed with the process */
	return 0;
}
