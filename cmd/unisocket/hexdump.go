package main

import (
	"fmt"
	"strings"
)

// connectHexdump formats b as xxd does: per 16 bytes, the offset, the bytes
// in groups of two, and the printable ASCII (others as '.').
//
//	00000000: 4865 6c6c 6f2c 2077 6f72 6c64 210a       Hello, world!.
func connectHexdump(b []byte) string {
	var sb strings.Builder
	for off := 0; off < len(b); off += 16 {
		line := b[off:min(off+16, len(b))]
		fmt.Fprintf(&sb, "%08x: ", off)
		for i := 0; i < 16; i++ {
			if i < len(line) {
				fmt.Fprintf(&sb, "%02x", line[i])
			} else {
				sb.WriteString("  ")
			}
			if i%2 == 1 {
				sb.WriteByte(' ')
			}
		}
		sb.WriteByte(' ')
		for _, c := range line {
			if c >= 0x20 && c < 0x7f {
				sb.WriteByte(c)
			} else {
				sb.WriteByte('.')
			}
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}
