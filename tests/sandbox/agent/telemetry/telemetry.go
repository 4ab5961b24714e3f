// Package telemetry writes the platform log lines (INIT_START, START, END,
// REPORT, and the "[INFO] (rapid) ..." lines) and collects the numbers that
// go into them. Every line is written with exactly one write(2) on stdout.
package telemetry

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

var (
	mu         sync.Mutex
	out        = os.Stdout
	timestamps bool
)

// SetTimestamps makes the "[LEVEL] (rapid)" lines carry the RIE's logrus
// prefix, e.g. "17 Mar 2023 09:51:43,210 [INFO] (rapid) ...".
func SetTimestamps(on bool) { timestamps = on }

// Line writes one full line (a newline is appended) with a single write.
func Line(format string, args ...interface{}) {
	b := make([]byte, 0, 160)
	b = fmt.Appendf(b, format, args...)
	b = append(b, '\n')
	mu.Lock()
	_, _ = out.Write(b)
	mu.Unlock()
}

func rapid(level, format string, args ...interface{}) {
	prefix := ""
	if timestamps {
		prefix = time.Now().Format("02 Jan 2006 15:04:05.000")
		prefix = strings.Replace(prefix, ".", ",", 1) + " "
	}
	Line(prefix+"["+level+"] (rapid) "+format, args...)
}

// Prefixed writes one line of an extension's output, "[name] line", to
// the agent's stdout or stderr, with a single write (a newline is added
// when the line has none).
func Prefixed(stderr bool, name string, line []byte) {
	b := make([]byte, 0, len(name)+len(line)+4)
	b = append(b, '[')
	b = append(b, name...)
	b = append(b, "] "...)
	b = append(b, line...)
	if len(line) == 0 || line[len(line)-1] != '\n' {
		b = append(b, '\n')
	}
	w := out
	if stderr {
		w = os.Stderr
	}
	mu.Lock()
	_, _ = w.Write(b)
	mu.Unlock()
}

// Infof logs "[INFO] (rapid) ...".
func Infof(format string, args ...interface{}) { rapid("INFO", format, args...) }

// Warnf logs "[WARNING] (rapid) ...".
func Warnf(format string, args ...interface{}) { rapid("WARNING", format, args...) }

// Errorf logs "[ERROR] (rapid) ...".
func Errorf(format string, args ...interface{}) { rapid("ERROR", format, args...) }

// Ms converts a duration to fractional milliseconds.
func Ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BilledMs is the duration rounded up to a whole millisecond (at least 1).
func BilledMs(d time.Duration) int64 {
	b := int64(math.Ceil(Ms(d)))
	if b < 1 {
		b = 1
	}
	return b
}

// latencyBuckets are exponential histogram bounds (ms) for invoke latency;
// log10Table is a lookup for fast bucket selection. Both are built at init.
var latencyBuckets = buildBuckets(64, 0.01, 1.25)

var log10Table [1 << 15]float32

func init() {
	for i := 1; i < len(log10Table); i++ {
		log10Table[i] = float32(math.Log10(float64(i) / 1024))
	}
	log10Table[0] = float32(math.Inf(-1))
}

func buildBuckets(n int, start, factor float64) []float64 {
	b := make([]float64, n)
	v := start
	for i := range b {
		b[i] = v
		v *= factor
	}
	return b
}

// Histogram counts invoke latencies in the exponential buckets.
type Histogram struct {
	mu     sync.Mutex
	counts []uint64
}

// Observe records one duration.
func (h *Histogram) Observe(d time.Duration) {
	ms := Ms(d)
	i := 0
	for i < len(latencyBuckets)-1 && latencyBuckets[i] < ms {
		i++
	}
	h.mu.Lock()
	if h.counts == nil {
		h.counts = make([]uint64, len(latencyBuckets))
	}
	h.counts[i]++
	h.mu.Unlock()
}

// MaxMemoryUsedMB is the peak resident set (VmHWM) of pid, in MB, rounded
// up (0 if unreadable); of this process when pid is 0.
func MaxMemoryUsedMB(pid int) int64 {
	if pid > 0 {
		if kb, ok := vmHWM("/proc/" + strconv.Itoa(pid) + "/status"); ok {
			return (kb + 1023) / 1024
		}
		return 0
	}
	if kb, ok := vmHWM("/proc/self/status"); ok {
		return (kb + 1023) / 1024
	}
	return 0
}

func vmHWM(path string) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "VmHWM:") {
			fields := strings.Fields(line[len("VmHWM:"):])
			if len(fields) > 0 {
				kb, err := strconv.ParseInt(fields[0], 10, 64)
				return kb, err == nil
			}
		}
	}
	return 0, false
}

// ---- The platform lines, in one place. ----

// RuntimeVersion and RuntimeVersionArn name the demo "managed runtime".
const (
	RuntimeVersion    = "ct-demo:1.v1"
	RuntimeVersionArn = "arn:aws:lambda:us-east-1::runtime:ct-demo"
)

// LogInitStartAWS writes the CloudWatch line that opens the init phase:
// "INIT_START Runtime Version: ct-demo:1.v1 Runtime Version ARN: arn:...".
func LogInitStartAWS() {
	Line("INIT_START Runtime Version: %s Runtime Version ARN: %s", RuntimeVersion, RuntimeVersionArn)
}

// LogInitStart writes "[INFO] (rapid) INIT START(type: on-demand, phase: init)".
func LogInitStart(initType, phase string) {
	lastInitType = initType
	platformEvent("platform.initStart", map[string]string{"initializationType": initType, "phase": phase})
	Infof("INIT START(type: %s, phase: %s)", initType, phase)
}

// LogInitRuntimeDone writes "[INFO] (rapid) INIT RTDONE(status: success|error)".
func LogInitRuntimeDone(status string) {
	platformEvent("platform.initRuntimeDone", map[string]string{"initializationType": lastInitType, "phase": "init", "status": status})
	Infof("INIT RTDONE(status: %s)", status)
}

var lastInitType = "on-demand"

// LogInitReport writes "[INFO] (rapid) INIT REPORT(durationMs: 14.586000)".
func LogInitReport(d time.Duration) {
	platformEvent("platform.initReport", map[string]interface{}{"initializationType": lastInitType, "phase": "init",
		"metrics": map[string]float64{"durationMs": Ms(d)}})
	Infof("INIT REPORT(durationMs: %f)", Ms(d))
}

// LogStart writes "START RequestId: <id> Version: $LATEST".
func LogStart(id, version string) {
	platformEvent("platform.start", map[string]string{"requestId": id, "version": version})
	Line("START RequestId: %s Version: %s", id, version)
}

// LogEnd writes "END RequestId: <id>".
func LogEnd(id string) { Line("END RequestId: %s", id) }

// Report is the content of a REPORT line.
type Report struct {
	RequestID    string
	InitDuration time.Duration // included only when HasInit
	HasInit      bool
	Duration     time.Duration
	MemorySizeMB int64
	MaxMemoryMB  int64
	Status       string // "" for success, else "error" / "timeout"
	ErrorType    string
}

// LogReport writes the REPORT line in the RIE's field order:
// "REPORT RequestId: <id>\tInit Duration: 1.23 ms\tDuration: 4.56 ms\t
// Billed Duration: 5 ms\tMemory Size: 3008 MB\tMax Memory Used: 12 MB\t"
// (Init Duration only on the first invoke after an init; "Status: ...\t"
// and "Error Type: ...\t" are appended for failed invokes, as AWS does).
func LogReport(r Report) {
	var b strings.Builder
	fmt.Fprintf(&b, "REPORT RequestId: %s\t", r.RequestID)
	if r.HasInit {
		fmt.Fprintf(&b, "Init Duration: %.2f ms\t", Ms(r.InitDuration))
	}
	fmt.Fprintf(&b, "Duration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t",
		Ms(r.Duration), BilledMs(r.Duration), r.MemorySizeMB, r.MaxMemoryMB)
	if r.Status != "" {
		fmt.Fprintf(&b, "Status: %s\t", r.Status)
		if r.ErrorType != "" {
			fmt.Fprintf(&b, "Error Type: %s\t", r.ErrorType)
		}
	}
	rec := map[string]interface{}{"requestId": r.RequestID, "status": "success", "metrics": map[string]interface{}{
		"durationMs": Ms(r.Duration), "billedDurationMs": BilledMs(r.Duration),
		"memorySizeMB": r.MemorySizeMB, "maxMemoryUsedMB": r.MaxMemoryMB}}
	if r.Status != "" {
		rec["status"] = r.Status
		if r.ErrorType != "" {
			rec["errorType"] = r.ErrorType
		}
	}
	platformEvent("platform.report", rec)
	Line("%s", b.String())
}
