package uni

import (
	"maps"
	"slices"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// The checks below are the ones connectSocket applies to its options,
// exported so that a caller (the command line) can refuse bad input before
// connecting, with the same rule and without a copy of it.

// ValidToken reports whether s is an RFC 9110 token: what a subprotocol
// name must be.
func ValidToken(s string) bool { return ValidHeaderName(s) }

// ValidHeaderName reports whether s can be the name of a header option's
// field.
func ValidHeaderName(s string) bool { return httpguts.ValidHeaderFieldName(s) }

// ValidMethod reports whether connectSocket sends method m as given (in
// any case). uni-app sends GET for a method outside its list, silently.
func ValidMethod(m string) bool { return httpMethods[strings.ToUpper(m)] }

// Methods lists, sorted, the methods connectSocket sends as given.
func Methods() []string { return slices.Sorted(maps.Keys(httpMethods)) }

// CheckProtocols applies connectSocket's rules to a protocols option: each
// subprotocol a non-empty HTTP token, none listed twice. The error names
// the first that breaks them.
func CheckProtocols(ps []string) error { return checkProtocols(ps) }
