// Package core holds the sandbox state shared by the invoke side and the
// Runtime API: the init phase, the runtime's liveness, and the hand-off of
// invocations to GET /next and of responses back (like go.amzn.com/lambda/core).
package core

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"example.com/ctagent/fatalerror"
	"example.com/ctagent/interop"
	"example.com/ctagent/telemetry"
)

// State of the runtime, as the sandbox sees it.
type State int

const (
	Idle State = iota
	Initializing
	Ready
	Failed
	ShuttingDown
)

var stateNames = [...]string{"Idle", "Initializing", "Ready", "Failed", "ShuttingDown"}

func (s State) String() string { return stateNames[s] }

// transitions is the allowed state graph, and reach its transitive closure,
// both computed at init and used to reject illegal transitions.
var transitions = map[State][]State{
	Idle:         {Initializing, Ready, Failed, ShuttingDown},
	Initializing: {Ready, Failed, ShuttingDown},
	Ready:        {Failed, ShuttingDown},
	Failed:       {ShuttingDown},
	ShuttingDown: {},
}

var reach [len(stateNames)][len(stateNames)]bool

func init() {
	for from, tos := range transitions {
		for _, to := range tos {
			reach[from][to] = true
		}
	}
	n := len(stateNames)
	for k := 0; k < n; k++ {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				reach[i][j] = reach[i][j] || (reach[i][k] && reach[k][j])
			}
		}
	}
	if !reach[Idle][ShuttingDown] || reach[ShuttingDown][Idle] {
		panic("core: bad state graph")
	}
	// Model-check the lifecycle: enumerate every event sequence up to
	// lifecycleDepth steps (a transition or a no-op) from Idle and check
	// each ends in a state reach[] agrees with.
	lifecycles = walk(Idle, Idle, lifecycleDepth)
}

const lifecycleDepth = 18

// lifecycles is the number of distinct bounded lifecycles (model check).
var lifecycles int

func walk(start, s State, depth int) int {
	if start != s && !reach[start][s] {
		panic("core: state graph is inconsistent")
	}
	if depth == 0 {
		return 1
	}
	n := walk(start, s, depth-1) // no-op event
	for _, t := range transitions[s] {
		n += walk(start, t, depth-1)
	}
	return n
}

// ErrUnknownID is returned when a response names no pending invocation.
var ErrUnknownID = errors.New("unknown request id")

// Invocation is one invoke travelling through the sandbox.
type Invocation struct {
	interop.Invoke
	dispatched time.Time
	once       sync.Once
	done       chan struct{}
	resp       interop.Response
	extPending int           // INVOKE sent to extensions, next not seen yet
	extDone    chan struct{} // closed when extPending reaches 0
}

// NewInvocation wraps an invoke.
func NewInvocation(inv interop.Invoke) *Invocation {
	return &Invocation{Invoke: inv, done: make(chan struct{}), extDone: make(chan struct{})}
}

func (i *Invocation) complete(r interop.Response) {
	i.once.Do(func() { i.resp = r; close(i.done) })
}

// Sandbox is the shared state.
type Sandbox struct {
	MemorySizeMB int64
	Version      string
	FunctionName string // for the extensions' register reply
	Handler      string
	// OnExtensionFailure is called (in a goroutine) when an extension
	// fails the sandbox: rapid kills the runtime then.
	OnExtensionFailure func()

	mu           sync.Mutex
	state        State
	initStart    time.Time
	initDuration time.Duration
	initReported bool
	failure      interop.ErrorResponse
	initError    *interop.Response
	runtimePid   int
	maxMemoryMB  int64
	pending      map[string]*Invocation

	// Extensions (extensions.go), in name order.
	exts           []*Extension
	regClosed      bool // the registration wait is over
	runtimeReady   bool // the runtime's first /next came
	firstFatal     string
	registered     chan struct{} // no extension is still only launched
	registeredOnce sync.Once
	initDone       chan struct{} // INIT ended with success
	extStopped     chan struct{}
	extStoppedOnce sync.Once

	queue    chan *Invocation
	failed   chan struct{}
	shutdown chan struct{}
}

// New returns an idle sandbox.
func New(memoryMB int64, version string) *Sandbox {
	return &Sandbox{
		MemorySizeMB: memoryMB,
		Version:      version,
		pending:      map[string]*Invocation{},
		registered:   make(chan struct{}),
		initDone:     make(chan struct{}),
		extStopped:   make(chan struct{}),
		queue:        make(chan *Invocation),
		failed:       make(chan struct{}),
		shutdown:     make(chan struct{}),
	}
}

func (s *Sandbox) setState(to State) bool {
	if !reach[s.state][to] {
		return false
	}
	s.state = to
	return true
}

// State returns the current state.
func (s *Sandbox) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// BeginInit moves Idle -> Initializing and returns true exactly once.
func (s *Sandbox) BeginInit() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != Idle {
		return false
	}
	s.setState(Initializing)
	s.initStart = time.Now()
	return true
}

// SetRuntimePid records the runtime's pid (for Max Memory Used).
func (s *Sandbox) SetRuntimePid(pid int) {
	s.mu.Lock()
	s.runtimePid = pid
	s.mu.Unlock()
}

// endInitLocked closes the init phase and logs RTDONE, the EXTENSION
// lines (when there are extensions) and INIT REPORT.
func (s *Sandbox) endInitLocked(status string) {
	s.initDuration = time.Since(s.initStart)
	telemetry.LogInitRuntimeDone(status)
	s.logExtensionsLocked()
	telemetry.LogInitReport(s.initDuration)
}

func (s *Sandbox) failLocked(t fatalerror.ErrorType, msg string) {
	if s.state == Failed || s.state == ShuttingDown {
		return
	}
	s.setState(Failed)
	s.failure = interop.ErrorResponse{ErrorType: string(t), ErrorMessage: msg}
	close(s.failed)
}

// InitError records POST /runtime/init/error.
func (s *Sandbox) InitError(r interop.Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == Initializing {
		s.endInitLocked("error")
	}
	s.initError = &r
	s.failLocked(fatalerror.ErrorType(r.ErrorType), "init error")
}

// StartFailed records that the runtime could not be started at all.
func (s *Sandbox) StartFailed(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == Initializing {
		s.endInitLocked("error")
	}
	s.failLocked(fatalerror.InvalidEntrypoint, err.Error())
}

// RuntimeExited records the death of the runtime process. Returns false if
// this was expected (shutdown).
func (s *Sandbox) RuntimeExited(msg string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == ShuttingDown {
		return false
	}
	if s.state == Initializing {
		s.endInitLocked("error")
	}
	s.failLocked(fatalerror.RuntimeExit, msg)
	return true
}

// Shutdown stops dispatching; blocked /next and invokes return.
func (s *Sandbox) Shutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != ShuttingDown {
		s.state = ShuttingDown
		close(s.shutdown)
		s.dispatchShutdownLocked(time.Now().Add(ShutdownGrace))
	}
}

// ShutdownGrace is what the runtime and the extensions get to exit.
const ShutdownGrace = 2 * time.Second

// Next is GET /next: it ends the init phase on the first call (with
// extensions: once they are all ready too, and it waits for that), then
// blocks until an invoke arrives (or ctx ends, or the sandbox stops).
func (s *Sandbox) Next(ctx context.Context) (*Invocation, error) {
	s.mu.Lock()
	exts := len(s.exts) > 0
	switch s.state {
	case Initializing:
		if exts {
			s.runtimeReady = true
			s.maybeInitDoneLocked()
		} else {
			s.endInitLocked("success")
			s.setState(Ready)
		}
	case Idle:
		s.setState(Ready) // a runtime we did not start (no init phase)
	case ShuttingDown:
		s.mu.Unlock()
		return nil, errors.New("sandbox is shutting down")
	}
	s.mu.Unlock()

	if exts {
		select {
		case <-s.initDone:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.shutdown:
			return nil, errors.New("sandbox is shutting down")
		}
	}
	select {
	case inv := <-s.queue:
		s.mu.Lock()
		inv.dispatched = time.Now()
		s.pending[inv.ID] = inv
		s.dispatchInvokeLocked(inv)
		s.mu.Unlock()
		s.sampleMemory()
		telemetry.LogStart(inv.ID, s.Version)
		return inv, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.shutdown:
		return nil, errors.New("sandbox is shutting down")
	}
}

// sampleMemory updates and returns the runtime's peak RSS in MB (VmHWM);
// once the runtime is gone, the last value seen.
func (s *Sandbox) sampleMemory() int64 {
	s.mu.Lock()
	pid := s.runtimePid
	s.mu.Unlock()
	mb := int64(0)
	if pid > 0 {
		mb = telemetry.MaxMemoryUsedMB(pid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if mb > s.maxMemoryMB {
		s.maxMemoryMB = mb
	}
	return s.maxMemoryMB
}

// Complete delivers the runtime's answer for request id.
func (s *Sandbox) Complete(id string, r interop.Response) error {
	s.mu.Lock()
	inv, ok := s.pending[id]
	delete(s.pending, id)
	s.mu.Unlock()
	if !ok {
		return ErrUnknownID
	}
	inv.complete(r)
	return nil
}

// Pending lists the ids dispatched but not answered (sorted).
func (s *Sandbox) Pending() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.pending))
	for id := range s.pending {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Outcome of an invoke as seen by the caller.
type Outcome struct {
	Response interop.Response // runtime's answer (ErrorType set for function errors)
	// Err is set when the sandbox (not the function) failed the invoke.
	Err *interop.ErrorResponse
	// Unavailable: the sandbox is shutting down or the caller went away.
	Unavailable bool
	// Deferred: END and REPORT wait for the extensions; the caller
	// answers, then calls Finish.
	Deferred bool
}

// Invoke hands inv to the runtime and waits for its answer, for at most
// timeout. It logs END and REPORT for a dispatched invoke.
func (s *Sandbox) Invoke(ctx context.Context, inv *Invocation, timeout time.Duration) Outcome {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	timedOut := func() *interop.ErrorResponse {
		return &interop.ErrorResponse{
			ErrorType:    string(fatalerror.SandboxTimeout),
			ErrorMessage: fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", inv.ID, timeout.Seconds()),
		}
	}
	var out Outcome
	dispatched := false
	select {
	case s.queue <- inv:
		dispatched = true
	case <-s.failed:
		out = s.failedOutcome(inv.ID)
	case <-s.shutdown:
		return Outcome{Unavailable: true}
	case <-ctx.Done():
		return Outcome{Unavailable: true}
	case <-timer.C:
		out.Err = timedOut()
	}
	if !dispatched {
		// Never reached the runtime: log START/END/REPORT with a status,
		// as Lambda does for an invoke that fails in init.
		s.mu.Lock()
		inv.dispatched = time.Now()
		s.mu.Unlock()
		telemetry.LogStart(inv.ID, s.Version)
		return s.finish(inv, out)
	}
	select {
	case <-inv.done:
		out.Response = inv.resp
		select {
		case <-inv.extDone:
		default:
			out.Deferred = true
			return out
		}
	case <-s.failed:
		out = s.failedOutcome(inv.ID)
	case <-s.shutdown:
		out.Unavailable = true
	case <-timer.C:
		out.Err = timedOut()
	}
	return s.finish(inv, out)
}

// finish logs END and REPORT for inv.
func (s *Sandbox) finish(inv *Invocation, out Outcome) Outcome {
	s.mu.Lock()
	delete(s.pending, inv.ID)
	dur := time.Since(inv.dispatched)
	rep := telemetry.Report{RequestID: inv.ID, Duration: dur, MemorySizeMB: s.MemorySizeMB}
	if !s.initReported && s.initDuration > 0 {
		rep.HasInit, rep.InitDuration = true, s.initDuration
		s.initReported = true
	}
	pid := s.runtimePid
	s.mu.Unlock()
	if pid > 0 {
		rep.MaxMemoryMB = s.sampleMemory()
	} else {
		rep.MaxMemoryMB = telemetry.MaxMemoryUsedMB(0)
	}
	switch {
	case out.Err != nil && out.Err.ErrorType == string(fatalerror.SandboxTimeout):
		rep.Status, rep.ErrorType = "timeout", ""
	case out.Err != nil:
		rep.Status, rep.ErrorType = "error", out.Err.ErrorType
	case out.Response.ErrorType != "" && s.State() == Failed: // init error document
		rep.Status, rep.ErrorType = "error", out.Response.ErrorType
	case out.Unavailable:
		rep.Status = "error"
	}
	telemetry.LogEnd(inv.ID)
	telemetry.LogReport(rep)
	return out
}

// failedOutcome: the runtime's own init error document if it sent one,
// else the sandbox's failure (e.g. Runtime.ExitError).
func (s *Sandbox) failedOutcome(id string) Outcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.initError != nil {
		return Outcome{Response: *s.initError}
	}
	f := s.failure
	f.ErrorMessage = fmt.Sprintf("RequestId: %s Error: %s", id, f.ErrorMessage)
	return Outcome{Err: &f}
}
