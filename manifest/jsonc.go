package manifest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// The reader for the JSON dialect HBuilderX writes manifest.json in: JSON
// plus // and /* */ comments and trailing commas in objects and arrays. It
// keeps the offset of every value and key so that a wrong type can be
// reported at its line and column. Anything else JSON5 allows (single
// quotes, unquoted keys, hex numbers) is an error that says what was
// expected.

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

// value is one parsed JSON value.
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

// parser reads one document.
type parser struct {
	src   []byte
	pos   int
	depth int
}

// parseJSONC parses a whole document. The error is a *syntaxError.
func parseJSONC(src []byte) (*value, error) {
	p := &parser{src: src}
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		p.pos = 3 // a UTF-8 byte order mark, as some Windows editors write
	}
	if err := p.skip(); err != nil {
		return nil, err
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if err := p.skip(); err != nil {
		return nil, err
	}
	if p.pos < len(p.src) {
		return nil, p.errorf(p.pos, "expected the end of the file after the top-level value, found %s", p.found())
	}
	return v, nil
}

// syntaxError is a problem at an offset; the caller adds file, line and
// column.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

func (p *parser) errorf(off int, format string, args ...any) error {
	return &syntaxError{off: off, msg: fmt.Sprintf(format, args...)}
}

// found describes what is at the current position.
func (p *parser) found() string {
	if p.pos >= len(p.src) {
		return "the end of the file"
	}
	r, _ := utf8.DecodeRune(p.src[p.pos:])
	return strconv.QuoteRune(r)
}

// skip passes whitespace and comments.
func (p *parser) skip() error {
	for p.pos < len(p.src) {
		switch c := p.src[p.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.pos++
		case c == '/' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '/':
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
		case c == '/' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '*':
			start := p.pos
			p.pos += 2
			for {
				if p.pos+1 >= len(p.src) {
					return p.errorf(start, "expected */ to end the comment that starts here, found the end of the file")
				}
				if p.src[p.pos] == '*' && p.src[p.pos+1] == '/' {
					p.pos += 2
					break
				}
				p.pos++
			}
		default:
			return nil
		}
	}
	return nil
}

func (p *parser) value() (*value, error) {
	if p.pos >= len(p.src) {
		return nil, p.errorf(p.pos, "expected a value, found the end of the file")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		off := p.pos
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return &value{kind: kindString, off: off, str: s}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == '\'':
		return nil, p.errorf(p.pos, "expected a string in double quotes, found a single quote")
	case isWordByte(c):
		return p.word()
	}
	return nil, p.errorf(p.pos, "expected a value (object, array, string, number, true, false or null), found %s", p.found())
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$'
}

// word reads true, false or null.
func (p *parser) word() (*value, error) {
	off := p.pos
	end := p.pos
	for end < len(p.src) && isWordByte(p.src[end]) {
		end++
	}
	w := string(p.src[off:end])
	p.pos = end
	switch w {
	case "true", "false":
		return &value{kind: kindBool, off: off, boolean: w == "true"}, nil
	case "null":
		return &value{kind: kindNull, off: off}, nil
	}
	return nil, p.errorf(off, "expected a value (object, array, string, number, true, false or null), found %q: strings need double quotes", w)
}

// number reads a JSON number.
func (p *parser) number() (*value, error) {
	off := p.pos
	i := p.pos
	digits := func() int {
		n := 0
		for i < len(p.src) && p.src[i] >= '0' && p.src[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if p.src[i] == '-' {
		i++
	}
	switch {
	case i < len(p.src) && p.src[i] == '0':
		i++
	case digits() == 0:
		return nil, p.errorf(off, "expected a digit after '-' in a number")
	}
	if i < len(p.src) && p.src[i] == '.' {
		i++
		if digits() == 0 {
			return nil, p.errorf(off, "expected digits after the decimal point in a number")
		}
	}
	if i < len(p.src) && (p.src[i] == 'e' || p.src[i] == 'E') {
		i++
		if i < len(p.src) && (p.src[i] == '+' || p.src[i] == '-') {
			i++
		}
		if digits() == 0 {
			return nil, p.errorf(off, "expected digits in the exponent of a number")
		}
	}
	if i < len(p.src) && (isWordByte(p.src[i]) || p.src[i] == '.') {
		return nil, p.errorf(off, "expected a number, found %q (JSON numbers are decimal, without leading zeros)", wordAt(p.src, off))
	}
	p.pos = i
	return &value{kind: kindNumber, off: off, num: string(p.src[off:i])}, nil
}

// wordAt returns the run of number-like bytes at off, for messages.
func wordAt(src []byte, off int) string {
	end := off
	for end < len(src) && (isWordByte(src[end]) || src[end] == '.' || src[end] == '-' || src[end] == '+') && end-off < 40 {
		end++
	}
	return string(src[off:end])
}

// str reads a string at p.pos, which holds '"'.
func (p *parser) str() (string, error) {
	start := p.pos
	i := p.pos + 1
	for {
		if i >= len(p.src) {
			return "", p.errorf(start, "expected '\"' to end the string that starts here, found the end of the file")
		}
		c := p.src[i]
		switch {
		case c == '"':
			raw := p.src[start : i+1]
			p.pos = i + 1
			var s string
			// The escapes were checked below; encoding/json decodes them
			// (and replaces invalid UTF-8) exactly as JSON readers do.
			if err := json.Unmarshal(raw, &s); err != nil {
				return "", p.errorf(start, "invalid string: %v", err)
			}
			return s, nil
		case c == '\\':
			if i+1 >= len(p.src) {
				return "", p.errorf(start, "expected '\"' to end the string that starts here, found the end of the file")
			}
			switch p.src[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := 2; k < 6; k++ {
					if i+k >= len(p.src) || !isHex(p.src[i+k]) {
						return "", p.errorf(i, "expected four hex digits after \\u in a string")
					}
				}
				i += 6
			default:
				r, _ := utf8.DecodeRune(p.src[i+1:])
				return "", p.errorf(i, "expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX), found \\%c", r)
			}
		case c < 0x20:
			if c == '\n' {
				return "", p.errorf(start, "expected '\"' to end the string that starts here before the end of the line")
			}
			return "", p.errorf(i, "expected no control character in a string, found %q (escape it)", rune(c))
		default:
			i++
		}
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf(p.pos, "arrays and objects nest more than %d deep", maxDepth)
	}
	return nil
}

func (p *parser) object() (*value, error) {
	v := &value{kind: kindObject, off: p.pos}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.pos++ // {
	for {
		if err := p.skip(); err != nil {
			return nil, err
		}
		if p.pos < len(p.src) && p.src[p.pos] == '}' {
			p.pos++
			return v, nil
		}
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			what := "expected a key in double quotes or '}'"
			if len(v.members) == 0 {
				what = "expected a key in double quotes or '}' to end the object"
			}
			return nil, p.errorf(p.pos, "%s, found %s", what, p.found())
		}
		keyOff := p.pos
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if err := p.skip(); err != nil {
			return nil, err
		}
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, p.errorf(p.pos, "expected ':' after the key %q, found %s", key, p.found())
		}
		p.pos++
		if err := p.skip(); err != nil {
			return nil, err
		}
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		v.members = append(v.members, member{key: key, keyOff: keyOff, val: val})
		if err := p.skip(); err != nil {
			return nil, err
		}
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			continue // a '}' may follow: trailing commas are allowed
		}
		if p.pos < len(p.src) && p.src[p.pos] == '}' {
			p.pos++
			return v, nil
		}
		return nil, p.errorf(p.pos, "expected ',' or '}' after the value of %q, found %s", key, p.found())
	}
}

func (p *parser) array() (*value, error) {
	v := &value{kind: kindArray, off: p.pos}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.pos++ // [
	for {
		if err := p.skip(); err != nil {
			return nil, err
		}
		if p.pos < len(p.src) && p.src[p.pos] == ']' {
			p.pos++
			return v, nil
		}
		el, err := p.value()
		if err != nil {
			return nil, err
		}
		v.elems = append(v.elems, el)
		if err := p.skip(); err != nil {
			return nil, err
		}
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos < len(p.src) && p.src[p.pos] == ']' {
			p.pos++
			return v, nil
		}
		return nil, p.errorf(p.pos, "expected ',' or ']' after an array element, found %s", p.found())
	}
}

// lineCol returns the 1-based line and column of off; columns count
// characters (runes), as editors show them.
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

// toAny converts v to what encoding/json's Unmarshal into an any gives
// (numbers as float64; the last of duplicate keys wins). ok is false if a
// number does not fit a float64.
func (v *value) toAny() (out any, ok bool) {
	switch v.kind {
	case kindNull:
		return nil, true
	case kindBool:
		return v.boolean, true
	case kindNumber:
		f, err := strconv.ParseFloat(v.num, 64)
		return f, err == nil
	case kindString:
		return v.str, true
	case kindArray:
		a := make([]any, len(v.elems))
		for i, e := range v.elems {
			x, ok := e.toAny()
			if !ok {
				return nil, false
			}
			a[i] = x
		}
		return a, true
	}
	m := make(map[string]any, len(v.members))
	for _, mb := range v.members {
		x, ok := mb.val.toAny()
		if !ok {
			return nil, false
		}
		m[mb.key] = x
	}
	return m, true
}
