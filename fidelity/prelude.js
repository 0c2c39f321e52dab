// prelude.js is loaded before every scenario, in Chromium and in
// `unisocket run` alike; the harness puts `var SERVER = "ws://127.0.0.1:PORT";`
// and `var REFUSED = "ws://127.0.0.1:PORT";` (a port nobody listens on)
// before it. It prints values one way in both worlds, so that the only
// differences left in the output are differences of behaviour.

// show formats a value: strings quoted, binary as hex, plain objects and
// arrays with their keys in their own order, anything else by its
// constructor's name.
function show(v, depth) {
  depth = depth || 0;
  if (v === null) return 'null';
  var t = typeof v;
  if (t === 'undefined' || t === 'number' || t === 'boolean') return String(v);
  if (t === 'string') return JSON.stringify(v);
  if (t === 'function') return 'function';
  if (t === 'symbol' || t === 'bigint') return t;
  if (v instanceof ArrayBuffer) return 'ArrayBuffer(' + hex(new Uint8Array(v)) + ')';
  if (ArrayBuffer.isView(v)) {
    return v.constructor.name + '(' + hex(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) + ')';
  }
  if (v instanceof Error) return v.name + '(' + JSON.stringify(v.message) + ')';
  if (typeof Promise !== 'undefined' && v instanceof Promise) return 'Promise';
  if (depth > 3) return '…';
  if (Array.isArray(v)) {
    return '[' + v.map(function (x) { return show(x, depth + 1); }).join(', ') + ']';
  }
  var proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    return '<' + ((v.constructor && v.constructor.name) || 'object') + '>';
  }
  return '{' + Object.keys(v).map(function (k) { return k + ': ' + show(v[k], depth + 1); }).join(', ') + '}';
}

function hex(bytes) {
  var s = [];
  for (var i = 0; i < bytes.length; i++) s.push((bytes[i] < 16 ? '0' : '') + bytes[i].toString(16));
  return s.join(' ');
}

// log prints its arguments on one line: strings as they are, other values
// through show.
function log() {
  var parts = [];
  for (var i = 0; i < arguments.length; i++) {
    parts.push(typeof arguments[i] === 'string' ? arguments[i] : show(arguments[i]));
  }
  console.log(parts.join(' '));
}

// cbs returns success, fail and complete callbacks that log under name.
function cbs(name) {
  return {
    success: function (res) { log(name + ' success', res); },
    fail: function (res) { log(name + ' fail', res); },
    complete: function (res) { log(name + ' complete', res); },
  };
}

// withCbs returns options extended with cbs(name).
function withCbs(name, options) {
  var o = {};
  var k;
  for (k in options) o[k] = options[k];
  var c = cbs(name);
  for (k in c) o[k] = c[k];
  return o;
}

// listen logs every event of a task, under prefix.
function listen(task, prefix) {
  task.onOpen(function (res) { log(prefix + ' open', res); });
  task.onMessage(function (res) { log(prefix + ' message', res); });
  task.onError(function (res) { log(prefix + ' error', res); });
  task.onClose(function (res) { log(prefix + ' close', res); });
}

// listenGlobal logs every event of the global listeners.
function listenGlobal() {
  uni.onSocketOpen(function (res) { log('global open', res); });
  uni.onSocketMessage(function (res) { log('global message', res); });
  uni.onSocketError(function (res) { log('global error', res); });
  uni.onSocketClose(function (res) { log('global close', res); });
}

// later runs fn after ms milliseconds.
function later(ms, fn) {
  setTimeout(fn, ms);
}

// end marks the scenario finished; the browser side stops waiting here.
// Only the first call counts, so a scenario may call it from a fallback
// timer too.
var ended = false;
function end() {
  if (ended) return;
  ended = true;
  console.log('-- end');
}
