// Package rapid starts and supervises the runtime process and drives the
// init phase (like go.amzn.com/lambda/rapid).
package rapid

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"example.com/ctagent/core"
	"example.com/ctagent/fatalerror"
	"example.com/ctagent/interop"
	"example.com/ctagent/telemetry"
)

// DefaultBootstrapPaths are tried, in order, when no bootstrap is given.
var DefaultBootstrapPaths = []string{"/var/task/bootstrap", "/opt/bootstrap", "/var/runtime/bootstrap"}

// reservedEnv are the variables the platform owns; user values are replaced.
// platformDefaults are set only when the environment does not have them.
var (
	reservedEnv = []string{
		"AWS_LAMBDA_RUNTIME_API", "_HANDLER", "LAMBDA_TASK_ROOT",
	}
	platformDefaults = map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "function",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "3008",
		"AWS_REGION":                      "us-east-1",
		"AWS_DEFAULT_REGION":              "us-east-1",
		"AWS_EXECUTION_ENV":               "AWS_Lambda_ct-demo",
		"LAMBDA_RUNTIME_DIR":              "/var/runtime",
		// aws-lambda-ric 4 refuses to run an invoke without these two.
		"AWS_LAMBDA_LOG_GROUP_NAME":  "/aws/lambda/function",
		"AWS_LAMBDA_LOG_STREAM_NAME": "$LATEST/ct-demo",
	}
	envKeyRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	envPolicy map[string]bool // key -> reserved (true) or default (false)
)

func init() {
	envPolicy = make(map[string]bool, len(reservedEnv)+len(platformDefaults))
	for _, k := range reservedEnv {
		envPolicy[k] = true
	}
	keys := make([]string, 0, len(platformDefaults))
	for k := range platformDefaults {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !envKeyRE.MatchString(k) {
			panic("rapid: bad platform env key " + k)
		}
		envPolicy[k] = false
	}
	// Validate the current environment once: keys that cannot be passed
	// through exec are reported at start rather than at init time.
	for _, kv := range os.Environ() {
		if i := strings.IndexByte(kv, '='); i > 0 && !envKeyRE.MatchString(kv[:i]) {
			invalidEnv = append(invalidEnv, kv[:i])
		}
	}
}

var invalidEnv []string

// sandboxToken authenticates this sandbox instance (the RIE hands a similar
// token to extensions); derived at init from the boot id and host name by a
// stretched hash.
var sandboxToken = func() string {
	seed, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	host, _ := os.Hostname()
	sum := sha256.Sum256(append(seed, host...))
	for i := 0; i < 1500; i++ {
		sum = sha256.Sum256(sum[:])
	}
	return hex.EncodeToString(sum[:16])
}()

// SandboxToken returns the instance token.
func SandboxToken() string { return sandboxToken }

// FindBootstrap returns the first existing default bootstrap path.
func FindBootstrap() (string, error) {
	for _, p := range DefaultBootstrapPaths {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("no bootstrap given and none of %s exists", strings.Join(DefaultBootstrapPaths, ", "))
}

// Config of the runtime process.
type Config struct {
	Bootstrap  []string // path and arguments
	Handler    string
	TaskRoot   string
	RuntimeAPI string
	InitType   string // "on-demand"
	// ExtensionsDir holds the extensions ("" for none at all).
	ExtensionsDir string
	// Timeout bounds the extensions' registration and readiness.
	Timeout time.Duration
}

// Supervisor owns the runtime process.
type Supervisor struct {
	cfg Config
	sb  *core.Sandbox

	mu       sync.Mutex
	cmd      *exec.Cmd
	done     chan struct{} // closed when the runtime has been reaped
	exts     []*extProc
	stopping bool // shutdown began: start nothing more
	killed   bool // an extension failed the sandbox: runtime killed
}

var errStopping = errors.New("the sandbox is shutting down")

// NewSupervisor returns a supervisor; nothing is started yet.
func NewSupervisor(cfg Config, sb *core.Sandbox) *Supervisor {
	if cfg.InitType == "" {
		cfg.InitType = "on-demand"
	}
	s := &Supervisor{cfg: cfg, sb: sb}
	sb.OnExtensionFailure = s.killRuntime
	return s
}

// Env builds the runtime's environment: the agent's own, the platform
// defaults where unset, and the reserved variables.
func (s *Supervisor) Env() []string {
	env := make([]string, 0, len(os.Environ())+len(envPolicy))
	have := map[string]bool{}
	for _, kv := range os.Environ() {
		k := kv
		if i := strings.IndexByte(kv, '='); i >= 0 {
			k = kv[:i]
		}
		if envPolicy[k] {
			continue
		}
		have[k] = true
		env = append(env, kv)
	}
	for k, v := range platformDefaults {
		if !have[k] {
			env = append(env, k+"="+v)
		}
	}
	return append(env,
		"AWS_LAMBDA_RUNTIME_API="+s.cfg.RuntimeAPI,
		"_HANDLER="+s.cfg.Handler,
		"LAMBDA_TASK_ROOT="+s.cfg.TaskRoot,
	)
}

// EnsureInit starts the init phase if it has not started: logs INIT_START
// and INIT START, launches the extensions and waits for their registration
// (or a failure, the timeout, or shutdown), then fork+execs the runtime in
// a new process group.
func (s *Supervisor) EnsureInit() {
	if !s.sb.BeginInit() {
		return
	}
	telemetry.LogInitStartAWS()
	telemetry.LogInitStart(s.cfg.InitType, "init")
	var exts []string
	if s.cfg.ExtensionsDir != "" {
		exts = ListExtensions(s.cfg.ExtensionsDir)
	}
	if len(exts) > 0 {
		s.launchExtensions(exts)
		go s.sb.WatchInitTimeout(s.cfg.Timeout)
		if !s.sb.WaitRegistered(s.cfg.Timeout) {
			return // failed or shutting down: no runtime
		}
	}
	if len(invalidEnv) > 0 {
		telemetry.Warnf("environment keys not valid for a Lambda function: %s", strings.Join(invalidEnv, ", "))
	}

	cmd := exec.Command(s.cfg.Bootstrap[0], s.cfg.Bootstrap[1:]...)
	cmd.Dir = s.cfg.TaskRoot
	cmd.Env = s.Env()
	cmd.Stdin = nil
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	s.mu.Lock()
	if s.stopping || s.killed {
		s.mu.Unlock()
		return
	}
	telemetry.Infof("exec '%s' (cwd=%s, handler=%s)", s.cfg.Bootstrap[0], s.cfg.TaskRoot, s.cfg.Handler)
	if err := cmd.Start(); err != nil {
		s.mu.Unlock()
		telemetry.Errorf("Failed to start runtime %s: %v", s.cfg.Bootstrap[0], err)
		s.sb.StartFailed(fmt.Errorf("%s: %v", fatalerror.InvalidEntrypoint, err))
		return
	}
	done := make(chan struct{})
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	s.sb.SetRuntimePid(cmd.Process.Pid)
	go func() {
		err := cmd.Wait()
		msg := "Runtime exited without providing a reason"
		if err != nil {
			msg = "Runtime exited with error: " + err.Error()
		}
		s.mu.Lock()
		killed := s.killed
		s.mu.Unlock()
		if s.sb.State() == core.ShuttingDown || killed {
			telemetry.Infof("Runtime stopped: %s", cmd.ProcessState.String())
		} else {
			telemetry.Warnf("Process %d(%s) exited: %s", cmd.Process.Pid, filepath.Base(s.cfg.Bootstrap[0]), msg)
			telemetry.Warnf("First fatal error stored in appctx: %s", fatalerror.RuntimeExit)
			// The rest of its process group goes too.
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		s.sb.RuntimeExited(msg)
		close(done)
	}()
}

// ErrStopTimeout: the runtime survived SIGKILL for too long.
var ErrStopTimeout = errors.New("runtime did not exit after SIGKILL")

// Stop sends SIGTERM to the runtime's process group, waits up to grace,
// then SIGKILLs it and waits a little more. The sandbox must already be
// shutting down (so that the exit is not reported as a failure).
func (s *Supervisor) Stop(grace time.Duration) error {
	s.mu.Lock()
	s.stopping = true
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return nil
	}
	pgid := cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-done:
		_ = syscall.Kill(-pgid, syscall.SIGKILL) // stragglers in the group
		return nil
	case <-time.After(grace):
	}
	telemetry.Warnf("Runtime did not stop within %v, sending SIGKILL", grace)
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	select {
	case <-done:
		return nil
	case <-time.After(2 * time.Second):
		return ErrStopTimeout
	}
}

// InvokeFor builds the interop.Invoke for a payload.
func InvokeFor(payload []byte, arn string, timeout time.Duration) interop.Invoke {
	now := time.Now()
	return interop.Invoke{
		ID:         interop.NewRequestID(),
		Payload:    payload,
		InvokedArn: arn,
		TraceID:    interop.NewTraceID(now),
		Deadline:   now.Add(timeout),
	}
}
