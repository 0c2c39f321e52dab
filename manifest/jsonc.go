package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tailscale/hujson"
)

// manifest.json is JSON as HBuilderX writes it: JSON plus // and /* */
// comments and trailing commas, the dialect github.com/tailscale/hujson
// reads. This file turns hujson's tree into values that keep their offsets,
// so that a wrong type is reported at its line and column, and turns
// hujson's syntax errors into file:line:column messages in the user's
// terms.

// kind is a JSON value's type.
type kind int

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// value is one parsed JSON value, decoded once for the readers of the
// file's keys.
type value struct {
	kind    kind
	off     int // offset of the value's first byte
	boolean bool
	num     string // the number's literal text
	str     string
	elems   []*value
	members []member
}

// member is one key and value of an object, in file order.
type member struct {
	key    string
	keyOff int
	val    *value
}

// maxDepth is how deep arrays and objects may nest, as in encoding/json.
const maxDepth = 10000

// syntaxError is a problem at an offset; the caller adds file, line and
// column.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

// parseJSONC parses a whole document. The error is a *syntaxError.
func parseJSONC(src []byte) (*value, error) {
	start := 0
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		start = 3 // a UTF-8 byte order mark, as some Windows editors write; hujson refuses it
	}
	body := src[start:]
	if off, ok := tooDeep(body); !ok {
		return nil, &syntaxError{off: start + off, msg: fmt.Sprintf("arrays and objects nest more than %d deep", maxDepth)}
	}
	// hujson wants a line comment to end with a newline; a file may end
	// inside one. The newline added is whitespace, so it changes no value
	// or offset before it.
	root, err := hujson.Parse(append(body[:len(body):len(body)], '\n'))
	if err != nil {
		return nil, translate(body, start, err)
	}
	return convert(&root, start), nil
}

// tooDeep finds where arrays and objects first nest more than maxDepth
// deep. hujson recurses once per level without a limit, so a hostile file
// of a million '[' would grow the stack by hundreds of megabytes; this scan
// bounds that first.
func tooDeep(b []byte) (off int, ok bool) {
	depth := 0
	off = -1
	lex(b, func(i int) bool {
		switch b[i] {
		case '[', '{':
			if depth++; depth > maxDepth {
				off = i
				return false
			}
		case ']', '}':
			depth--
		}
		return true
	})
	return off, off < 0
}

// openString returns the offset of the string that is still open at the
// end of b, or -1.
func openString(b []byte) int {
	return lex(b, func(int) bool { return true })
}

// lex calls f with the offset of each byte outside strings and comments
// until f returns false, and returns the offset of a string left open at
// the end of b, or -1. It follows hujson's lexing, so up to hujson's first
// syntax error it sees the brackets hujson sees.
func lex(b []byte, f func(i int) bool) (open int) {
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '"':
			start := i
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if i >= len(b) {
				return start
			}
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '/':
			for i < len(b) && b[i] != '\n' {
				i++
			}
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '*':
			end := bytes.Index(b[i+2:], []byte("*/"))
			if end < 0 {
				return -1
			}
			i += 2 + end + 1
		default:
			if !f(i) {
				return -1
			}
		}
	}
	return -1
}

// convert turns hujson's value into a value; base is the offset of the
// text hujson parsed within the file.
func convert(v *hujson.Value, base int) *value {
	out := &value{off: base + v.StartOffset}
	switch t := v.Value.(type) {
	case *hujson.Object:
		out.kind = kindObject
		out.members = make([]member, len(t.Members))
		for i := range t.Members {
			m := &t.Members[i]
			out.members[i] = member{
				key:    m.Name.Value.(hujson.Literal).String(),
				keyOff: base + m.Name.StartOffset,
				val:    convert(&m.Value, base),
			}
		}
	case *hujson.Array:
		out.kind = kindArray
		out.elems = make([]*value, len(t.Elements))
		for i := range t.Elements {
			out.elems[i] = convert(&t.Elements[i], base)
		}
	case hujson.Literal:
		switch t.Kind() {
		case 'n':
			out.kind = kindNull
		case 't', 'f':
			out.kind, out.boolean = kindBool, t.Bool()
		case '"':
			out.kind, out.str = kindString, t.String()
		default:
			out.kind, out.num = kindNumber, string(t)
		}
	}
	return out
}

// translate turns a hujson syntax error into a *syntaxError at the same
// place. hujson reports "hujson: line L, column C: what", with C counted
// in bytes, and no typed error; the position is read back from that text
// and the message reworded.
func translate(b []byte, base int, err error) error {
	var line, col int
	msg := err.Error()
	if _, scanErr := fmt.Sscanf(msg, "hujson: line %d, column %d:", &line, &col); scanErr != nil {
		return &syntaxError{off: base, msg: msg}
	}
	_, what, _ := strings.Cut(msg, ": ")
	_, what, _ = strings.Cut(what, ": ")
	off := offsetOf(b, line, col)
	found := describeAt(b, off)
	eof := errors.Is(err, io.ErrUnexpectedEOF)
	switch {
	case eof && strings.HasPrefix(what, "parsing comment"):
		return &syntaxError{off: base + off, msg: "expected */ to end the comment that starts here, found the end of the file"}
	case eof && strings.HasPrefix(what, "parsing string"):
		if start := openString(b); start >= 0 {
			off = start
		}
		return &syntaxError{off: base + off, msg: "expected '\"' to end the string that starts here, found the end of the file"}
	case eof && strings.HasPrefix(what, "parsing object after name"):
		return &syntaxError{off: base + off, msg: "expected ':' after the key, found the end of the file"}
	case eof && strings.HasPrefix(what, "parsing object"):
		return &syntaxError{off: base + off, msg: "expected ',' or '}' in an object, found the end of the file"}
	case eof && strings.HasPrefix(what, "parsing array"):
		return &syntaxError{off: base + off, msg: "expected ',' or ']' in an array, found the end of the file"}
	case eof:
		return &syntaxError{off: base + off, msg: "expected a value, found the end of the file"}
	case strings.HasPrefix(what, "invalid literal: "):
		return literalError(b, base, off)
	case strings.HasSuffix(what, "after object value (expecting ',' or '}')"):
		return &syntaxError{off: base + off, msg: "expected ',' or '}' after a value in an object, found " + found}
	case strings.HasSuffix(what, "after array value (expecting ',' or ']')"):
		return &syntaxError{off: base + off, msg: "expected ',' or ']' after an array element, found " + found}
	case strings.HasSuffix(what, "after object name"):
		return &syntaxError{off: base + off, msg: "expected ':' after the key, found " + found}
	case strings.HasSuffix(what, "at start of object name"):
		return &syntaxError{off: base + off, msg: "expected a key in double quotes or '}', found " + found}
	case strings.HasSuffix(what, "after top-level value"):
		return &syntaxError{off: base + off, msg: "expected the end of the file after the top-level value, found " + found}
	case strings.HasSuffix(what, "at start of value"):
		if found == "'\\''" {
			return &syntaxError{off: base + off, msg: "expected a string in double quotes, found a single quote"}
		}
		return &syntaxError{off: base + off, msg: "expected a value (object, array, string, number, true, false or null), found " + found}
	}
	return &syntaxError{off: base + off, msg: what}
}

// literalError describes a literal hujson refused: a string with a bad
// escape or a raw control character, a number JSON does not allow, or a
// bare word.
func literalError(b []byte, base, off int) error {
	if off < len(b) && b[off] == '"' {
		end := off + 1
		for end < len(b) && b[end] != '"' {
			if b[end] == '\\' {
				end++
			}
			end++
		}
		var s string
		var se *json.SyntaxError
		if err := json.Unmarshal(b[off:min(end+1, len(b))], &s); errors.As(err, &se) {
			return &syntaxError{off: base + off + int(se.Offset) - 1, msg: "invalid string: " + se.Error()}
		}
		return &syntaxError{off: base + off, msg: "invalid string"}
	}
	word := wordAt(b, off)
	if word != "" && (word[0] == '-' || word[0] == '+' || word[0] == '.' || word[0] >= '0' && word[0] <= '9') {
		return &syntaxError{off: base + off, msg: fmt.Sprintf("expected a number, found %q (JSON numbers are decimal, without leading zeros)", word)}
	}
	return &syntaxError{off: base + off, msg: fmt.Sprintf("unexpected %q: keys and strings need double quotes, and the only bare words are true, false and null", word)}
}

// wordAt returns the run of bytes hujson reads as one literal at off.
func wordAt(b []byte, off int) string {
	end := off
	for end < len(b) && end-off < 40 {
		c := b[end]
		if !(c == '-' || c == '+' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			break
		}
		end++
	}
	return string(b[off:end])
}

// offsetOf is the byte offset of a 1-based line and byte column.
func offsetOf(b []byte, line, col int) int {
	off := 0
	for l := 1; l < line && off < len(b); off++ {
		if b[off] == '\n' {
			l++
		}
	}
	return min(off+col-1, len(b))
}

// describeAt describes the character at off, for messages.
func describeAt(b []byte, off int) string {
	if off >= len(b) {
		return "the end of the file"
	}
	r, _ := utf8.DecodeRune(b[off:])
	return strconv.QuoteRune(r)
}

// lineCol returns the 1-based line and column of off; columns count
// characters (runes), as editors show them, where hujson counts bytes.
func lineCol(src []byte, off int) (line, col int) {
	if off > len(src) {
		off = len(src)
	}
	line, col = 1, 1
	for i := 0; i < off; {
		if src[i] == '\n' {
			line++
			col = 1
			i++
			continue
		}
		_, size := utf8.DecodeRune(src[i:])
		i += size
		col++
	}
	return line, col
}

// describe names a value's type and, for scalars, its text, for messages.
func (v *value) describe() string {
	switch v.kind {
	case kindNull:
		return "null"
	case kindBool:
		return strconv.FormatBool(v.boolean)
	case kindNumber:
		return "the number " + v.num
	case kindString:
		s := v.str
		if len(s) > 40 {
			s = s[:40] + "…"
		}
		return "the string " + strconv.Quote(s)
	case kindArray:
		return "an array"
	}
	return "an object"
}
