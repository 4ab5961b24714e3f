package main

// Extensions for the agent: the chosen files of <sandbox>/extensions/, as
// symlinks in a temporary folder, mounted on /opt/extensions in a private
// mount namespace (as root) or named by --extensions-dir.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// mountNSMode is the driver's internal mode: it runs in the new mount
// namespace, mounts the folder on /opt/extensions, then execs the agent
// (same pid): ct-driver <mountNSMode> FOLDER AGENT [AGENT ARGS...].
const mountNSMode = "--internal-mount-ns-exec"

const optExtensions = "/opt/extensions"

// extensionList resolves --extensions to paths of files in dir.
func extensionList(spec, dir string) ([]string, error) {
	switch spec {
	case "", "none", "0":
		return nil, nil
	case "1":
		spec = "ct-ext-go"
	case "2":
		spec = "ct-ext-go,ct-ext-sh"
	}
	var paths []string
	seen := map[string]bool{}
	for _, name := range strings.Split(spec, ",") {
		name = strings.TrimSpace(name)
		if name == "" || name != filepath.Base(name) || name == "." || name == ".." {
			return nil, fmt.Errorf("--extensions: bad name %q (expected none, 1, 2 or names of files in %s)", name, dir)
		}
		if seen[name] {
			return nil, fmt.Errorf("--extensions: %s given twice", name)
		}
		seen[name] = true
		p := filepath.Join(dir, name)
		if err := executable(p); err != nil {
			return nil, fmt.Errorf("--extensions: unknown extension %q (no executable %s)", name, p)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// extensionFolder makes the temporary folder of symlinks; it is removed
// by cleanup.
func extensionFolder(paths []string) (string, error) {
	folder, err := os.MkdirTemp("", "ct-ext.")
	if err != nil {
		return "", fmt.Errorf("extensions folder: %v", err)
	}
	cleanups = append(cleanups, func() { _ = os.RemoveAll(folder) })
	// The agent, the extensions and (in the namespace) the bind mount
	// must all see it: readable by everyone, like /opt/extensions.
	if err := os.Chmod(folder, 0o755); err != nil {
		return "", fmt.Errorf("extensions folder: %v", err)
	}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", err
		}
		if err := os.Symlink(abs, filepath.Join(folder, filepath.Base(p))); err != nil {
			return "", fmt.Errorf("extensions folder: %v", err)
		}
	}
	return folder, nil
}

// useMountNS: root, not --no-mount-ns, and a /opt to mount on.
func useMountNS(o options) bool {
	if o.noMountNS || os.Geteuid() != 0 {
		return false
	}
	st, err := os.Stat("/opt")
	return err == nil && st.IsDir()
}

// mountNSChild runs in the private mount namespace (the parent asked for
// CLONE_NEWNS; Go made / recursively private in it first, so nothing done
// here reaches the host).
func mountNSChild(args []string) {
	if len(args) < 2 {
		fmt.Fprintf(os.Stderr, "ct-driver: error: %s FOLDER AGENT [ARGS...]\n", mountNSMode)
		os.Exit(2)
	}
	folder, agent := args[0], args[1]
	if st, err := os.Stat(optExtensions); err != nil || !st.IsDir() {
		if err := shadowOpt(); err != nil {
			fmt.Fprintf(os.Stderr, "ct-driver: error: %s: %v\n", optExtensions, err)
			os.Exit(1)
		}
	}
	if err := syscall.Mount(folder, optExtensions, "", syscall.MS_BIND, ""); err != nil {
		fmt.Fprintf(os.Stderr, "ct-driver: error: bind-mount %s on %s: %v\n", folder, optExtensions, err)
		os.Exit(1)
	}
	err := syscall.Exec(agent, append([]string{agent}, args[2:]...), os.Environ())
	fmt.Fprintf(os.Stderr, "ct-driver: error: exec %s: %v\n", agent, err)
	os.Exit(1)
}

// shadowOpt gives /opt an extensions directory without touching the host:
// a tmpfs is mounted on /opt inside the namespace, each entry of the real
// /opt is bind-mounted (or, for a symlink, copied) back into it, and
// extensions is created in the tmpfs.
func shadowOpt() error {
	old, err := os.Open("/opt") // keeps the real /opt reachable under the tmpfs
	if err != nil {
		return err
	}
	defer old.Close()
	names, err := old.Readdirnames(-1)
	if err != nil {
		return err
	}
	if err := syscall.Mount("tmpfs", "/opt", "tmpfs", 0, "mode=0755"); err != nil {
		return fmt.Errorf("tmpfs on /opt: %v", err)
	}
	base := fmt.Sprintf("/proc/self/fd/%d/", old.Fd())
	for _, n := range names {
		src, dst := base+n, "/opt/"+n
		st, err := os.Lstat(src)
		if err != nil {
			return err
		}
		switch {
		case st.Mode()&os.ModeSymlink != 0:
			t, err := os.Readlink(src)
			if err == nil {
				err = os.Symlink(t, dst)
			}
			if err != nil {
				return err
			}
			continue
		case st.IsDir():
			err = os.Mkdir(dst, 0o755)
		default:
			var f *os.File
			if f, err = os.Create(dst); err == nil {
				f.Close()
			}
		}
		if err != nil {
			return err
		}
		if err := syscall.Mount(src, dst, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
			return fmt.Errorf("bind-mount /opt/%s back: %v", n, err)
		}
	}
	return os.Mkdir(optExtensions, 0o755)
}
