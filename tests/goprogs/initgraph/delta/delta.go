// Package delta has no init work at all: no init functions and no
// package-level variables that need code to initialise.
package delta

// Mix is a small integer hash used by the other packages.
func Mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

const Seed = 0x9e3779b97f4a7c15
