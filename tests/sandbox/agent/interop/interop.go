// Package interop holds the messages passed between the invoke side and the
// Runtime API side of the sandbox (like go.amzn.com/lambda/interop).
package interop

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"example.com/ctagent/fatalerror"
)

// Runtime API header names (as net/http canonicalizes them).
const (
	HeaderRequestID       = "Lambda-Runtime-Aws-Request-Id"
	HeaderDeadlineMs      = "Lambda-Runtime-Deadline-Ms"
	HeaderFunctionArn     = "Lambda-Runtime-Invoked-Function-Arn"
	HeaderTraceID         = "Lambda-Runtime-Trace-Id"
	HeaderClientContext   = "Lambda-Runtime-Client-Context"
	HeaderCognitoIdentity = "Lambda-Runtime-Cognito-Identity"
	HeaderErrorType       = "Lambda-Runtime-Function-Error-Type"
	HeaderXRayErrorCause  = "Lambda-Runtime-Function-Xray-Error-Cause"
	HeaderResponseMode    = "Lambda-Runtime-Function-Response-Mode"
	HeaderFunctionError   = "X-Amz-Function-Error"
)

// Invoke is one invocation request on its way to the runtime.
type Invoke struct {
	ID              string
	Payload         []byte
	InvokedArn      string
	TraceID         string
	ClientContext   string
	CognitoIdentity string
	Deadline        time.Time
}

// Response is what the runtime answered for an Invoke. ErrorType is empty
// for a success; otherwise Payload is the error document.
type Response struct {
	Payload   []byte
	ErrorType string
}

// ErrorResponse is the JSON body of a sandbox-level error.
type ErrorResponse struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

// validators are compiled at init and self-checked against known-good and
// known-bad samples, so a bad pattern fails at start rather than per request.
var validators = map[string]*regexp.Regexp{
	"requestID":   regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`),
	"traceID":     regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=[01]$`),
	"functionArn": regexp.MustCompile(`^arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(-gov)?-[a-z]+-\d{1}:\d{12}:function:[a-zA-Z0-9-_.]+(:(\$LATEST|[a-zA-Z0-9-_]+))?$`),
	"runtimeArn":  regexp.MustCompile(`^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+::runtime:[a-zA-Z0-9-_.:]+$`),
	"errorType":   regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.]{0,127}$`),
	"handler":     regexp.MustCompile(`^[^\s]+\.[^\s.]+$`),
	"envName":     regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9_])+$`),
	"memoryMB":    regexp.MustCompile(`^(12[89]|1[3-9]\d|[2-9]\d\d|[1-9]\d{3}|10[0-2]\d\d|10240)$`),
	"version":     regexp.MustCompile(`^(\$LATEST|[0-9]+)$`),
}

var samples = []struct {
	kind string
	in   string
	ok   bool
}{
	{"requestID", "3604209a-e9a3-11e6-939a-754dd98c7be3", true},
	{"requestID", "not-an-id", false},
	{"traceID", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1", true},
	{"traceID", "Root=1-x", false},
	{"functionArn", "arn:aws:lambda:us-east-1:012345678912:function:function", true},
	{"functionArn", "arn:aws:s3:::bucket", false},
	{"runtimeArn", "arn:aws:lambda:us-east-1::runtime:ct-demo", true},
	{"errorType", "Runtime.ExitError", true},
	{"errorType", "9bad", false},
	{"handler", "index.handler", true},
	{"handler", "nohandler", false},
	{"envName", "AWS_LAMBDA_RUNTIME_API", true},
	{"memoryMB", "3008", true},
	{"memoryMB", "64", false},
	{"version", "$LATEST", true},
}

func init() {
	// Self-check a few hundred times: cheap insurance that also warms the
	// matchers' onepass/backtrack caches.
	for round := 0; round < 60; round++ {
		for _, s := range samples {
			if validators[s.kind].MatchString(s.in) != s.ok {
				panic(fmt.Sprintf("interop: validator %s self-check failed on %q", s.kind, s.in))
			}
		}
	}
	if _, ok := fatalerror.Lookup(string(fatalerror.RuntimeExit)); !ok {
		panic("interop: fatalerror table incomplete")
	}
}

// Valid reports whether s is a well-formed value of the given kind
// ("requestID", "traceID", "errorType", "handler", ...).
func Valid(kind, s string) bool {
	re, ok := validators[kind]
	return ok && re.MatchString(s)
}

// NewRequestID returns a random UUID (version 4).
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// NewTraceID returns an X-Ray style trace header value.
func NewTraceID(now time.Time) string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return "Root=1-" + fmt.Sprintf("%08x", now.Unix()) + "-" + hex.EncodeToString(b[:12]) +
		";Parent=" + hex.EncodeToString(b[12:20]) + ";Sampled=0"
}

// DeadlineMs renders a deadline as Unix milliseconds.
func DeadlineMs(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
