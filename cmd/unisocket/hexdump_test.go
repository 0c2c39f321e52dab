package main

import "testing"

// The expected dumps are xxd's own output for the same bytes.
func TestConnectHexdumpMatchesXXD(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"", ""},
		{"Hello, world!\n", "00000000: 4865 6c6c 6f2c 2077 6f72 6c64 210a       Hello, world!.\n"},
		{"0123456789abcdef0", "00000000: 3031 3233 3435 3637 3839 6162 6364 6566  0123456789abcdef\n" +
			"00000010: 30                                       0\n"},
		{"\x00\x7f\x80\xff~ ", "00000000: 007f 80ff 7e20                           ....~ \n"},
	} {
		if got := connectHexdump([]byte(tc.in)); got != tc.want {
			t.Errorf("connectHexdump(%q) =\n%q\nwant\n%q", tc.in, got, tc.want)
		}
	}
}
