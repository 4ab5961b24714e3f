// Command ct-ext-go is a Lambda extension in Go for coldtrace's demo
// sandbox. Its packages do real work at init (config, patterns, client,
// digest); main registers with its file name, subscribes to the Telemetry
// API with a listener of its own, then loops on event/next: INVOKE ->
// "INVOKE <requestId>", SHUTDOWN -> "SHUTDOWN" and exit 0.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"example.com/ctext/client"
	"example.com/ctext/config"
	"example.com/ctext/digest"
	"example.com/ctext/extapi"
	"example.com/ctext/patterns"
	"example.com/ctext/receiver"
)

func die(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "ct-ext-go: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	name := filepath.Base(os.Args[0])
	api := os.Getenv("AWS_LAMBDA_RUNTIME_API")
	if api == "" {
		die("AWS_LAMBDA_RUNTIME_API is not set")
	}
	c := extapi.New(api)
	if err := c.Register(name, []string{"INVOKE", "SHUTDOWN"}); err != nil {
		die("%v", err)
	}
	fmt.Printf("registered as %s\n", c.ID)
	if err := config.Err; err != nil {
		_ = c.InitError("Extension.ConfigInvalid", err.Error())
		die("config: %v", err)
	}
	if err := patterns.Err; err != nil {
		_ = c.InitError("Extension.ConfigInvalid", err.Error())
		die("patterns: %v", err)
	}
	rcv, err := receiver.Start(func(types []string) {
		fmt.Printf("telemetry: %d events (%s)\n", len(types), strings.Join(types, ","))
	})
	if err != nil {
		die("telemetry listener: %v", err)
	}
	t := config.C.Telemetry
	if err := c.SubscribeTelemetry(rcv.URI, t.Types, t.BufferMs, t.MaxItems); err != nil {
		die("%v", err)
	}
	_ = client.HTTP // built at init; a real extension would ship batches with it
	for {
		ev, err := c.Next()
		if err != nil {
			die("%v", err)
		}
		switch ev.EventType {
		case "INVOKE":
			// A little work per invoke: sign and redact the request.
			sig := digest.Sign(len(ev.RequestID), []byte(ev.RequestID+ev.Tracing.Value))
			_ = patterns.Redact(ev.InvokedFunctionArn + " " + sig)
			fmt.Printf("INVOKE %s\n", ev.RequestID)
		case "SHUTDOWN":
			fmt.Printf("SHUTDOWN\n")
			os.Exit(0)
		default:
			die("unexpected event %q", ev.EventType)
		}
	}
}
