// Package rendering writes Runtime API responses (like
// go.amzn.com/lambda/rapi/rendering): the /next invocation, the canned
// status documents and error bodies.
package rendering

import (
	"bytes"
	"encoding/json"
	"hash/crc32"
	"net/http"
	"strconv"
	"text/template"

	"example.com/ctagent/fatalerror"
	"example.com/ctagent/interop"
)

// StatusResponse is the body of 202 answers: {"status":"OK"}.
type StatusResponse struct {
	Status string `json:"status"`
}

// canned holds pre-encoded bodies keyed by name; built at init.
var canned = map[string][]byte{}

// cannedCRC is a checksum per canned body, used as an ETag.
var cannedCRC = map[string]uint32{}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var errorTemplate = template.Must(template.New("error").Parse(
	`{"errorType":{{printf "%q" .Type}},"errorMessage":{{printf "%q" .Message}}{{if .Code}},"errorCode":{{printf "%q" .Code}}{{end}}}`))

func init() {
	put := func(name string, v interface{}) {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		canned[name] = b
		cannedCRC[name] = crc32.Checksum(b, castagnoli)
	}
	put("accepted", StatusResponse{Status: "OK"})
	for _, code := range []int{400, 403, 404, 405, 409, 413, 500, 502, 503, 504} {
		put("http."+strconv.Itoa(code), interop.ErrorResponse{
			ErrorType:    "HTTP." + strconv.Itoa(code),
			ErrorMessage: http.StatusText(code),
		})
	}
	for _, t := range []fatalerror.ErrorType{
		fatalerror.RuntimeExit, fatalerror.RuntimeUnknown, fatalerror.InvalidRequestID,
		fatalerror.SandboxFailure, fatalerror.SandboxTimeout, fatalerror.InvalidEntrypoint,
		fatalerror.InitTimeout, fatalerror.InvokeTimeout, fatalerror.Unhandled,
	} {
		var buf bytes.Buffer
		if err := errorTemplate.Execute(&buf, struct{ Type, Message, Code string }{
			string(t), "see logs", fatalerror.Fingerprint(t)}); err != nil {
			panic(err)
		}
		if !json.Valid(buf.Bytes()) {
			panic("rendering: error template renders invalid JSON for " + string(t))
		}
		canned["error."+string(t)] = buf.Bytes()
		cannedCRC["error."+string(t)] = crc32.Checksum(buf.Bytes(), castagnoli)
	}
}

// Accepted writes 202 {"status":"OK"}.
func Accepted(w http.ResponseWriter) {
	writeJSON(w, http.StatusAccepted, canned["accepted"])
}

// Status writes a canned error document for an HTTP status.
func Status(w http.ResponseWriter, code int) {
	b, ok := canned["http."+strconv.Itoa(code)]
	if !ok {
		b = canned["http.500"]
	}
	writeJSON(w, code, b)
}

// Error writes an error document with the given status.
func Error(w http.ResponseWriter, code int, e interop.ErrorResponse) {
	b, _ := json.Marshal(e)
	writeJSON(w, code, b)
}

// Invoke writes the /next response for one invocation.
func Invoke(w http.ResponseWriter, inv *interop.Invoke) {
	h := w.Header()
	h.Set(interop.HeaderRequestID, inv.ID)
	h.Set(interop.HeaderDeadlineMs, interop.DeadlineMs(inv.Deadline))
	h.Set(interop.HeaderFunctionArn, inv.InvokedArn)
	h.Set(interop.HeaderTraceID, inv.TraceID)
	if inv.ClientContext != "" {
		h.Set(interop.HeaderClientContext, inv.ClientContext)
	}
	if inv.CognitoIdentity != "" {
		h.Set(interop.HeaderCognitoIdentity, inv.CognitoIdentity)
	}
	writeJSON(w, http.StatusOK, inv.Payload)
}

func writeJSON(w http.ResponseWriter, code int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write(body)
}
