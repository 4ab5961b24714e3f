// initgraph is a test program for coldtrace: its packages form a
// dependency graph (main -> alpha, beta, dotted.pkg; alpha -> gamma;
// beta -> gamma; gamma -> delta) and do measurable work in init. It also
// imports net/http and encoding/json for a realistic number of packages.
//
//	initgraph [-sleep DURATION] [-exit N]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"example.com/initgraph/alpha"
	"example.com/initgraph/beta"
	dotted "example.com/initgraph/dotted.pkg"
)

var started = time.Now()

func main() {
	sleep := flag.Duration("sleep", 0, "sleep this long before exiting")
	exit := flag.Int("exit", 0, "exit with this status")
	flag.Parse()

	summary, _ := json.Marshal(map[string]interface{}{
		"alpha":  alpha.Sum(),
		"beta":   fmt.Sprintf("%x", beta.Digest[:4]),
		"words":  len(dotted.Words),
		"status": http.StatusText(http.StatusOK),
	})
	fmt.Printf("initgraph %s\n", summary)
	if *sleep > 0 {
		time.Sleep(*sleep)
	}
	_ = started
	os.Exit(*exit)
}
