package core

// Lambda extensions, as the sandbox sees them (like go.amzn.com/lambda/core's
// ExternalAgent and registration service): each one is launched by rapid,
// registers (POST /extension/register), is ready at its first
// GET /extension/event/next, and gets INVOKE and SHUTDOWN events there.
// INIT is done only when the runtime and every registered extension are
// ready (see maybeInitDoneLocked).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/ctagent/fatalerror"
	"example.com/ctagent/interop"
	"example.com/ctagent/telemetry"
)

// ExtState is an extension's state, named as in CloudWatch's EXTENSION line.
type ExtState int

const (
	ExtLaunched ExtState = iota
	ExtRegistered
	ExtReady
	ExtInitError
	ExtExitError
	ExtCrashed
)

var extStateNames = [...]string{"Launched", "Registered", "Ready", "InitError", "ExitError", "Crashed"}

func (s ExtState) String() string { return extStateNames[s] }

// Event names an extension may register for.
const (
	EventInvoke   = "INVOKE"
	EventShutdown = "SHUTDOWN"
)

// Error types of the Extensions API answers (403 unless said otherwise).
const (
	ErrInvalidExtensionName = "Extension.InvalidExtensionName"
	ErrRegistrationClosed   = "Extension.RegistrationClosed"
	ErrUnknownExtensionID   = "Extension.UnknownExtensionIdentifier"
	ErrInvalidEventType     = "Extension.InvalidEventType" // 400
	ErrInvalidState         = "Extension.InvalidState"
	ErrMissingHeader        = "Extension.MissingHeader"
	ErrSubscriptionClosed   = "Extension.SubscriptionClosed"
)

// APIError is an Extensions API failure: HTTP status and error document.
type APIError struct {
	Status int
	interop.ErrorResponse
}

func (e *APIError) Error() string { return e.ErrorType + ": " + e.ErrorMessage }

func apiErr(status int, t, format string, args ...interface{}) *APIError {
	return &APIError{Status: status, ErrorResponse: interop.ErrorResponse{
		ErrorType: t, ErrorMessage: fmt.Sprintf(format, args...)}}
}

// ExtEvent is one event delivered on GET /extension/event/next.
type ExtEvent struct {
	ID   string // Lambda-Extension-Event-Identifier
	Body []byte
}

// Subscription is a Telemetry or Logs API subscription.
type Subscription struct {
	API   string // "telemetry" or "logs"
	URI   string
	Types []string
}

// Extension is one launched extension.
type Extension struct {
	Name string // its file name (Lambda-Extension-Name)
	Path string

	// Guarded by the sandbox's mutex.
	id        string
	state     ExtState
	events    []string // registered events, in the order INVOKE, SHUTDOWN
	errorType string
	exited    bool
	awaiting  *Invocation // INVOKE sent, its next call not seen yet
	subs      []Subscription
	queue     chan ExtEvent
}

func (e *Extension) subscribed(ev string) bool {
	for _, x := range e.events {
		if x == ev {
			return true
		}
	}
	return false
}

// ExtensionInfo is a copy of an extension's state, for rapid.
type ExtensionInfo struct {
	Name, ID  string
	State     ExtState
	Events    []string
	ErrorType string
	Exited    bool
}

// AddExtension declares an extension about to be launched. Every extension
// must be added before the first is launched (the registration wait counts
// them).
func (s *Sandbox) AddExtension(name, path string) *Extension {
	e := &Extension{Name: name, Path: path, queue: make(chan ExtEvent, 4)}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exts = append(s.exts, e)
	return e
}

// HasExtensions reports whether any extension was added.
func (s *Sandbox) HasExtensions() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.exts) > 0
}

// Info returns a copy of e's state.
func (s *Sandbox) Info(e *Extension) ExtensionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ExtensionInfo{Name: e.Name, ID: e.id, State: e.state,
		Events: append([]string(nil), e.events...), ErrorType: e.errorType, Exited: e.exited}
}

func (s *Sandbox) extByIDLocked(id string) (*Extension, *APIError) {
	if id == "" {
		return nil, apiErr(403, ErrUnknownExtensionID, "Missing Lambda-Extension-Identifier header")
	}
	for _, e := range s.exts {
		if e.id == id {
			return e, nil
		}
	}
	return nil, apiErr(403, ErrUnknownExtensionID, "Unknown extension %s", id)
}

// Register is POST /2020-01-01/extension/register. It returns the
// extension's new identifier.
func (s *Sandbox) Register(name string, events []string) (string, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.regClosed {
		return "", apiErr(403, ErrRegistrationClosed, "Extension registration is closed")
	}
	var e *Extension
	for _, x := range s.exts {
		if x.Name == name {
			e = x
		}
	}
	if e == nil {
		return "", apiErr(403, ErrInvalidExtensionName, "%q is not a launched extension", name)
	}
	if e.state != ExtLaunched {
		return "", apiErr(403, ErrInvalidExtensionName, "Extension %s is already registered", name)
	}
	var inv, shut bool
	for _, ev := range events {
		switch ev {
		case EventInvoke:
			inv = true
		case EventShutdown:
			shut = true
		default:
			return "", apiErr(400, ErrInvalidEventType, "Unknown event %q (expected INVOKE or SHUTDOWN)", ev)
		}
	}
	e.events = nil
	if inv {
		e.events = append(e.events, EventInvoke)
	}
	if shut {
		e.events = append(e.events, EventShutdown)
	}
	e.id = interop.NewRequestID()
	e.state = ExtRegistered
	telemetry.Infof("Extension %s registered: %s (events: [%s])", e.Name, e.id, strings.Join(e.events, ","))
	s.checkRegisteredLocked()
	return e.id, nil
}

// checkRegisteredLocked closes s.registered once no extension is still
// only launched.
func (s *Sandbox) checkRegisteredLocked() {
	for _, e := range s.exts {
		if e.state == ExtLaunched && !e.exited {
			return
		}
	}
	s.registeredOnce.Do(func() { close(s.registered) })
}

// WaitRegistered waits until every extension registered (true), or one
// failed, the sandbox stopped, or timeout passed (false; a timeout fails
// INIT with Extension.InitError). Registration is closed when it returns.
func (s *Sandbox) WaitRegistered(timeout time.Duration) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-s.registered:
	case <-s.failed:
	case <-s.shutdown:
	case <-timer.C:
		s.mu.Lock()
		var late []string
		for _, e := range s.exts {
			if e.state == ExtLaunched {
				late = append(late, e.Name)
			}
		}
		if len(late) > 0 && s.state == Initializing {
			telemetry.Warnf("Extensions did not register within %v: %s", timeout, strings.Join(late, ", "))
			s.firstFatalLocked(string(fatalerror.AgentInitError))
			s.failInitLocked(fatalerror.AgentInitError, "extensions did not register in time: "+strings.Join(late, ", "))
		}
		s.mu.Unlock()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.regClosed = true
	return s.state == Initializing
}

// WatchInitTimeout fails INIT with Extension.InitError if it is not done
// after timeout because an extension is not ready (only with extensions;
// a slow runtime is left to the invoke's own timeout, as before).
func (s *Sandbox) WatchInitTimeout(timeout time.Duration) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-s.initDone:
		return
	case <-s.failed:
		return
	case <-s.shutdown:
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != Initializing {
		return
	}
	var late []string
	for _, e := range s.exts {
		if e.state == ExtRegistered || e.state == ExtLaunched {
			late = append(late, e.Name)
		}
	}
	if len(late) == 0 {
		return
	}
	telemetry.Warnf("Extensions not ready within %v: %s", timeout, strings.Join(late, ", "))
	s.firstFatalLocked(string(fatalerror.AgentInitError))
	s.failInitLocked(fatalerror.AgentInitError, "extensions not ready in time: "+strings.Join(late, ", "))
}

// firstFatalLocked logs the first fatal error of the sandbox, as the RIE
// does when it stores it in its application context.
func (s *Sandbox) firstFatalLocked(t string) {
	if s.firstFatal != "" {
		return
	}
	s.firstFatal = t
	telemetry.Warnf("First fatal error stored in appctx: %s", t)
}

// failInitLocked fails the sandbox; during INIT it also ends INIT with an
// error. The runtime, if started, is killed (OnExtensionFailure).
func (s *Sandbox) failInitLocked(t fatalerror.ErrorType, msg string) {
	if s.state == Initializing {
		s.endInitLocked("error")
	}
	if s.state == Failed || s.state == ShuttingDown {
		return
	}
	s.failLocked(t, msg)
	if f := s.OnExtensionFailure; f != nil {
		go f()
	}
}

// maybeInitDoneLocked ends INIT with success once the runtime asked for its
// first invocation and every registered extension is ready.
func (s *Sandbox) maybeInitDoneLocked() {
	if s.state != Initializing || !s.runtimeReady || !s.regClosed {
		return
	}
	for _, e := range s.exts {
		if e.state != ExtReady {
			return
		}
	}
	s.endInitLocked("success")
	s.setState(Ready)
	close(s.initDone)
}

// logExtensionsLocked writes CloudWatch's EXTENSION lines, in name order
// (the order they were added in).
func (s *Sandbox) logExtensionsLocked() {
	for _, e := range s.exts {
		line := fmt.Sprintf("EXTENSION\tName: %s\tState: %s\tEvents: [%s]",
			e.Name, e.state, strings.Join(e.events, ","))
		if e.errorType != "" {
			line += "\tError Type: " + e.errorType
		}
		telemetry.Line("%s", line)
	}
}

// ErrStopped: the extension's next call ends because the sandbox stopped.
var ErrStopped = errors.New("sandbox is shutting down")

// ExtNext is GET /2020-01-01/extension/event/next: the first call makes the
// extension ready; a later call acknowledges the INVOKE it got. Then it
// blocks until the next event for it.
func (s *Sandbox) ExtNext(ctx context.Context, id string) (ExtEvent, error) {
	s.mu.Lock()
	e, aerr := s.extByIDLocked(id)
	if aerr != nil {
		s.mu.Unlock()
		return ExtEvent{}, aerr
	}
	switch e.state {
	case ExtRegistered:
		e.state = ExtReady
		telemetry.Infof("Extension %s ready: %s", e.Name, e.id)
		s.maybeInitDoneLocked()
	case ExtReady:
		if inv := e.awaiting; inv != nil {
			e.awaiting = nil
			inv.extPending--
			if inv.extPending == 0 {
				close(inv.extDone)
			}
		}
	default:
		s.mu.Unlock()
		return ExtEvent{}, apiErr(403, ErrInvalidState, "Extension %s is in state %s", e.Name, e.state)
	}
	s.mu.Unlock()
	select {
	case ev := <-e.queue:
		return ev, nil
	case <-ctx.Done():
		return ExtEvent{}, ctx.Err()
	case <-s.extStopped:
		return ExtEvent{}, ErrStopped
	}
}

// dispatchInvokeLocked sends INVOKE to every ready subscriber; inv's END
// and REPORT wait for their next call (see Finish).
func (s *Sandbox) dispatchInvokeLocked(inv *Invocation) {
	for _, e := range s.exts {
		if e.state != ExtReady || e.exited || !e.subscribed(EventInvoke) {
			continue
		}
		body, _ := json.Marshal(struct {
			EventType          string `json:"eventType"`
			DeadlineMs         int64  `json:"deadlineMs"`
			RequestID          string `json:"requestId"`
			InvokedFunctionArn string `json:"invokedFunctionArn"`
			Tracing            struct {
				Type  string `json:"type"`
				Value string `json:"value"`
			} `json:"tracing"`
		}{EventInvoke, inv.Deadline.UnixMilli(), inv.ID, inv.InvokedArn,
			struct {
				Type  string `json:"type"`
				Value string `json:"value"`
			}{"X-Amzn-Trace-Id", inv.TraceID}})
		select {
		case e.queue <- ExtEvent{ID: interop.NewRequestID(), Body: body}:
			e.awaiting = inv
			inv.extPending++
		default: // it is not reading its events: do not wait for it
		}
	}
	if inv.extPending == 0 {
		close(inv.extDone)
	}
}

// dispatchShutdownLocked sends SHUTDOWN to every live subscriber.
func (s *Sandbox) dispatchShutdownLocked(deadline time.Time) {
	for _, e := range s.exts {
		if e.exited || (e.state != ExtRegistered && e.state != ExtReady) || !e.subscribed(EventShutdown) {
			continue
		}
		body, _ := json.Marshal(struct {
			EventType      string `json:"eventType"`
			ShutdownReason string `json:"shutdownReason"`
			DeadlineMs     int64  `json:"deadlineMs"`
		}{EventShutdown, "spindown", deadline.UnixMilli()})
		select {
		case e.queue <- ExtEvent{ID: interop.NewRequestID(), Body: body}:
		default:
		}
	}
}

// ShutdownSubscriber reports whether e registered for SHUTDOWN and may
// still read it.
func (s *Sandbox) ShutdownSubscriber(e *Extension) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !e.exited && (e.state == ExtRegistered || e.state == ExtReady) && e.subscribed(EventShutdown)
}

// ExtensionsStopped ends every pending event/next call.
func (s *Sandbox) ExtensionsStopped() {
	s.extStoppedOnce.Do(func() { close(s.extStopped) })
}

// ExtError is POST /2020-01-01/extension/init/error (init true) or
// /exit/error: the extension reports a fatal error of type t.
func (s *Sandbox) ExtError(id, t string, init bool) *APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, aerr := s.extByIDLocked(id)
	if aerr != nil {
		return aerr
	}
	if e.state != ExtRegistered && e.state != ExtReady {
		return apiErr(403, ErrInvalidState, "Extension %s is in state %s", e.Name, e.state)
	}
	if init && s.state != Initializing {
		return apiErr(403, ErrInvalidState, "INIT is over: use /extension/exit/error")
	}
	e.errorType = t
	if init {
		e.state = ExtInitError
		telemetry.Warnf("Extension %s reported an init error: %s", e.Name, t)
	} else {
		e.state = ExtExitError
		telemetry.Warnf("Extension %s reported an exit error: %s", e.Name, t)
	}
	s.firstFatalLocked(t)
	s.failInitLocked(fatalerror.ErrorType(t), "extension "+e.Name+" reported an error: "+t)
	s.checkRegisteredLocked()
	return nil
}

// LaunchFailed records that e could not be started.
func (s *Sandbox) LaunchFailed(e *Extension, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.exited = true
	e.errorType = string(fatalerror.AgentLaunchError)
	telemetry.Warnf("Cannot launch extension %s: %v", e.Name, err)
	s.firstFatalLocked(e.errorType)
	s.failInitLocked(fatalerror.AgentLaunchError, "extension "+e.Name+" could not be launched: "+err.Error())
	s.checkRegisteredLocked()
}

// ExtExited records the end of e's process (status as in "exit status 3").
// Outside shutdown, an extension that did not report an error itself has
// crashed: Extension.Crash fails INIT, or the sandbox after INIT.
func (s *Sandbox) ExtExited(e *Extension, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.exited = true
	if inv := e.awaiting; inv != nil {
		e.awaiting = nil
		inv.extPending--
		if inv.extPending == 0 {
			close(inv.extDone)
		}
	}
	if s.state == ShuttingDown || e.state == ExtInitError || e.state == ExtExitError {
		telemetry.Infof("Extension %s stopped: %s", e.Name, status)
		s.checkRegisteredLocked()
		return
	}
	e.state = ExtCrashed
	e.errorType = string(fatalerror.AgentCrash)
	telemetry.Warnf("Process extension-%s-1 exited: %s", e.Name, status)
	s.firstFatalLocked(e.errorType)
	s.failInitLocked(fatalerror.AgentCrash, "extension "+e.Name+" exited: "+status)
	s.checkRegisteredLocked()
}

// Subscribe is PUT /2022-07-01/telemetry or /2020-08-15/logs: allowed
// during INIT only.
func (s *Sandbox) Subscribe(id string, sub Subscription) *APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, aerr := s.extByIDLocked(id)
	if aerr != nil {
		return aerr
	}
	if s.state != Initializing {
		return apiErr(403, ErrSubscriptionClosed, "Subscriptions are accepted during INIT only")
	}
	e.subs = append(e.subs, sub)
	return nil
}

// Metadata is the register reply's body.
type Metadata struct {
	FunctionName    string `json:"functionName"`
	FunctionVersion string `json:"functionVersion"`
	Handler         string `json:"handler"`
}

// Metadata returns the function's metadata for extensions.
func (s *Sandbox) Metadata() Metadata {
	return Metadata{FunctionName: s.FunctionName, FunctionVersion: s.Version, Handler: s.Handler}
}

// Finish waits (bounded by inv's deadline) until every extension that got
// inv's INVOKE called event/next again, then logs END and REPORT. For an
// Outcome with Deferred set, after the caller got its answer.
func (s *Sandbox) Finish(inv *Invocation, out Outcome) Outcome {
	timer := time.NewTimer(time.Until(inv.Deadline))
	defer timer.Stop()
	select {
	case <-inv.extDone:
	case <-s.failed:
	case <-s.shutdown:
	case <-timer.C:
		telemetry.Warnf("Extensions did not finish request %s before its deadline", inv.ID)
	}
	out.Deferred = false
	return s.finish(inv, out)
}
