// Command ct-runtime-go is a Lambda runtime (a "bootstrap") written in Go:
// it loops GET /next, runs the handler, POST /response (or /error).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"example.com/ctruntime/handler"
	"example.com/ctruntime/lambdaclient"
)

func main() {
	api := os.Getenv("AWS_LAMBDA_RUNTIME_API")
	if api == "" {
		fmt.Fprintln(os.Stderr, "ct-runtime-go: AWS_LAMBDA_RUNTIME_API is not set")
		os.Exit(2)
	}
	c := lambdaclient.New(api)
	failures := 0
	for {
		inv, err := c.Next()
		if err != nil {
			// The agent went away or refused us: retry briefly, then give up.
			failures++
			if failures >= 5 {
				fmt.Fprintf(os.Stderr, "ct-runtime-go: %v\n", err)
				os.Exit(1)
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		failures = 0
		out, herr := handler.Handle(inv.RequestID, inv.Payload)
		if herr != nil {
			doc, _ := json.Marshal(map[string]string{"errorType": "InvalidEvent", "errorMessage": herr.Error()})
			err = c.Fail(inv.RequestID, "Function.InvalidEvent", doc)
		} else {
			err = c.Respond(inv.RequestID, out)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "ct-runtime-go: %v\n", err)
		}
	}
}
