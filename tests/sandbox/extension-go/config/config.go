// Package config reads and validates the extension's configuration at
// package init: the embedded config.json, overlaid by the JSON file named
// by CT_EXT_CONFIG when set. A bad configuration stops the extension
// before it registers (config.Err is reported by main with init/error).
package config

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
)

//go:embed config.json
var embedded []byte

// Config is the extension's configuration.
type Config struct {
	Service   string `json:"service"`
	Version   int    `json:"version"`
	Telemetry struct {
		Types    []string `json:"types"`
		BufferMs int      `json:"bufferMs"`
		MaxItems int      `json:"maxItems"`
	} `json:"telemetry"`
	Backend struct {
		Endpoint  string            `json:"endpoint"`
		TimeoutMs int               `json:"timeoutMs"`
		Retries   int               `json:"retries"`
		Headers   map[string]string `json:"headers"`
	} `json:"backend"`
	Redact   []string `json:"redact"`
	Sampling struct {
		Rate float64 `json:"rate"`
		Seed string  `json:"seed"`
	} `json:"sampling"`
	Keys    int `json:"keys"`
	Stretch int `json:"stretch"`
}

// C is the loaded configuration; Source says where it came from; Err is
// set when it is not valid (C then holds the embedded defaults).
var (
	C      Config
	Source = "embedded"
	Err    error
)

func init() {
	if err := json.Unmarshal(embedded, &C); err != nil {
		panic("config: embedded config.json: " + err.Error())
	}
	if err := C.Validate(); err != nil {
		panic("config: embedded config.json: " + err.Error())
	}
	path := os.Getenv("CT_EXT_CONFIG")
	if path == "" {
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		Err = err
		return
	}
	over := C
	if err := json.Unmarshal(b, &over); err != nil {
		Err = fmt.Errorf("%s: %v", path, err)
		return
	}
	if err := over.Validate(); err != nil {
		Err = fmt.Errorf("%s: %v", path, err)
		return
	}
	C, Source = over, path
}

var knownTypes = map[string]bool{"platform": true, "function": true, "extension": true}

// Validate checks every field.
func (c *Config) Validate() error {
	var errs []string
	if c.Service == "" {
		errs = append(errs, "service is empty")
	}
	if c.Version < 1 {
		errs = append(errs, "version must be >= 1")
	}
	if len(c.Telemetry.Types) == 0 {
		errs = append(errs, "telemetry.types is empty")
	}
	for _, t := range c.Telemetry.Types {
		if !knownTypes[t] {
			errs = append(errs, "unknown telemetry type "+t)
		}
	}
	if c.Telemetry.BufferMs < 25 || c.Telemetry.BufferMs > 30000 {
		errs = append(errs, "telemetry.bufferMs must be in [25, 30000]")
	}
	u, err := url.Parse(c.Backend.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, "backend.endpoint must be an http(s) URL")
	}
	if c.Backend.TimeoutMs <= 0 || c.Backend.Retries < 0 {
		errs = append(errs, "backend.timeoutMs/retries out of range")
	}
	for k := range c.Backend.Headers {
		if strings.ContainsAny(k, " \t\r\n:") {
			errs = append(errs, "bad header name "+k)
		}
	}
	if c.Sampling.Rate < 0 || c.Sampling.Rate > 1 {
		errs = append(errs, "sampling.rate must be in [0, 1]")
	}
	if c.Keys < 1 || c.Keys > 4096 || c.Stretch < 1 {
		errs = append(errs, "keys/stretch out of range")
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}
