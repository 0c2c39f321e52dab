package js

import (
	"strings"
	"testing"
)

func TestGroupURLs(t *testing.T) {
	long := "ws://h/?qq=" + strings.Repeat("é", 60) // 131 bytes; byte 100 is inside an "é"
	for _, tc := range []struct {
		urls []string
		want string
	}{
		{[]string{"ws://a/"}, "ws://a/"},
		{[]string{"ws://a/", "ws://b/"}, "ws://a/, ws://b/"},
		{[]string{"ws://b/", "ws://a/", "ws://a/"}, "ws://a/ (2), ws://b/"},
		{[]string{"1", "2", "3", "4", "5", "6", "6"}, "6 (2), 1, 2, 3, 4 and 1 more URL"},
		{[]string{long}, long[:99] + "…"},
	} {
		if got := groupURLs(tc.urls); got != tc.want {
			t.Errorf("groupURLs(%q) = %q, want %q", tc.urls, got, tc.want)
		}
	}
}
