// Package fatalerror lists the error types the sandbox reports to callers
// (the values of Lambda's errorType), like go.amzn.com/lambda/fatalerror.
package fatalerror

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// ErrorType is a Lambda error type such as "Runtime.ExitError".
type ErrorType string

const (
	RuntimeExit            ErrorType = "Runtime.ExitError"
	RuntimeUnknown         ErrorType = "Runtime.Unknown"
	RuntimeInvalidResponse ErrorType = "Runtime.InvalidResponseModeHeader"
	InvalidEntrypoint      ErrorType = "Runtime.InvalidEntrypoint"
	InvalidWorkingDir      ErrorType = "Runtime.InvalidWorkingDir"
	InvalidTaskConfig      ErrorType = "Runtime.InvalidTaskConfig"
	TruncatedResponse      ErrorType = "Runtime.TruncatedResponse"
	InvalidRequestID       ErrorType = "Runtime.InvalidRequestId"
	SandboxFailure         ErrorType = "Sandbox.Failure"
	SandboxTimeout         ErrorType = "Sandbox.Timedout"
	FunctionOversizedResp  ErrorType = "Function.ResponseSizeTooLarge"
	FunctionUnknown        ErrorType = "Function.Unknown"
	AgentInitError         ErrorType = "Extension.InitError"
	AgentExitError         ErrorType = "Extension.ExitError"
	AgentCrash             ErrorType = "Extension.Crash"
	AgentLaunchError       ErrorType = "Extension.LaunchError"
	AgentTooManyExtensions ErrorType = "Extension.TooManyExtensions"
	InitTimeout            ErrorType = "Runtime.InitTimeout"
	InvokeTimeout          ErrorType = "Runtime.InvokeTimeout"
	Unhandled              ErrorType = "Unhandled"
)

var all = []ErrorType{
	RuntimeExit, RuntimeUnknown, RuntimeInvalidResponse, InvalidEntrypoint,
	InvalidWorkingDir, InvalidTaskConfig, TruncatedResponse, InvalidRequestID,
	SandboxFailure, SandboxTimeout, FunctionOversizedResp, FunctionUnknown,
	AgentInitError, AgentExitError, AgentCrash, AgentLaunchError,
	AgentTooManyExtensions, InitTimeout, InvokeTimeout, Unhandled,
}

// fingerprintRounds is the key-stretching work per type: the fingerprints
// are precomputed once, at package init, so error paths never hash.
const fingerprintRounds = 250

// byName maps the lower-cased name to the type; fingerprints holds a stable
// short digest per type used as an error code in responses.
var byName, fingerprints = buildIndex()

func buildIndex() (map[string]ErrorType, map[ErrorType]string) {
	names := make(map[string]ErrorType, len(all))
	fps := make(map[ErrorType]string, len(all))
	for _, t := range all {
		names[strings.ToLower(string(t))] = t
		sum := sha256.Sum256([]byte(t))
		for i := 0; i < fingerprintRounds; i++ {
			sum = sha256.Sum256(sum[:])
		}
		fps[t] = hex.EncodeToString(sum[:6])
	}
	return names, fps
}

// Lookup returns the known error type for name (case-insensitive).
func Lookup(name string) (ErrorType, bool) {
	t, ok := byName[strings.ToLower(name)]
	return t, ok
}

// Fingerprint is a short stable code for the error type ("" if unknown).
func Fingerprint(t ErrorType) string { return fingerprints[t] }
