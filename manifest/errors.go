package manifest

import (
	"fmt"
	"strings"
)

// Error is a problem in a file: bad syntax, a value of the wrong type or
// out of range. Its text is "file:line:column: what was expected".
type Error struct {
	File string
	// Line and Column are 1-based; Column counts characters.
	Line, Column int
	Msg          string
}

// Error returns the message, with the position or cause it carries.
func (e *Error) Error() string { return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg) }

// Warning is something in a file that is read but probably not meant, such
// as an unknown key. Warnings are returned, never printed.
type Warning struct {
	File string
	// Line and Column are 1-based; Column counts characters. Both are 0
	// for a warning about the files as a whole.
	Line, Column int
	Msg          string
}

// String is "file:line:column: message".
func (w Warning) String() string {
	if w.Line == 0 {
		return fmt.Sprintf("%s: %s", w.File, w.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", w.File, w.Line, w.Column, w.Msg)
}

// doc is a parsed file, for reporting at positions.
type doc struct {
	file     string
	src      []byte
	root     *value
	warnings []Warning
}

// parseDoc parses src as JSON with comments; the error is an *Error.
func parseDoc(file string, src []byte) (*doc, error) {
	d := &doc{file: file, src: src}
	root, err := parseJSONC(src)
	if err != nil {
		se := err.(*syntaxError)
		return nil, d.errAt(se.off, "%s", se.msg)
	}
	d.root = root
	return d, nil
}

func (d *doc) errAt(off int, format string, args ...any) *Error {
	line, col := lineCol(d.src, off)
	return &Error{File: d.file, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

func (d *doc) warnAt(off int, format string, args ...any) {
	line, col := lineCol(d.src, off)
	d.warnings = append(d.warnings, Warning{File: d.file, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)})
}

// expect fails unless v has kind k; what names the expected value.
func (d *doc) expect(v *value, k kind, key, what string) error {
	if v.kind == k {
		return nil
	}
	return d.errAt(v.off, "expected %s for %q, found %s", what, key, v.describe())
}

// object walks an object's members, warning about keys that are not
// known; each known key's value goes to its handler. Of duplicate keys
// the last wins, with a warning, as JSON readers keep the last.
func (d *doc) object(v *value, where string, handlers map[string]func(*value) error) error {
	seen := map[string]int{}
	for _, m := range v.members {
		if prev, dup := seen[m.key]; dup {
			line, col := lineCol(d.src, prev)
			d.warnAt(m.keyOff, "duplicate key %q in %s (also at %d:%d); the last one counts", m.key, where, line, col)
		}
		seen[m.key] = m.keyOff
		h, ok := handlers[m.key]
		if !ok {
			if s := suggest(m.key, handlers); s != "" {
				d.warnAt(m.keyOff, "unknown key %q in %s is ignored (did you mean %q?)", m.key, where, s)
			} else {
				d.warnAt(m.keyOff, "unknown key %q in %s is ignored", m.key, where)
			}
			continue
		}
		if h == nil {
			continue // known and deliberately not read
		}
		if err := h(m.val); err != nil {
			return err
		}
	}
	return nil
}

// suggest returns the known key closest to key, if it is close enough to
// be a typo.
func suggest(key string, known map[string]func(*value) error) string {
	best, bestDist := "", 3
	for k := range known {
		if d := distance(strings.ToLower(key), strings.ToLower(k)); d < bestDist || (d == bestDist && k < best && best != "") {
			best, bestDist = k, d
		}
	}
	if bestDist > 2 {
		return ""
	}
	return best
}

// distance is the Levenshtein distance between a and b, in bytes. It is
// written here rather than imported: the dozen lines are smaller than a
// dependency, and it only ranks the keys of a short table.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
