// Package extapi is a minimal client of the Lambda Extensions API and of
// the Telemetry API subscription.
package extapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Header names.
const (
	HeaderName      = "Lambda-Extension-Name"
	HeaderID        = "Lambda-Extension-Identifier"
	HeaderErrorType = "Lambda-Extension-Function-Error-Type"
)

// Client talks to AWS_LAMBDA_RUNTIME_API for one extension.
type Client struct {
	base string
	ID   string
	next *http.Client // no timeout: event/next blocks until an event
	call *http.Client
}

// New returns a client for host:port.
func New(api string) *Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 2, DisableCompression: true}
	return &Client{base: "http://" + api, next: &http.Client{Transport: tr},
		call: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

// Event is what event/next returns.
type Event struct {
	EventType          string `json:"eventType"`
	DeadlineMs         int64  `json:"deadlineMs"`
	RequestID          string `json:"requestId"`
	InvokedFunctionArn string `json:"invokedFunctionArn"`
	ShutdownReason     string `json:"shutdownReason"`
	Tracing            struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"tracing"`
}

func (c *Client) do(hc *http.Client, method, path string, body []byte, hdr map[string]string) ([]byte, http.Header, error) {
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	if c.ID != "" {
		req.Header.Set(HeaderID, c.ID)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode/100 != 2 {
		return b, resp.Header, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
	}
	return b, resp.Header, nil
}

// Register registers name for events; sets c.ID.
func (c *Client) Register(name string, events []string) error {
	body, _ := json.Marshal(map[string][]string{"events": events})
	_, h, err := c.do(c.call, http.MethodPost, "/2020-01-01/extension/register", body,
		map[string]string{HeaderName: name, "Content-Type": "application/json"})
	if err != nil {
		return err
	}
	if c.ID = h.Get(HeaderID); c.ID == "" {
		return fmt.Errorf("register: no %s in the reply", HeaderID)
	}
	return nil
}

// Next blocks until the next event.
func (c *Client) Next() (Event, error) {
	var ev Event
	b, _, err := c.do(c.next, http.MethodGet, "/2020-01-01/extension/event/next", nil, nil)
	if err != nil {
		return ev, err
	}
	return ev, json.Unmarshal(b, &ev)
}

// InitError reports a fatal init error of type t.
func (c *Client) InitError(t, msg string) error {
	body, _ := json.Marshal(map[string]string{"errorType": t, "errorMessage": msg})
	_, _, err := c.do(c.call, http.MethodPost, "/2020-01-01/extension/init/error", body,
		map[string]string{HeaderErrorType: t})
	return err
}

// SubscribeTelemetry asks for the given event types to be POSTed to uri.
func (c *Client) SubscribeTelemetry(uri string, types []string, bufferMs, maxItems int) error {
	body, _ := json.Marshal(map[string]interface{}{
		"schemaVersion": "2022-12-13",
		"destination":   map[string]string{"protocol": "HTTP", "URI": uri},
		"types":         types,
		"buffering":     map[string]int{"timeoutMs": bufferMs, "maxItems": maxItems, "maxBytes": 262144},
	})
	_, _, err := c.do(c.call, http.MethodPut, "/2022-07-01/telemetry", body,
		map[string]string{"Content-Type": "application/json"})
	return err
}
