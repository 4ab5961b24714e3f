// Command ct-agent is coldtrace's demo Lambda sandbox agent: a small Runtime
// Interface Emulator. It serves the Runtime API for one runtime process and
// an invoke endpoint, and logs the platform lines (INIT_START, START, END,
// REPORT, "[INFO] (rapid) INIT ...") to stdout.
//
// Usage: ct-agent [flags] [bootstrap [args...]]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"example.com/ctagent/rapid"
	"example.com/ctagent/rapidcore"
)

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func main() {
	fs := flag.NewFlagSet("ct-agent", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: ct-agent [flags] [--] [bootstrap [args...]]\n"+
			"bootstrap defaults to the first of %v that exists\n", rapid.DefaultBootstrapPaths)
		fs.PrintDefaults()
	}
	var o rapidcore.Options
	fs.StringVar(&o.RuntimeAPIAddress, "runtime-api-address", envOr("CT_RUNTIME_API_ADDRESS", "127.0.0.1:9001"), "Runtime API listen address (env CT_RUNTIME_API_ADDRESS)")
	fs.StringVar(&o.InvokeAddress, "invoke-address", envOr("CT_INVOKE_ADDRESS", "127.0.0.1:8080"), "invoke endpoint listen address (env CT_INVOKE_ADDRESS)")
	fs.StringVar(&o.Handler, "handler", envOr("_HANDLER", "index.handler"), "_HANDLER for the runtime")
	fs.StringVar(&o.TaskRoot, "task-root", envOr("LAMBDA_TASK_ROOT", ""), "LAMBDA_TASK_ROOT and cwd for the runtime (default: the bootstrap's directory)")
	fs.BoolVar(&o.InitAtStart, "init-at-start", false, "start the runtime at once instead of on the first invoke")
	fs.DurationVar(&o.Timeout, "timeout", 0, "function timeout per invoke (default 30s)")
	fs.StringVar(&o.ExtensionsDir, "extensions-dir", envOr("CT_EXTENSIONS_DIR", rapid.DefaultExtensionsDir), "directory of the Lambda extensions to launch at INIT (env CT_EXTENSIONS_DIR)")
	fs.BoolVar(&o.LogTimestamps, "log-timestamps", false, "prefix [INFO] (rapid) lines with a timestamp, as the RIE does")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			os.Exit(0)
		}
		os.Exit(2)
	}
	o.Bootstrap = fs.Args()
	if len(o.Bootstrap) == 0 {
		p, err := rapid.FindBootstrap()
		if err != nil {
			fmt.Fprintf(os.Stderr, "ct-agent: %v\n", err)
			os.Exit(2)
		}
		o.Bootstrap = []string{p}
	}
	if abs, err := filepath.Abs(o.Bootstrap[0]); err == nil && filepath.Base(o.Bootstrap[0]) != o.Bootstrap[0] {
		o.Bootstrap[0] = abs // relative paths are relative to our cwd, not the task root
	}
	if o.TaskRoot == "" {
		o.TaskRoot = filepath.Dir(o.Bootstrap[0])
	}
	os.Exit(rapidcore.Run(o))
}
