/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The traced command as coldtrace's child (run): its start and its signals. */
#ifndef COLDTRACE_CHILD_H
#define COLDTRACE_CHILD_H

/* execvp's way with a file the kernel will not run (ENOEXEC: no "#!", or
 * empty): /bin/sh FILE ARGS... Made before fork (allocated). */
char **sh_argv(const char *path, char **argv);

/* The first Ctrl-C/SIGTERM goes to the command while its root process runs
 * (through its pidfd root_fd: once reaped, never to whoever has its pid
 * now); once the root has exited, to every process left in its tree (we
 * are its subreaper: those are our descendants). */
void forward_signal(int root_fd, int sig);

#endif
