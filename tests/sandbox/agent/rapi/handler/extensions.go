package handler

// The Extensions API (/2020-01-01/extension/...) and the Telemetry and Logs
// API subscriptions (like go.amzn.com/lambda/rapi/handler/agent*.go).

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"example.com/ctagent/core"
	"example.com/ctagent/interop"
	"example.com/ctagent/rapi/rendering"
	"example.com/ctagent/telemetry"
)

// Extensions API header names.
const (
	HeaderExtName      = "Lambda-Extension-Name"
	HeaderExtID        = "Lambda-Extension-Identifier"
	HeaderExtEventID   = "Lambda-Extension-Event-Identifier"
	HeaderExtErrorType = "Lambda-Extension-Function-Error-Type"
)

func apiError(w http.ResponseWriter, e *core.APIError) {
	rendering.Error(w, e.Status, e.ErrorResponse)
}

func badRequest(w http.ResponseWriter, msg string) {
	rendering.Error(w, http.StatusBadRequest, interop.ErrorResponse{ErrorType: "InvalidRequestFormat", ErrorMessage: msg})
}

func (h *Handlers) extRegister(w http.ResponseWriter, r *http.Request, _ Params) {
	name := r.Header.Get(HeaderExtName)
	if name == "" {
		apiError(w, &core.APIError{Status: http.StatusForbidden, ErrorResponse: interop.ErrorResponse{
			ErrorType: core.ErrInvalidExtensionName, ErrorMessage: "Empty extension name"}})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		badRequest(w, err.Error())
		return
	}
	var req struct {
		Events []string `json:"events"`
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			badRequest(w, "register body: "+err.Error())
			return
		}
	}
	id, aerr := h.SB.Register(name, req.Events)
	if aerr != nil {
		apiError(w, aerr)
		return
	}
	b, _ := json.Marshal(h.SB.Metadata())
	w.Header().Set(HeaderExtID, id)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func (h *Handlers) extNext(w http.ResponseWriter, r *http.Request, _ Params) {
	ev, err := h.SB.ExtNext(r.Context(), r.Header.Get(HeaderExtID))
	if err != nil {
		if aerr, ok := err.(*core.APIError); ok {
			apiError(w, aerr)
		} else if r.Context().Err() == nil {
			rendering.Status(w, http.StatusServiceUnavailable)
		}
		return
	}
	w.Header().Set(HeaderExtEventID, ev.ID)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(ev.Body)
}

func (h *Handlers) extError(w http.ResponseWriter, r *http.Request, init bool) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	t := r.Header.Get(HeaderExtErrorType)
	if t == "" || !headerToken.MatchString(t) {
		apiError(w, &core.APIError{Status: http.StatusForbidden, ErrorResponse: interop.ErrorResponse{
			ErrorType: core.ErrMissingHeader, ErrorMessage: HeaderExtErrorType + " not found"}})
		return
	}
	if aerr := h.SB.ExtError(r.Header.Get(HeaderExtID), t, init); aerr != nil {
		apiError(w, aerr)
		return
	}
	rendering.Accepted(w)
}

func (h *Handlers) extInitError(w http.ResponseWriter, r *http.Request, _ Params) {
	h.extError(w, r, true)
}

func (h *Handlers) extExitError(w http.ResponseWriter, r *http.Request, _ Params) {
	h.extError(w, r, false)
}

// subscribe handles PUT /2022-07-01/telemetry and PUT /2020-08-15/logs:
// {"destination":{"protocol":"HTTP","URI":"http://..."},"types":[...]}.
func (h *Handlers) subscribe(w http.ResponseWriter, r *http.Request, api string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		badRequest(w, err.Error())
		return
	}
	var req struct {
		Destination struct {
			Protocol string `json:"protocol"`
			URI      string `json:"URI"`
		} `json:"destination"`
		Types []string `json:"types"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		badRequest(w, "subscription body: "+err.Error())
		return
	}
	u, err := url.Parse(req.Destination.URI)
	if req.Destination.Protocol != "HTTP" || err != nil || u.Scheme != "http" || u.Host == "" {
		badRequest(w, `destination must be {"protocol":"HTTP","URI":"http://HOST:PORT/..."}`)
		return
	}
	id := r.Header.Get(HeaderExtID)
	if aerr := h.SB.Subscribe(id, core.Subscription{API: api, URI: req.Destination.URI, Types: req.Types}); aerr != nil {
		apiError(w, aerr)
		return
	}
	telemetry.Subscribe(req.Destination.URI, req.Types)
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("OK"))
}

func (h *Handlers) telemetrySubscribe(w http.ResponseWriter, r *http.Request, _ Params) {
	h.subscribe(w, r, "telemetry")
}

func (h *Handlers) logsSubscribe(w http.ResponseWriter, r *http.Request, _ Params) {
	h.subscribe(w, r, "logs")
}
