/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* caps: does this process have a capability in effect (root: yes)? */
#ifndef COLDTRACE_CAPS_H
#define COLDTRACE_CAPS_H

#include <stdbool.h>
#include <linux/capability.h>

/* CAP_PERFMON and CAP_BPF (Linux 5.8) are newer than some headers. */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

enum ct_cap {
	CT_CAP_KILL = CAP_KILL,
	CT_CAP_SYS_ADMIN = CAP_SYS_ADMIN,
	CT_CAP_PERFMON = CAP_PERFMON,
	CT_CAP_BPF = CAP_BPF,
};

bool ct_has_cap(enum ct_cap cap);

#endif
