// Package client builds, at package init, the HTTP client the extension
// would ship its telemetry with: a custom transport (dialer, TLS settings,
// pools and timeouts from the configuration) and the default headers.
package client

import (
	"crypto/tls"
	"net"
	"net/http"
	"sort"
	"time"

	"example.com/ctext/config"
)

// HTTP is the backend client; Headers are sent with every request.
var (
	HTTP    *http.Client
	Headers http.Header
)

func init() {
	timeout := time.Duration(config.C.Backend.TimeoutMs) * time.Millisecond
	dialer := &net.Dialer{Timeout: timeout / 2, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		MaxIdleConns:          8,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout / 2,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     false,
		TLSClientConfig: &tls.Config{
			MinVersion: tls.VersionTLS12,
			CipherSuites: []uint16{
				tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
				tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
				tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,
				tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,
			},
		},
	}
	HTTP = &http.Client{Transport: tr, Timeout: timeout}
	Headers = http.Header{}
	keys := make([]string, 0, len(config.C.Backend.Headers))
	for k := range config.C.Backend.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		Headers.Set(k, config.C.Backend.Headers[k])
	}
	Headers.Set("User-Agent", config.C.Service+"/"+"1.0")
}
