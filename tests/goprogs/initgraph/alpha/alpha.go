// Package alpha has two init functions and package-level variable
// initializers: it builds lookup tables. It depends on gamma.
package alpha

import (
	"example.com/initgraph/delta"
	"example.com/initgraph/gamma"
)

// CRCTable is built by a package-level initializer.
var CRCTable = buildCRC(0xedb88320)

// Squares is built by a package-level initializer.
var Squares = buildSquares(200000)

var (
	Table  map[uint64]uint32
	Counts [256]int
)

func buildCRC(poly uint32) *[256]uint32 {
	var t [256]uint32
	for i := range t {
		c := uint32(i)
		for k := 0; k < 8; k++ {
			if c&1 != 0 {
				c = poly ^ (c >> 1)
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return &t
}

func buildSquares(n int) []uint64 {
	s := make([]uint64, n)
	for i := range s {
		s[i] = uint64(i) * uint64(i)
	}
	return s
}

func init() {
	Table = make(map[uint64]uint32, 20000)
	for i := 0; i < 20000; i++ {
		Table[delta.Mix(uint64(i))] = uint32(i)
	}
}

func init() {
	for _, v := range gamma.Sorted {
		Counts[byte(v>>56)]++
	}
}

// Sum returns a checksum of the tables.
func Sum() uint64 {
	return uint64(CRCTable[7]) + Squares[len(Squares)-1] + uint64(len(Table)) + uint64(Counts[1])
}
