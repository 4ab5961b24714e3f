package rapid

// Extensions: listed from the extensions directory, launched in name order
// at the start of INIT (each in its own process group, cwd /, the
// runtime's environment), their output relayed line by line with a
// "[name] " prefix, their exits reported to core, and stopped at shutdown.

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"

	"example.com/ctagent/core"
	"example.com/ctagent/telemetry"
)

// DefaultExtensionsDir is where Lambda's extensions live.
const DefaultExtensionsDir = "/opt/extensions"

// ListExtensions returns the extensions in dir, sorted by name: every
// entry that is a regular file or a symlink to one. A missing dir is
// logged as the RIE does and means none.
func ListExtensions(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			telemetry.Infof("The extension's directory %q does not exist, assuming no extensions to be loaded.", dir)
		} else {
			telemetry.Errorf("Cannot list external agents: %v", err)
		}
		return nil
	}
	var paths []string
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		st, err := os.Stat(p)
		if err != nil {
			telemetry.Warnf("Ignoring extension %s: %v", e.Name(), err)
			continue
		}
		if st.Mode().IsRegular() {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	return paths
}

// extProc is one launched extension process.
type extProc struct {
	ext  *core.Extension
	cmd  *exec.Cmd
	done chan struct{} // reaped
	out  sync.WaitGroup
}

// drain waits until its output was relayed to the end, unless something
// still holds the pipe after max.
func (p *extProc) drain(max time.Duration) {
	out := make(chan struct{})
	go func() { p.out.Wait(); close(out) }()
	select {
	case <-out:
	case <-time.After(max):
	}
}

// relay copies r to the agent's stdout/stderr line by line, prefixed.
func relay(r *os.File, name string, stderr bool, wg *sync.WaitGroup) {
	defer wg.Done()
	defer r.Close()
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			telemetry.Prefixed(stderr, name, line)
		}
		if err != nil && err != bufio.ErrBufferFull {
			if err != io.EOF {
				telemetry.Warnf("Reading extension %s output: %v", name, err)
			}
			return
		}
	}
}

// launchExtensions declares every extension, then starts them in order
// (stopping at the first that cannot be started, or at shutdown).
func (s *Supervisor) launchExtensions(paths []string) {
	exts := make([]*core.Extension, len(paths))
	for i, p := range paths {
		exts[i] = s.sb.AddExtension(filepath.Base(p), p)
	}
	for _, e := range exts {
		if err := s.launch(e); err != nil {
			if err != errStopping {
				s.sb.LaunchFailed(e, err)
			}
			return
		}
	}
}

func (s *Supervisor) launch(e *core.Extension) error {
	outR, outW, err := os.Pipe()
	if err != nil {
		return err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return err
	}
	cmd := exec.Command(e.Path)
	cmd.Dir = "/"
	cmd.Env = s.Env()
	cmd.Stdout, cmd.Stderr = outW, errW
	// Own process group; killed with us should we die without a shutdown.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}

	s.mu.Lock()
	if s.stopping || s.killed {
		s.mu.Unlock()
		outR.Close()
		outW.Close()
		errR.Close()
		errW.Close()
		return errStopping
	}
	telemetry.Infof("exec '%s' (extension %s)", e.Path, e.Name)
	err = cmd.Start()
	outW.Close()
	errW.Close()
	if err != nil {
		s.mu.Unlock()
		outR.Close()
		errR.Close()
		return err
	}
	p := &extProc{ext: e, cmd: cmd, done: make(chan struct{})}
	s.exts = append(s.exts, p)
	s.mu.Unlock()

	p.out.Add(2)
	go relay(outR, e.Name, false, &p.out)
	go relay(errR, e.Name, true, &p.out)
	go func() {
		_ = cmd.Wait()
		p.drain(100 * time.Millisecond) // its last lines before its exit
		s.sb.ExtExited(e, cmd.ProcessState.String())
		close(p.done)
	}()
	return nil
}

// StopExtensions ends the extensions at shutdown: those registered for
// SHUTDOWN got it (core.Sandbox.Shutdown) and have until deadline to exit;
// the others are killed at once; then SIGKILL to every process group.
func (s *Supervisor) StopExtensions(deadline time.Time) {
	s.mu.Lock()
	s.stopping = true
	procs := append([]*extProc(nil), s.exts...)
	s.mu.Unlock()
	for _, p := range procs {
		if !s.sb.ShutdownSubscriber(p.ext) {
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		}
	}
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	expired := false
	for _, p := range procs {
		if !expired {
			select {
			case <-p.done:
			case <-timer.C:
				expired = true
			}
		}
		if expired {
			select {
			case <-p.done:
			default:
				telemetry.Warnf("Extension %s did not exit in time, sending SIGKILL", p.ext.Name)
			}
		}
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL) // it, or what it left
	}
	for _, p := range procs {
		select {
		case <-p.done:
		case <-time.After(2 * time.Second):
			telemetry.Errorf("Extension %s survived SIGKILL", p.ext.Name)
		}
		p.drain(500 * time.Millisecond)
	}
	s.sb.ExtensionsStopped()
}

// killRuntime kills the runtime (an extension failed the sandbox): its exit is
// then no news.
func (s *Supervisor) killRuntime() {
	s.mu.Lock()
	s.killed = true
	cmd := s.cmd
	s.mu.Unlock()
	if cmd != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
