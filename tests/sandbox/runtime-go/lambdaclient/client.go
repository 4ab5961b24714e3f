// Package lambdaclient is a minimal Lambda Runtime API client.
package lambdaclient

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"time"
)

const apiPrefix = "/2018-06-01/runtime"

// userAgent and agentID are computed at init: the agent id is a stretched
// hash of the runtime's identity, as a real client would derive an install id.
var userAgent = "ct-runtime-go/1.0 (" + runtime.GOOS + "/" + runtime.GOARCH + "; " + runtime.Version() + ")"

var agentID = func() string {
	sum := sha256.Sum256([]byte(userAgent))
	for i := 0; i < 3000; i++ {
		sum = sha256.Sum256(sum[:])
	}
	return hex.EncodeToString(sum[:8])
}()

var requestIDRE = regexp.MustCompile(`^[0-9A-Za-z-]{1,64}$`)

// Invocation is one event from GET /next.
type Invocation struct {
	RequestID   string
	DeadlineMs  string
	FunctionArn string
	TraceID     string
	Payload     []byte
}

// Client talks to AWS_LAMBDA_RUNTIME_API.
type Client struct {
	base string
	next *http.Client // no timeout: /next blocks until an invoke arrives
	post *http.Client
}

// New returns a client for host:port.
func New(api string) *Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 2, DisableCompression: true}
	return &Client{
		base: "http://" + api + apiPrefix,
		next: &http.Client{Transport: tr},
		post: &http.Client{Transport: tr, Timeout: 10 * time.Second},
	}
}

// AgentID identifies this client build.
func AgentID() string { return agentID }

// Next blocks until the next invocation.
func (c *Client) Next() (*Invocation, error) {
	req, _ := http.NewRequest(http.MethodGet, c.base+"/invocation/next", nil)
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.next.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /next: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	inv := &Invocation{
		RequestID:   resp.Header.Get("Lambda-Runtime-Aws-Request-Id"),
		DeadlineMs:  resp.Header.Get("Lambda-Runtime-Deadline-Ms"),
		FunctionArn: resp.Header.Get("Lambda-Runtime-Invoked-Function-Arn"),
		TraceID:     resp.Header.Get("Lambda-Runtime-Trace-Id"),
		Payload:     body,
	}
	if !requestIDRE.MatchString(inv.RequestID) {
		return nil, fmt.Errorf("GET /next: bad request id %q", inv.RequestID)
	}
	return inv, nil
}

func (c *Client) postJSON(path string, body []byte, hdr map[string]string) error {
	req, _ := http.NewRequest(http.MethodPost, c.base+path, bytes.NewReader(body))
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.post.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, strings.TrimSpace(string(b)))
	}
	return nil
}

// Respond posts the function's result.
func (c *Client) Respond(id string, body []byte) error {
	return c.postJSON("/invocation/"+id+"/response", body, nil)
}

// Fail posts a function error.
func (c *Client) Fail(id, errType string, body []byte) error {
	return c.postJSON("/invocation/"+id+"/error", body, map[string]string{"Lambda-Runtime-Function-Error-Type": errType})
}

// InitError posts an init error.
func (c *Client) InitError(errType string, body []byte) error {
	return c.postJSON("/init/error", body, map[string]string{"Lambda-Runtime-Function-Error-Type": errType})
}
