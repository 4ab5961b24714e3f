package telemetry

// Platform events for Telemetry/Logs API subscribers: the agent POSTs JSON
// arrays of {"time","type","record"} to each subscriber's URI, best effort
// (short timeout, events dropped when a subscriber falls behind), from a
// goroutine of its own: the invoke path never waits for it.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// PlatformEvent is one event of the Telemetry API.
type PlatformEvent struct {
	Time   string      `json:"time"`
	Type   string      `json:"type"`
	Record interface{} `json:"record"`
}

type subscriber struct {
	uri   string
	types []string
	ch    chan PlatformEvent
}

const (
	backlogMax = 64   // events kept for subscribers that come later
	queueMax   = 1024 // per subscriber
)

var (
	subMu   sync.Mutex
	subs    []*subscriber
	backlog []PlatformEvent
	stopped = make(chan struct{})
	stopOne sync.Once
	client  = &http.Client{Timeout: 500 * time.Millisecond}
)

func (s *subscriber) wants(t string) bool {
	if len(s.types) == 0 {
		return true
	}
	cat := t
	if i := strings.IndexByte(t, '.'); i > 0 {
		cat = t[:i]
	}
	for _, x := range s.types {
		if x == cat {
			return true
		}
	}
	return false
}

// Subscribe starts delivering platform events to uri (types: "platform",
// "function", "extension"; only platform events are produced here). The
// events since INIT START are delivered first.
func Subscribe(uri string, types []string) {
	s := &subscriber{uri: uri, types: types, ch: make(chan PlatformEvent, queueMax)}
	subMu.Lock()
	for _, ev := range backlog {
		if s.wants(ev.Type) {
			s.ch <- ev
		}
	}
	subs = append(subs, s)
	subMu.Unlock()
	go s.run()
}

// StopPlatformEvents ends every delivery.
func StopPlatformEvents() { stopOne.Do(func() { close(stopped) }) }

func platformEvent(t string, record interface{}) {
	ev := PlatformEvent{Time: time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), Type: t, Record: record}
	subMu.Lock()
	defer subMu.Unlock()
	if len(backlog) < backlogMax {
		backlog = append(backlog, ev)
	}
	for _, s := range subs {
		if !s.wants(t) {
			continue
		}
		select {
		case s.ch <- ev:
		default: // falling behind: dropped
		}
	}
}

// run sends batches: the first event, plus whatever arrives within 25 ms.
func (s *subscriber) run() {
	for {
		var batch []PlatformEvent
		select {
		case ev := <-s.ch:
			batch = append(batch, ev)
		case <-stopped:
			return
		}
		linger := time.NewTimer(25 * time.Millisecond)
	collect:
		for len(batch) < 100 {
			select {
			case ev := <-s.ch:
				batch = append(batch, ev)
			case <-linger.C:
				break collect
			case <-stopped:
				linger.Stop()
				return
			}
		}
		linger.Stop()
		body, err := json.Marshal(batch)
		if err != nil {
			continue
		}
		resp, err := client.Post(s.uri, "application/json", bytes.NewReader(body))
		if err == nil {
			resp.Body.Close()
		}
	}
}
