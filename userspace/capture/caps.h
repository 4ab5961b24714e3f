/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* caps: does this process have a capability in effect (root: yes)? */
#ifndef COLDTRACE_CAPS_H
#define COLDTRACE_CAPS_H

#include <stdbool.h>

/* Linux's numbers; CAP_BPF and CAP_PERFMON are newer than some headers. */
enum ct_cap {
	CT_CAP_KILL = 5,
	CT_CAP_SYS_ADMIN = 21,
	CT_CAP_PERFMON = 38,
	CT_CAP_BPF = 39,
};

bool ct_has_cap(enum ct_cap cap);

#endif
