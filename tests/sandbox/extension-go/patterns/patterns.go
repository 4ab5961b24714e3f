// Package patterns compiles the redaction patterns of the configuration at
// package init, plus the built-in ones, and self-checks them.
package patterns

import (
	"fmt"
	"regexp"

	"example.com/ctext/config"
)

var builtin = []string{
	`(?i)bearer\s+[a-z0-9._~+/-]+=*`,
	`(?i)aws_secret_access_key\s*=\s*\S+`,
	`\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b`,
	`(?i)[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}`,
}

// Redactors are the compiled patterns; Err is set if one did not compile.
var (
	Redactors []*regexp.Regexp
	Err       error
)

var samples = []struct {
	in   string
	hits bool
}{
	{"Authorization: Basic dXNlcjpwYXNz", true},
	{"key AKIAABCDEFGHIJKLMNOP here", true},
	{"mail bob@example.com", true},
	{"nothing to see", false},
	{`{"password": "hunter2"}`, true},
}

func init() {
	for _, p := range append(append([]string(nil), config.C.Redact...), builtin...) {
		re, err := regexp.Compile(p)
		if err != nil {
			Err = fmt.Errorf("pattern %q: %v", p, err)
			return
		}
		Redactors = append(Redactors, re)
	}
	for round := 0; round < 40; round++ {
		for _, s := range samples {
			if hit := Redact(s.in) != s.in; hit != s.hits {
				panic(fmt.Sprintf("patterns: self-check failed on %q", s.in))
			}
		}
	}
}

// Redact replaces every match with "[redacted]".
func Redact(s string) string {
	for _, re := range Redactors {
		s = re.ReplaceAllString(s, "[redacted]")
	}
	return s
}
