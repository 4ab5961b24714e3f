// Package rapidcore assembles the sandbox (like go.amzn.com/lambda/rapidcore
// and its standalone server): the Runtime API server, the invoke server,
// the runtime supervisor and the shutdown sequence.
package rapidcore

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"example.com/ctagent/core"
	"example.com/ctagent/fatalerror"
	"example.com/ctagent/interop"
	"example.com/ctagent/rapi"
	"example.com/ctagent/rapi/handler"
	"example.com/ctagent/rapi/rendering"
	"example.com/ctagent/rapid"
	"example.com/ctagent/telemetry"
)

//go:embed config.json
var configJSON []byte

// Defaults is the embedded platform configuration, parsed and validated at
// package init; ConfigDigest identifies it in the startup log.
type Defaults struct {
	FunctionName    string           `json:"functionName"`
	FunctionVersion string           `json:"functionVersion"`
	MemorySizeMB    int64            `json:"memorySizeMB"`
	TimeoutSeconds  int              `json:"timeoutSeconds"`
	Region          string           `json:"region"`
	AccountID       string           `json:"accountId"`
	InitType        string           `json:"initType"`
	MaxPayloadBytes int64            `json:"maxPayloadBytes"`
	Regions         []string         `json:"regions"`
	MemorySizes     []int64          `json:"memorySizes"`
	Limits          map[string]int64 `json:"limits"`
}

var defaults, configDigest = loadDefaults()

func loadDefaults() (Defaults, string) {
	var d Defaults
	if err := json.Unmarshal(configJSON, &d); err != nil {
		panic("rapidcore: embedded config: " + err.Error())
	}
	ok := false
	for _, r := range d.Regions {
		if r == d.Region {
			ok = true
		}
	}
	if !ok || d.MemorySizeMB <= 0 || d.TimeoutSeconds <= 0 {
		panic("rapidcore: embedded config is inconsistent")
	}
	if !interop.Valid("functionArn", arnFor(d)) || !interop.Valid("version", d.FunctionVersion) {
		panic("rapidcore: embedded config makes an invalid ARN or version")
	}
	sum := sha256.Sum256(configJSON)
	for i := 0; i < 2000; i++ { // stretched digest, as for signed configs
		sum = sha256.Sum256(append(sum[:], configJSON[i%len(configJSON)]))
	}
	return d, hex.EncodeToString(sum[:8])
}

func arnFor(d Defaults) string {
	return "arn:aws:lambda:" + d.Region + ":" + d.AccountID + ":function:" + d.FunctionName
}

// Options come from the command line.
type Options struct {
	RuntimeAPIAddress string
	InvokeAddress     string
	Bootstrap         []string
	Handler           string
	TaskRoot          string
	InitAtStart       bool
	Timeout           time.Duration // per invoke; 0 = embedded default
	LogTimestamps     bool
	ExtensionsDir     string // "" for none
}

// Run serves until SIGTERM/SIGINT; returns the process exit code.
func Run(o Options) int {
	telemetry.SetTimestamps(o.LogTimestamps)
	if o.Timeout <= 0 {
		o.Timeout = time.Duration(defaults.TimeoutSeconds) * time.Second
	}
	sb := core.New(defaults.MemorySizeMB, defaults.FunctionVersion)
	sb.FunctionName, sb.Handler = defaults.FunctionName, o.Handler
	sup := rapid.NewSupervisor(rapid.Config{
		Bootstrap:     o.Bootstrap,
		Handler:       o.Handler,
		TaskRoot:      o.TaskRoot,
		RuntimeAPI:    o.RuntimeAPIAddress,
		InitType:      defaults.InitType,
		ExtensionsDir: o.ExtensionsDir,
		Timeout:       o.Timeout,
	}, sb)

	// Bind both ports before anything else, Runtime API first: once the
	// invoke port accepts connections, the whole sandbox is ready.
	h := &handler.Handlers{SB: sb}
	rapiSrv, err := rapi.Listen(o.RuntimeAPIAddress, rapi.NewRouter(h.Specs()))
	if err != nil {
		fmt.Fprintf(os.Stderr, "ct-agent: runtime API: %v\n", err)
		return 1
	}
	inv := &invoker{sb: sb, sup: sup, timeout: o.Timeout, arn: arnFor(defaults), sem: make(chan struct{}, 1)}
	invokeSrv, err := rapi.Listen(o.InvokeAddress, rapi.NewRouter([]handler.Spec{
		{Name: "invoke", Method: http.MethodPost, Pattern: "/2015-03-31/functions/{name}/invocations", Func: inv.serve},
	}))
	if err != nil {
		fmt.Fprintf(os.Stderr, "ct-agent: invoke API: %v\n", err)
		return 1
	}

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)

	errs := make(chan error, 2)
	go func() { errs <- rapiSrv.Serve() }()
	go func() { errs <- invokeSrv.Serve() }()
	telemetry.Infof("Runtime API listening on %s, invokes on %s (config %s)", rapiSrv.Addr(), invokeSrv.Addr(), configDigest)
	if o.InitAtStart {
		// In a goroutine: with extensions, INIT waits for their
		// registration, and SIGTERM must still be handled meanwhile.
		go sup.EnsureInit()
	}

	code := 0
	select {
	case sig := <-sigs:
		telemetry.Infof("Received signal %v, shutting down", sig)
	case err := <-errs:
		telemetry.Errorf("server failed: %v", err)
		code = 1
	}
	// Further SIGTERM/SIGINT stay caught (and ignored): the shutdown below
	// is bounded, and must not be cut short with the runtime still alive.
	if sb.HasExtensions() && sb.State() == core.Ready {
		// As in Lambda, no shutdown in the middle of an invoke: the one
		// in flight ends first (END and REPORT wait for the extensions),
		// for at most the grace period.
		select {
		case inv.sem <- struct{}{}:
		case <-time.After(core.ShutdownGrace):
		}
	}
	// The runtime gets SIGTERM and the extensions SHUTDOWN at the same
	// time; both have core.ShutdownGrace, then SIGKILL.
	sb.Shutdown()
	deadline := time.Now().Add(core.ShutdownGrace)
	extsDone := make(chan struct{})
	go func() { sup.StopExtensions(deadline); close(extsDone) }()
	if err := sup.Stop(core.ShutdownGrace); err != nil {
		telemetry.Errorf("%v", err)
		code = 1
	}
	<-extsDone
	telemetry.StopPlatformEvents()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for _, s := range []*rapi.Server{invokeSrv, rapiSrv} {
		wg.Add(1)
		go func(s *rapi.Server) {
			defer wg.Done()
			if err := s.HTTP.Shutdown(ctx); err != nil {
				_ = s.HTTP.Close()
			}
		}(s)
	}
	wg.Wait()
	telemetry.Infof("Stopped")
	return code
}

type invoker struct {
	sb      *core.Sandbox
	sup     *rapid.Supervisor
	timeout time.Duration
	arn     string
	sem     chan struct{} // one invoke at a time, as in a Lambda sandbox
}

// serve is POST /2015-03-31/functions/{name}/invocations.
func (iv *invoker) serve(w http.ResponseWriter, r *http.Request, _ handler.Params) {
	payload, err := io.ReadAll(io.LimitReader(r.Body, defaults.MaxPayloadBytes+1))
	if err != nil {
		rendering.Status(w, http.StatusBadRequest)
		return
	}
	if int64(len(payload)) > defaults.MaxPayloadBytes {
		rendering.Error(w, http.StatusRequestEntityTooLarge, interop.ErrorResponse{
			ErrorType: "RequestTooLargeException", ErrorMessage: "Request must be smaller than " +
				strconv.FormatInt(defaults.MaxPayloadBytes, 10) + " bytes for the InvokeFunction operation"})
		return
	}
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	select {
	case iv.sem <- struct{}{}:
		defer func() { <-iv.sem }()
	case <-r.Context().Done():
		return
	case <-time.After(iv.timeout):
		rendering.Error(w, http.StatusTooManyRequests, interop.ErrorResponse{
			ErrorType: "TooManyRequestsException", ErrorMessage: "the sandbox is busy with another invoke"})
		return
	}

	iv.sup.EnsureInit()
	in := rapid.InvokeFor(payload, iv.arn, iv.timeout)
	in.ClientContext = r.Header.Get("X-Amz-Client-Context")
	inv := core.NewInvocation(in)
	out := iv.sb.Invoke(r.Context(), inv, iv.timeout)
	iv.write(w, in, out)
	if out.Deferred {
		// The caller has its answer; END and REPORT wait for the
		// extensions that got this INVOKE, and so does the next invoke.
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		iv.sb.Finish(inv, out)
	}
}

// write answers the invoke.
func (iv *invoker) write(w http.ResponseWriter, in interop.Invoke, out core.Outcome) {
	switch {
	case out.Unavailable:
		rendering.Error(w, http.StatusServiceUnavailable, interop.ErrorResponse{
			ErrorType: string(fatalerror.SandboxFailure), ErrorMessage: "the sandbox is shutting down"})
	case out.Err != nil:
		w.Header().Set(interop.HeaderFunctionError, string(fatalerror.Unhandled))
		rendering.Error(w, http.StatusOK, *out.Err)
	default:
		if out.Response.ErrorType != "" {
			w.Header().Set(interop.HeaderFunctionError, string(fatalerror.Unhandled))
		}
		w.Header().Set("X-Amzn-Requestid", in.ID)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(out.Response.Payload)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(out.Response.Payload)
	}
}
