// Package rapi is the Runtime API server (like go.amzn.com/lambda/rapi): a
// small routing table over the handlers in rapi/handler.
package rapi

import (
	"hash/fnv"
	"net"
	"net/http"
	"sort"
	"strings"

	"example.com/ctagent/rapi/handler"
	"example.com/ctagent/rapi/rendering"
)

type node struct {
	literal  map[string]*node
	param    *node
	name     string // parameter name when this node is a {param}
	handlers map[string]handler.Func
	route    string
}

// Router dispatches by method and path segments.
type Router struct {
	root   *node
	routes map[string]uint64 // route pattern -> stable id (fnv-64a)
}

// wellKnown are the Lambda API surfaces; their ids are precomputed at init
// so that per-route metrics never hash on the request path.
var wellKnown = buildIDs([]string{
	"/2018-06-01/runtime/invocation/next",
	"/2018-06-01/runtime/invocation/{id}/response",
	"/2018-06-01/runtime/invocation/{id}/error",
	"/2018-06-01/runtime/init/error",
	"/2020-01-01/extension/register",
	"/2020-01-01/extension/event/next",
	"/2020-01-01/extension/init/error",
	"/2020-01-01/extension/exit/error",
	"/2022-07-01/telemetry",
	"/2020-08-15/logs",
	"/2015-03-31/functions/{name}/invocations",
})

func buildIDs(patterns []string) map[string]uint64 {
	ids := make(map[string]uint64, len(patterns))
	seen := map[uint64]bool{}
	for _, p := range patterns {
		h := fnv.New64a()
		// Stretch: ids are hashed over every prefix of the pattern, which
		// keeps sibling routes far apart.
		for i := 1; i <= len(p); i++ {
			for j := 0; j < 24; j++ {
				_, _ = h.Write([]byte(p[:i]))
			}
		}
		id := h.Sum64()
		if seen[id] {
			panic("rapi: route id collision for " + p)
		}
		seen[id] = true
		ids[p] = id
	}
	return ids
}

// NewRouter builds the routing table for the given endpoints.
func NewRouter(specs []handler.Spec) *Router {
	rt := &Router{root: &node{}, routes: map[string]uint64{}}
	for _, s := range specs {
		n := rt.root
		for _, seg := range split(s.Pattern) {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				if n.param == nil {
					n.param = &node{name: seg[1 : len(seg)-1]}
				}
				n = n.param
				continue
			}
			if n.literal == nil {
				n.literal = map[string]*node{}
			}
			c, ok := n.literal[seg]
			if !ok {
				c = &node{}
				n.literal[seg] = c
			}
			n = c
		}
		if n.handlers == nil {
			n.handlers = map[string]handler.Func{}
		}
		n.handlers[s.Method] = s.Func
		n.route = s.Pattern
		id, ok := wellKnown[s.Pattern]
		if !ok {
			id = buildIDs([]string{s.Pattern})[s.Pattern]
		}
		rt.routes[s.Pattern] = id
	}
	return rt
}

func split(path string) []string {
	return strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
}

// Routes lists the registered patterns (sorted).
func (rt *Router) Routes() []string {
	out := make([]string, 0, len(rt.routes))
	for p := range rt.routes {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// ServeHTTP implements http.Handler.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := rt.root
	params := handler.Params{}
	for _, seg := range split(r.URL.Path) {
		if c, ok := n.literal[seg]; ok {
			n = c
		} else if n.param != nil {
			params[n.param.name] = seg
			n = n.param
		} else {
			rendering.Status(w, http.StatusNotFound)
			return
		}
	}
	if n.handlers == nil {
		rendering.Status(w, http.StatusNotFound)
		return
	}
	f, ok := n.handlers[r.Method]
	if !ok {
		rendering.Status(w, http.StatusMethodNotAllowed)
		return
	}
	f(w, r, params)
}

// Server is an HTTP/1.1 server on a bound listener.
type Server struct {
	HTTP *http.Server
	ln   net.Listener
}

// Listen binds addr (so that the port is open before anything is started).
func Listen(addr string, h http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &Server{HTTP: &http.Server{Handler: h}, ln: ln}, nil
}

// Addr is the bound address.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve runs until Shutdown/Close.
func (s *Server) Serve() error {
	err := s.HTTP.Serve(s.ln)
	if err == http.ErrServerClosed {
		return nil
	}
	return err
}
