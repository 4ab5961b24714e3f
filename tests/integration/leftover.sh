# Source me. Debian's bpftool cannot say which process holds a program, so
# count coldtrace's programs: ct_bpf_count now; leftover_bpf BEFORE waits
# (the kernel frees programs after an RCU grace period) until no more are
# loaded than BEFORE, the count taken before our coldtrace started (other
# coldtrace processes may run at the same time outside CI).
ct_bpf_count() {
	bpftool prog show 2>/dev/null | grep -cE 'name (ct_go_probe|ct_go_probe_mul|ct_exec|ct_fork|ct_exit|ct_sys_exit|ct_signal) '
}
leftover_bpf() {
	local before=$1 i n
	for i in $(seq 1 30); do
		n=$(ct_bpf_count)
		[ "$n" -le "$before" ] && return 0
		sleep 0.1
	done
	echo "$n coldtrace BPF programs loaded, $before before"
	return 1
}
