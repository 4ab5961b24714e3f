// Package handler implements the Runtime API endpoints (like
// go.amzn.com/lambda/rapi/handler).
package handler

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"regexp"
	"sync"

	"example.com/ctagent/core"
	"example.com/ctagent/fatalerror"
	"example.com/ctagent/interop"
	"example.com/ctagent/rapi/rendering"
	"example.com/ctagent/telemetry"
)

// MaxResponseBytes is Lambda's synchronous response limit (6 MB).
const MaxResponseBytes = 6 * 1024 * 1024

// Params are the path parameters matched by the router.
type Params map[string]string

// Func is a Runtime API handler.
type Func func(w http.ResponseWriter, r *http.Request, p Params)

// Spec describes one endpoint: method, path pattern and handler.
type Spec struct {
	Name    string
	Method  string
	Pattern string
	Func    Func
}

// headerToken validates error-type header values; compiled at init.
var headerToken = regexp.MustCompile(`^[\x21-\x7e]{1,128}$`)

// bodyBuffers is a pool of request-body buffers, pre-faulted at init so
// that the first invokes do not pay for page faults.
var bodyBuffers = func() *sync.Pool {
	p := &sync.Pool{New: func() interface{} { return make([]byte, 0, 64<<10) }}
	for i := 0; i < 16; i++ {
		b := make([]byte, 64<<10)
		for j := range b {
			b[j] = byte(j)
		}
		p.Put(b[:0])
	}
	return p
}()

// Handlers serves the Runtime API for one sandbox.
type Handlers struct {
	SB *core.Sandbox
}

// Specs lists the endpoints (prefix /2018-06-01 and friends).
func (h *Handlers) Specs() []Spec {
	return []Spec{
		{"next", http.MethodGet, "/2018-06-01/runtime/invocation/next", h.next},
		{"response", http.MethodPost, "/2018-06-01/runtime/invocation/{id}/response", h.response},
		{"error", http.MethodPost, "/2018-06-01/runtime/invocation/{id}/error", h.invokeError},
		{"initError", http.MethodPost, "/2018-06-01/runtime/init/error", h.initError},
		{"extRegister", http.MethodPost, "/2020-01-01/extension/register", h.extRegister},
		{"extNext", http.MethodGet, "/2020-01-01/extension/event/next", h.extNext},
		{"extInitError", http.MethodPost, "/2020-01-01/extension/init/error", h.extInitError},
		{"extExitError", http.MethodPost, "/2020-01-01/extension/exit/error", h.extExitError},
		{"telemetry", http.MethodPut, "/2022-07-01/telemetry", h.telemetrySubscribe},
		{"logs", http.MethodPut, "/2020-08-15/logs", h.logsSubscribe},
	}
}

func (h *Handlers) next(w http.ResponseWriter, r *http.Request, _ Params) {
	inv, err := h.SB.Next(r.Context())
	if err != nil {
		if r.Context().Err() == nil {
			rendering.Error(w, http.StatusInternalServerError, interop.ErrorResponse{
				ErrorType: string(fatalerror.SandboxFailure), ErrorMessage: err.Error()})
		}
		return
	}
	rendering.Invoke(w, &inv.Invoke)
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	buf := bytes.NewBuffer(bodyBuffers.Get().([]byte)[:0])
	_, err := buf.ReadFrom(io.LimitReader(r.Body, MaxResponseBytes+1))
	body := append([]byte(nil), buf.Bytes()...)
	if buf.Cap() <= 1<<20 {
		bodyBuffers.Put(buf.Bytes()[:0])
	}
	if err != nil {
		rendering.Status(w, http.StatusBadRequest)
		return nil, false
	}
	if len(body) > MaxResponseBytes {
		rendering.Error(w, http.StatusRequestEntityTooLarge, interop.ErrorResponse{
			ErrorType:    string(fatalerror.FunctionOversizedResp),
			ErrorMessage: "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
		})
		return nil, false
	}
	return body, true
}

func (h *Handlers) complete(w http.ResponseWriter, id string, resp interop.Response) {
	if err := h.SB.Complete(id, resp); err != nil {
		if errors.Is(err, core.ErrUnknownID) {
			rendering.Error(w, http.StatusBadRequest, interop.ErrorResponse{
				ErrorType:    string(fatalerror.InvalidRequestID),
				ErrorMessage: "Invalid request ID",
			})
			return
		}
		rendering.Status(w, http.StatusInternalServerError)
		return
	}
	rendering.Accepted(w)
}

func (h *Handlers) response(w http.ResponseWriter, r *http.Request, p Params) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	h.complete(w, p["id"], interop.Response{Payload: body})
}

func errorType(r *http.Request) string {
	t := r.Header.Get(interop.HeaderErrorType)
	if t == "" || !headerToken.MatchString(t) {
		return string(fatalerror.Unhandled)
	}
	return t
}

func (h *Handlers) invokeError(w http.ResponseWriter, r *http.Request, p Params) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	h.complete(w, p["id"], interop.Response{Payload: body, ErrorType: errorType(r)})
}

func (h *Handlers) initError(w http.ResponseWriter, r *http.Request, _ Params) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	t := errorType(r)
	telemetry.Warnf("Runtime reported an init error: %s", t)
	h.SB.InitError(interop.Response{Payload: body, ErrorType: t})
	rendering.Accepted(w)
}
