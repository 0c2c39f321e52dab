package js

import (
	"bytes"
	"context"
	"testing"
)

func TestJSConsoleFormat(t *testing.T) {
	e := newEnv(t)
	e.run(`
console.log('text', 42, -0, 1.5, true, null, undefined, 10n, Symbol('s'));
console.log({a: 1, 'b-c': 'x', d: [1, 'two', {e: {f: {g: 1}}}], h: {}, i: []});
console.log(new ArrayBuffer(16), new Uint8Array([1, 2]), new DataView(new ArrayBuffer(4), 1));
console.log(function named() {}, function () {}, new Map([['k', 1]]), new Set([1, 2]));
console.log(Promise.resolve('v'), Promise.reject(new Error('r')).catch(function () {}) && 'p', new Date(0));
console.log("it's", ['it\'s'], ['a\nb']);
var cyc = {name: 'cyc'}; cyc.self = cyc;
console.log(cyc);
console.log(Object.create(null), new (function Point() { this.x = 1; })());
console.log('%s is %d years and %i days, %f%%, %j %o', 'Bob', 42.5, 3.9, 0.5, {a: [1]}, [1], 'extra');
console.log({long: 'x'.repeat(40), longer: 'y'.repeat(40)});
console.info('info'); console.debug('debug'); console.dir({dir: 1});
console.log(uni.connectSocket({url: 'bad', fail: function () {}}));
console.log({get g() { return 1; }});
`, runOpts{}).ok(t, lines(
		"text 42 -0 1.5 true null undefined 10n Symbol(s)",
		"{ a: 1, 'b-c': 'x', d: [ 1, 'two', { e: [Object] } ], h: {}, i: [] }",
		"ArrayBuffer { byteLength: 16 } Uint8Array(2) [ 1, 2 ] DataView { byteLength: 3, byteOffset: 1 }",
		"[Function: named] [Function (anonymous)] Map(1) { 'k' => 1 } Set(2) { 1, 2 }",
		"Promise { 'v' } p 1970-01-01T00:00:00.000Z",
		`it's [ "it's" ] [ 'a\nb' ]`,
		"{ name: 'cyc', self: [Circular] }",
		"[Object: null prototype] {} Point { x: 1 }",
		`Bob is 42.5 years and 3 days, 0.5%, {"a":[1]} [ 1 ] extra`,
		"{",
		"  long: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',",
		"  longer: 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy'",
		"}",
		"info",
		"debug",
		"{ dir: 1 }",
		"SocketTask {}",
		"{ g: [Getter] }",
	))
}

// log, info, debug go to Stdout; warn, error, trace, assert to Stderr.
func TestJSConsoleStreams(t *testing.T) {
	var stdout, stderr bytes.Buffer
	rt := New(Options{Stdout: &stdout, Stderr: &stderr})
	err := rt.Run(context.Background(), "streams.js", `
console.log('out'); console.warn('warn'); console.error('err', {e: 1});
console.assert(true, 'not shown'); console.assert(false, 'shown', 1);
function f() { console.trace('here'); } f();
`)
	if err != nil {
		t.Fatal(err)
	}
	if stdout.String() != "out\n" {
		t.Errorf("stdout = %q", stdout.String())
	}
	want := "warn\nerr { e: 1 }\nAssertion failed: shown 1\nTrace: here\n    at f (streams.js:4:29)\n    at streams.js:4:42\n"
	if stderr.String() != want {
		t.Errorf("stderr =\n%s\nwant:\n%s", stderr.String(), want)
	}
}
