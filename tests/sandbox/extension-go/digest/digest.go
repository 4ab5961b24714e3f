// Package digest derives, at package init, the per-key signing material
// the extension would use for its backend (a stretched SHA-256 per key,
// from the configured seed): deliberate start-up work, like a real
// extension's key derivation.
package digest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"example.com/ctext/config"
)

// Keys holds one derived key per slot; Fingerprint identifies the set.
var (
	Keys        [][]byte
	Fingerprint string
)

func init() {
	seed := []byte(config.C.Sampling.Seed + "/" + config.C.Service + "/v" + strconv.Itoa(config.C.Version))
	all := sha256.New()
	for k := 0; k < config.C.Keys; k++ {
		m := hmac.New(sha256.New, seed)
		m.Write([]byte(strconv.Itoa(k)))
		var sum [sha256.Size]byte
		copy(sum[:], m.Sum(nil))
		for i := 0; i < config.C.Stretch; i++ {
			sum = sha256.Sum256(sum[:])
		}
		Keys = append(Keys, sum[:])
		all.Write(sum[:])
	}
	Fingerprint = hex.EncodeToString(all.Sum(nil)[:8])
}

// Sign is the HMAC of msg with key slot k.
func Sign(k int, msg []byte) string {
	m := hmac.New(sha256.New, Keys[k%len(Keys)])
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil)[:12])
}
