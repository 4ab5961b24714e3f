// Package dotted lives in a directory whose name contains a dot
// (dotted.pkg), so Go escapes its path as example.com/initgraph/dotted%2epkg
// in symbol names and in GODEBUG=inittrace=1 output.
package dotted

import "strings"

// Words is built at init by a package-level initializer.
var Words = strings.Fields(strings.Repeat("alpha beta gamma delta ", 2000))

func init() {
	for i, w := range Words {
		Words[i] = strings.ToUpper(w)
	}
}
