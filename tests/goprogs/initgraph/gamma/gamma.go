// Package gamma compiles regular expressions and sorts a table in init
// (a few hundred microseconds to a millisecond). It depends on delta.
package gamma

import (
	"os"
	"regexp"
	"sort"
	"time"

	"example.com/initgraph/delta"
)

var patterns = []string{
	`^go1\.[0-9]+(\.[0-9]+)?$`,
	`^(GET|POST|PUT|DELETE) /[a-z0-9/_-]*\?([a-z]+=[^&]*&?)*$`,
	`[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}`,
	`(?i)lambda-runtime-(aws-request-id|deadline-ms|invoked-function-arn)`,
	`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`,
}

// Regexps are compiled by a package-level initializer.
var Regexps = compileAll()

// Sorted is filled by init.
var Sorted []uint64

func compileAll() []*regexp.Regexp {
	out := make([]*regexp.Regexp, 0, len(patterns)*2)
	for i := 0; i < 2; i++ {
		for _, p := range patterns {
			out = append(out, regexp.MustCompile(p))
		}
	}
	return out
}

func init() {
	// For fault tests: INITGRAPH_SLEEP_IN_INIT=2s keeps this init running.
	if d, err := time.ParseDuration(os.Getenv("INITGRAPH_SLEEP_IN_INIT")); err == nil {
		time.Sleep(d)
	}
	Sorted = make([]uint64, 20000)
	x := uint64(delta.Seed)
	for i := range Sorted {
		x = delta.Mix(x + uint64(i))
		Sorted[i] = x
	}
	sort.Slice(Sorted, func(i, j int) bool { return Sorted[i] < Sorted[j] })
}

// Matches reports how many regexps match s.
func Matches(s string) int {
	n := 0
	for _, r := range Regexps {
		if r.MatchString(s) {
			n++
		}
	}
	return n
}
