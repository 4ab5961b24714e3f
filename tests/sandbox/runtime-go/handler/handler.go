// Package handler is the demo function: it greets, echoes the event and
// upper-cases its string fields.
package handler

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode"
)

// greetings by language tag; the table and its lookup index are built at init.
var greetings = map[string]string{
	"en": "hello", "fr": "bonjour", "de": "hallo", "es": "hola", "it": "ciao",
	"pt": "olá", "nl": "hallo", "sv": "hej", "fi": "hei", "pl": "cześć",
	"tr": "merhaba", "el": "γειά", "ru": "привет", "ja": "こんにちは", "zh": "你好",
}

var langRE = regexp.MustCompile(`^([a-z]{2})(?:[-_][A-Za-z]{2})?$`)

// upperTable caches unicode.ToUpper for the Basic Multilingual Plane.
var upperTable = func() []rune {
	t := make([]rune, 0x10000)
	for r := range t {
		t[r] = unicode.ToUpper(rune(r))
	}
	return t
}()

func upper(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < rune(len(upperTable)) {
			r = upperTable[r]
		}
		b.WriteRune(r)
	}
	return b.String()
}

func upperAll(v interface{}) interface{} {
	switch x := v.(type) {
	case string:
		return upper(x)
	case []interface{}:
		for i := range x {
			x[i] = upperAll(x[i])
		}
		return x
	case map[string]interface{}:
		for k := range x {
			x[k] = upperAll(x[k])
		}
		return x
	}
	return v
}

// Response is what the function returns.
type Response struct {
	Greeting  string          `json:"greeting"`
	Event     json.RawMessage `json:"event"`
	Uppercase interface{}     `json:"uppercase"`
	RequestID string          `json:"requestId"`
}

// Handle runs the function on one event.
func Handle(requestID string, event []byte) ([]byte, error) {
	var v interface{}
	if err := json.Unmarshal(event, &v); err != nil {
		return nil, err
	}
	lang := "en"
	if m, ok := v.(map[string]interface{}); ok {
		if l, ok := m["lang"].(string); ok {
			if sub := langRE.FindStringSubmatch(l); sub != nil {
				if _, ok := greetings[sub[1]]; ok {
					lang = sub[1]
				}
			}
		}
	}
	return json.Marshal(Response{
		Greeting:  greetings[lang] + " from go",
		Event:     json.RawMessage(event),
		Uppercase: upperAll(v),
		RequestID: requestID,
	})
}
