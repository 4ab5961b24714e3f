// Command ct-httpserver: a tiny net/http server for coldtrace's loopback
// benchmark (bench/http.sh) and the integration test that traffic outside
// the traced tree stays out of the trace (tests/integration/outside_http.sh).
//
//	ct-httpserver [--addr 127.0.0.1:18600]
//
// Every GET answers 200 with a small body ("hello\n" for /, the path
// otherwise). It prints "listening on ADDR" once the socket is bound and
// exits 0 on SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18600", "listen address (loopback)")
	flag.Parse()

	body := []byte("hello\n")
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		if r.URL.Path == "/" {
			w.Write(body)
			return
		}
		fmt.Fprintf(w, "%s\n", r.URL.Path)
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ct-httpserver: %v\n", err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("listening on %s\n", ln.Addr())

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		<-sigs
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		close(done)
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintf(os.Stderr, "ct-httpserver: %v\n", err)
		os.Exit(1)
	}
	<-done
}
