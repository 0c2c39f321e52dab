package js

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// The pending sockets' URLs are listed grouped and capped, so that a
// script stopped with a thousand sockets pending says so in one short
// line rather than naming each.
const (
	pendingURLsShown = 5   // distinct URLs named; the rest are counted
	pendingURLMax    = 100 // bytes of a URL shown before "…"
)

// groupURLs lists urls once each, the most frequent first (then in order
// of first appearance), with a count after those that occur more than
// once: "ws://a/ (250), ws://b/ (50), ws://c/ and 7 more URLs".
func groupURLs(urls []string) string {
	count := map[string]int{}
	var order []string
	for _, u := range urls {
		if count[u] == 0 {
			order = append(order, u)
		}
		count[u]++
	}
	slices.SortStableFunc(order, func(a, b string) int { return count[b] - count[a] })
	var parts []string
	for _, u := range order[:min(len(order), pendingURLsShown)] {
		s := shortenURL(u)
		if n := count[u]; n > 1 {
			s += fmt.Sprintf(" (%d)", n)
		}
		parts = append(parts, s)
	}
	list := strings.Join(parts, ", ")
	if rest := len(order) - pendingURLsShown; rest > 0 {
		list += fmt.Sprintf(" and %s", plural(rest, "more URL", "more URLs"))
	}
	return list
}

// shortenURL cuts u after pendingURLMax bytes, at a character boundary.
func shortenURL(u string) string {
	if len(u) <= pendingURLMax {
		return u
	}
	cut := pendingURLMax
	for cut > 0 && !utf8.RuneStart(u[cut]) {
		cut--
	}
	return u[:cut] + "…"
}
