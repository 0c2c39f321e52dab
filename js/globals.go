package js

import "errors"

// Set makes value the script's global variable name, for an embedder to
// give the script an object of its own (the load generator's `unisocket`
// helper). Call it before Run or RunFile. Go values convert as goja's
// Runtime.ToValue converts them: a Go function becomes a JavaScript
// function that runs on the event loop, as listeners do, and converts its
// arguments to the Go parameter types; a map or struct becomes an object
// whose properties read through to it.
func (r *Runtime) Set(name string, value any) error {
	if r.ran {
		return errors.New("js: Set after the script ran")
	}
	if name == "" {
		return errors.New("js: Set needs a global's name")
	}
	return r.vm.Set(name, value)
}
