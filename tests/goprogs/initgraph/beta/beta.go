// Package beta has only package-level variable initializers (no init
// function): it hashes a few MB with crypto/sha256. It depends on gamma.
package beta

import (
	"crypto/sha256"

	"example.com/initgraph/gamma"
)

// Digest is the SHA-256 of a 768 KiB generated buffer.
var Digest = hashBuffer(768 << 10)

// Matched is computed from gamma's regexps.
var Matched = gamma.Matches("go1.19")

func hashBuffer(n int) [sha256.Size]byte {
	buf := make([]byte, n)
	for i := range buf {
		buf[i] = byte(i * 31)
	}
	return sha256.Sum256(buf)
}
