// Command ct-driver runs one whole cold start of the demo sandbox: it starts
// ct-agent with a runtime, waits for the invoke port, sends N invokes one
// after another (printing each response body on stdout), then stops the
// agent with SIGTERM. Exit 0 if everything worked; otherwise one line
// "ct-driver: error: ..." on stderr and exit 1.
//
//	ct-driver [--runtime go|shell|node|python|PATH] [--invokes N] [--payload JSON]
//	          [--runtime-api-address A] [--invoke-address A] [--agent PATH]
//	          [--init-at-start] [--node-dir DIR] [--handler H] [--python PATH]
//	          [--timeout D] [--extensions none|1|2|NAME,...] [--no-mount-ns]
//
// --runtime python runs <sandbox>/ct-runtime-py (Debian's /usr/bin/python3,
// or --python PATH, on python/bootstrap.py) with the task root
// <sandbox>/python and the handler app.handler unless --handler is given
// (other runtimes: index.handler).
//
// With extensions, the driver makes a temporary folder of symlinks to the
// chosen files of <sandbox>/extensions/ (removed at exit). As root, the
// agent runs in a private mount namespace where that folder is bind-mounted
// on /opt/extensions (the host's /opt is never touched); otherwise (or with
// --no-mount-ns) the agent gets --extensions-dir FOLDER.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

type options struct {
	runtime     string
	invokes     int
	payload     string
	apiAddr     string
	invokeAddr  string
	agent       string
	initAtStart bool
	nodeDir     string
	handler     string
	python      string
	timeout     time.Duration
	extensions  string
	noMountNS   bool
}

// cleanups run before the driver exits, on every path.
var cleanups []func()

func cleanup() {
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	cleanups = nil
}

func fail(format string, args ...interface{}) {
	cleanup()
	fmt.Fprintf(os.Stderr, "ct-driver: error: "+format+"\n", args...)
	os.Exit(1)
}

func selfExe() string {
	exe, err := os.Executable()
	if err != nil {
		fail("cannot find own executable: %v", err)
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	return exe
}

func selfDir() string { return filepath.Dir(selfExe()) }

func executable(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file", path)
	}
	return nil
}

// agentArgs returns the agent's arguments for the chosen runtime.
func agentArgs(o options, dir string) ([]string, error) {
	args := []string{"--runtime-api-address", o.apiAddr, "--invoke-address", o.invokeAddr,
		"--timeout", o.timeout.String()}
	if o.initAtStart {
		args = append(args, "--init-at-start")
	}
	var boot []string
	switch o.runtime {
	case "go":
		boot = []string{filepath.Join(dir, "ct-runtime-go")}
	case "shell":
		boot = []string{filepath.Join(dir, "bootstrap.sh")}
	case "node":
		nd := o.nodeDir
		if nd == "" {
			nd = filepath.Join(dir, "node")
		}
		nd, _ = filepath.Abs(nd)
		ric := filepath.Join(nd, "node_modules", ".bin", "aws-lambda-ric")
		if _, err := os.Stat(ric); err != nil {
			return nil, fmt.Errorf("node runtime: %s not found (run `npm install aws-lambda-ric@4` in %s, or pass --node-dir)", ric, nd)
		}
		if _, err := exec.LookPath("node"); err != nil {
			return nil, fmt.Errorf("node runtime: node is not in PATH")
		}
		args = append(args, "--task-root", nd, "--handler", o.handler)
		boot = []string{ric}
	case "python":
		// The code is in python/, as in /var/task: LAMBDA_TASK_ROOT and cwd.
		args = append(args, "--task-root", filepath.Join(dir, "python"))
		boot = []string{filepath.Join(dir, "ct-runtime-py")}
	default:
		p, err := filepath.Abs(o.runtime)
		if err != nil {
			return nil, err
		}
		boot = []string{p}
	}
	if o.runtime != "node" && o.handler != "" {
		args = append(args, "--handler", o.handler)
	}
	if err := executable(boot[0]); err != nil {
		return nil, fmt.Errorf("runtime %q: %v", o.runtime, err)
	}
	return append(append(args, "--"), boot...), nil
}

// interpreter returns the absolute path of the Python interpreter p (a path,
// or a name looked up in PATH): the runtime runs in the task root, not here.
func interpreter(p string) (string, error) {
	if p == "" {
		return "", errors.New("empty path")
	}
	if !strings.ContainsRune(p, '/') {
		lp, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("%s not found in PATH", p)
		}
		p = lp
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	if err := executable(abs); err != nil {
		return "", err
	}
	return abs, nil
}

// waitListening polls addr until it accepts a connection, the agent exits,
// or 10 s pass.
func waitListening(addr string, exited <-chan error) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case err := <-exited:
			return fmt.Errorf("agent exited before listening on %s: %v", addr, exitText(err))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("agent did not listen on %s within 10s: %v", addr, err)
		}
	}
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

func invoke(client *http.Client, addr, payload string) (string, error) {
	url := "http://" + addr + "/2015-03-31/functions/function/invocations"
	resp, err := client.Post(url, "application/json", strings.NewReader(payload))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return "", err
	}
	body = bytes.TrimRight(body, "\n")
	if resp.StatusCode != http.StatusOK {
		return string(body), fmt.Errorf("HTTP %s: %s", resp.Status, oneLine(body))
	}
	if fe := resp.Header.Get("X-Amz-Function-Error"); fe != "" {
		return string(body), fmt.Errorf("function error (%s): %s", fe, oneLine(body))
	}
	return string(body), nil
}

func oneLine(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == mountNSMode {
		mountNSChild(os.Args[2:]) // does not return
	}
	var o options
	fs := flag.NewFlagSet("ct-driver", flag.ContinueOnError)
	fs.StringVar(&o.runtime, "runtime", "go", "runtime: go, shell, node, python, or a path to a bootstrap executable")
	fs.IntVar(&o.invokes, "invokes", 1, "number of invokes, sent one after another")
	fs.StringVar(&o.payload, "payload", `{"name":"coldtrace"}`, "invoke payload (JSON)")
	fs.StringVar(&o.apiAddr, "runtime-api-address", "127.0.0.1:9001", "agent's Runtime API address")
	fs.StringVar(&o.invokeAddr, "invoke-address", "127.0.0.1:8080", "agent's invoke address")
	fs.StringVar(&o.agent, "agent", "", "path to ct-agent (default: next to ct-driver)")
	fs.BoolVar(&o.initAtStart, "init-at-start", false, "ask the agent to start the runtime before the first invoke")
	fs.StringVar(&o.nodeDir, "node-dir", "", "for --runtime node: dir with index.js and node_modules/aws-lambda-ric (default: node/ next to ct-driver)")
	fs.StringVar(&o.handler, "handler", "index.handler", "_HANDLER passed to the runtime (for --runtime python: app.handler)")
	fs.StringVar(&o.python, "python", "", "for --runtime python: the interpreter, passed as CT_PYTHON (default: /usr/bin/python3)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "timeout of each HTTP call (and the agent's function timeout)")
	fs.StringVar(&o.extensions, "extensions", "none", "Lambda extensions: none (or 0), 1 (ct-ext-go), 2 (ct-ext-go,ct-ext-sh), or a comma-separated list of files in <sandbox>/extensions/")
	fs.BoolVar(&o.noMountNS, "no-mount-ns", false, "as root too, pass --extensions-dir to the agent instead of mounting the extensions on /opt/extensions in a private mount namespace")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2)
	}
	if fs.NArg() > 0 {
		fail("unexpected arguments: %v", fs.Args())
	}
	if o.invokes < 0 || o.invokes > 100000 {
		fail("--invokes must be between 0 and 100000")
	}
	if o.timeout <= 0 {
		fail("--timeout must be positive")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if o.runtime == "python" && !set["handler"] {
		o.handler = "app.handler"
	}
	var env []string // added to the agent's environment (the runtime's)
	if set["python"] {
		if o.runtime != "python" {
			fail("--python is only for --runtime python")
		}
		py, err := interpreter(o.python)
		if err != nil {
			fail("--python: %v", err)
		}
		env = append(env, "CT_PYTHON="+py)
	}

	dir := selfDir()
	if o.agent == "" {
		o.agent = filepath.Join(dir, "ct-agent")
	}
	if err := executable(o.agent); err != nil {
		fail("agent: %v", err)
	}
	args, err := agentArgs(o, dir)
	if err != nil {
		fail("%v", err)
	}
	exts, err := extensionList(o.extensions, filepath.Join(dir, "extensions"))
	if err != nil {
		fail("%v", err)
	}
	// Something already listening there would answer in the agent's place.
	if c, err := net.DialTimeout("tcp", o.invokeAddr, 200*time.Millisecond); err == nil {
		c.Close()
		fail("%s is already in use (another agent running?)", o.invokeAddr)
	}

	agent := exec.Command(o.agent, args...)
	if len(exts) > 0 {
		folder, err := extensionFolder(exts)
		if err != nil {
			fail("%v", err)
		}
		if useMountNS(o) {
			agent = exec.Command(selfExe(), append([]string{mountNSMode, folder, o.agent}, args...)...)
			agent.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
		} else {
			agent = exec.Command(o.agent, append([]string{"--extensions-dir", folder}, args...)...)
		}
	}
	if len(env) > 0 {
		agent.Env = append(os.Environ(), env...)
	}
	agent.Stdout = os.Stdout
	agent.Stderr = os.Stderr
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	if err := agent.Start(); err != nil {
		fail("start agent: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- agent.Wait() }()

	// stop sends SIGTERM and waits (bounded) for the agent to exit.
	stop := func() error {
		_ = agent.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				return fmt.Errorf("agent exited uncleanly: %v", err)
			}
			return nil
		case <-time.After(10 * time.Second):
			_ = agent.Process.Kill()
			<-exited
			return errors.New("agent did not exit within 10s of SIGTERM (killed)")
		}
	}
	abort := func(format string, args ...interface{}) {
		_ = stop()
		fail(format, args...)
	}

	ready := make(chan error, 1)
	go func() { ready <- waitListening(o.invokeAddr, exited) }()
	select {
	case err := <-ready:
		if err != nil {
			_ = agent.Process.Kill()
			fail("%v", err)
		}
	case sig := <-sigs:
		abort("interrupted by %v", sig)
	}

	client := &http.Client{Timeout: o.timeout + 2*time.Second}
	for i := 1; i <= o.invokes; i++ {
		type result struct {
			body string
			err  error
		}
		done := make(chan result, 1)
		go func() {
			b, err := invoke(client, o.invokeAddr, o.payload)
			done <- result{b, err}
		}()
		select {
		case r := <-done:
			if r.body != "" {
				os.Stdout.Write([]byte(r.body + "\n"))
			}
			if r.err != nil {
				abort("invoke %d/%d: %v", i, o.invokes, r.err)
			}
		case err := <-exited:
			fail("agent exited during invoke %d/%d: %v", i, o.invokes, exitText(err))
		case sig := <-sigs:
			abort("interrupted by %v", sig)
		}
	}
	if err := stop(); err != nil {
		fail("%v", err)
	}
	cleanup()
}
