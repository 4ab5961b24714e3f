// Package receiver is the extension's Telemetry API listener: an HTTP
// server on 127.0.0.1:0 that takes batches of events (JSON arrays) and
// counts them by type.
package receiver

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// Receiver collects telemetry events.
type Receiver struct {
	URI string

	mu     sync.Mutex
	counts map[string]int
	onRecv func(types []string)
}

// Start listens on 127.0.0.1:0; onRecv (may be nil) is called per batch
// with the event types it held.
func Start(onRecv func(types []string)) (*Receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &Receiver{URI: "http://" + ln.Addr().String() + "/telemetry", counts: map[string]int{}, onRecv: onRecv}
	go func() { _ = http.Serve(ln, r) }()
	return r, nil
}

// ServeHTTP takes one batch.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 4<<20))
	var batch []struct {
		Type string `json:"type"`
	}
	if err == nil {
		err = json.Unmarshal(body, &batch)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	types := make([]string, 0, len(batch))
	r.mu.Lock()
	for _, ev := range batch {
		r.counts[ev.Type]++
		types = append(types, ev.Type)
	}
	r.mu.Unlock()
	if r.onRecv != nil {
		r.onRecv(types)
	}
	w.WriteHeader(http.StatusOK)
}

// Summary is "type=n,..." sorted by type.
func (r *Receiver) Summary() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	parts := make([]string, 0, len(r.counts))
	for t, n := range r.counts {
		parts = append(parts, t+"="+itoa(n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
