package js

import (
	"sort"
	"strings"

	"github.com/dop251/goja"

	"github.com/unisocket/unisocket/platform"
	"github.com/unisocket/unisocket/uni"
)

// event is one of a socket's four events.
type event int

const (
	evOpen event = iota
	evClose
	evError
	evMessage
)

var eventNames = [...]string{"Open", "Close", "Error", "Message"}

// taskRec is the loop's record of one socket: its JavaScript object, its
// readyState as JavaScript has seen it, and its JavaScript listeners. Only
// the loop goroutine touches it.
type taskRec struct {
	t        *uni.SocketTask
	obj      *goja.Object
	state    uni.ReadyState
	opened   bool // the open event reached JavaScript
	early    bool // closed while JavaScript saw it CONNECTING: the handshake was abandoned
	live     bool // the loop waits for this socket's end
	handlers [4][]*goja.Object
}

// newTaskRec makes the JavaScript object for t. A live task is one that
// connects: the loop waits for it, and its events are hooked at once; the
// others (connectSocket failed) are CLOSED for good.
func (r *Runtime) newTaskRec(t *uni.SocketTask, live bool) *taskRec {
	rec := &taskRec{t: t, state: uni.StateClosed, live: live}
	obj := r.vm.NewObject()
	_ = obj.SetPrototype(r.taskPrototype())
	_ = obj.DefineDataPropertySymbol(r.taskKey, r.vm.ToValue(rec), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	rec.obj = obj
	if !live {
		return rec
	}
	rec.state = uni.StateConnecting
	r.recs[t] = rec
	r.registry = append(r.registry, rec)
	// Events reach the loop in the dispatcher's order; the conversion to
	// JavaScript values happens on the loop, and only when a listener is
	// there to receive them.
	t.OnOpen(func(res uni.OnOpenResult) {
		r.loop.post(func() { r.taskEvent(rec, evOpen, func() goja.Value { return r.openPayload(res) }) })
	})
	t.OnError(func(res uni.OnErrorResult) {
		r.loop.post(func() { r.taskEvent(rec, evError, func() goja.Value { return r.errorPayload(rec, res) }) })
	})
	t.OnClose(func(res uni.OnCloseResult) {
		r.loop.post(func() { r.taskEvent(rec, evClose, func() goja.Value { return r.closePayload(res) }) })
	})
	t.OnMessage(func(res uni.OnMessageResult) {
		r.loop.post(func() { r.taskEvent(rec, evMessage, func() goja.Value { return r.messagePayload(res) }) })
	})
	return rec
}

// apply moves the readyState JavaScript sees, as the event reaching it
// does in a browser.
func (rec *taskRec) apply(ev event) {
	switch ev {
	case evOpen:
		rec.opened = true
		if rec.state == uni.StateConnecting {
			rec.state = uni.StateOpen
		}
	case evError, evClose:
		rec.state = uni.StateClosed
	}
}

// taskEvent delivers an event to JavaScript: to the task's listeners, in
// the order they were added, and, when the task is the global target, to
// the global listeners, before or after them as the profile says. Each
// throw is reported as uni-app H5 reports it. One job per event keeps all
// its listeners in one turn, as in a browser.
func (r *Runtime) taskEvent(rec *taskRec, ev event, makePayload func() goja.Value) {
	if ev == evOpen && rec.state != uni.StateConnecting {
		// The script closed the socket before it saw it open: a browser
		// never fires open after that, whatever the network did.
		return
	}
	rec.apply(ev)
	target := r.globalTarget() == rec
	// One payload object for every listener, as uni-app H5 passes it;
	// made only if some listener is there to receive it.
	var payload goja.Value
	get := func() goja.Value {
		if payload == nil {
			payload = makePayload()
		}
		return payload
	}
	own := func() {
		where := "socketTask.on" + eventNames[ev] + " callback function"
		for _, fn := range append([]*goja.Object(nil), rec.handlers[ev]...) {
			f, _ := goja.AssertFunction(fn)
			r.invoke(f, goja.Undefined(), listener, where, get())
		}
	}
	global := func() {
		if !target {
			return
		}
		for _, l := range append([]globalListener(nil), r.globalSubs[ev]...) {
			f, _ := goja.AssertFunction(l.fn)
			r.invoke(f, goja.Undefined(), listener, l.where, get())
		}
	}
	if r.profile.ListenerOrder == platform.GlobalFirst {
		global()
		own()
	} else {
		own()
		global()
	}
	if ev == evError || ev == evClose {
		r.unregister(rec) // a task leaves the registry at its first error or close
	}
	// The socket is over for JavaScript once its close arrived, or its
	// error on profiles that report a failed handshake with the error
	// alone.
	if ev == evClose || (ev == evError && !rec.opened && r.profile.HandshakeFailure == platform.ErrorOnly) {
		r.finish(rec)
	}
}

// finish stops waiting for a socket.
func (r *Runtime) finish(rec *taskRec) {
	if !rec.live {
		return
	}
	rec.live = false
	delete(r.recs, rec.t)
	r.ending = append(r.ending, rec.t)
	if len(r.ending) > 64 {
		r.pruneEnding()
	}
}

// Payloads, built on the loop. Field names are those of @dcloudio/types
// (OnSocketOpenCallbackResult, OnSocketCloseCallbackResult, ...).

func (r *Runtime) openPayload(res uni.OnOpenResult) goja.Value {
	obj := r.vm.NewObject()
	if r.profile.OpenHeader {
		h := r.vm.NewObject()
		names := make([]string, 0, len(res.Header))
		for k := range res.Header {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			_ = h.Set(k, strings.Join(res.Header[k], ", "))
		}
		_ = obj.Set("header", h)
	}
	return obj
}

func (r *Runtime) closePayload(res uni.OnCloseResult) goja.Value {
	obj := r.vm.NewObject()
	_ = obj.Set("code", res.Code)
	_ = obj.Set("reason", res.Reason)
	return obj
}

func (r *Runtime) errorPayload(rec *taskRec, res uni.OnErrorResult) goja.Value {
	obj := r.vm.NewObject()
	if r.profile.ErrorMessage {
		msg := res.ErrMsg
		if rec.early {
			// Abandoned while the script saw it connecting, even if the
			// handshake had just completed underneath.
			msg = uni.CauseClosedEarly
		}
		_ = obj.Set("errMsg", msg)
	}
	return obj
}

// messagePayload is {data}: a string, or an ArrayBuffer for a binary
// message (over the message's own bytes, not copied).
func (r *Runtime) messagePayload(res uni.OnMessageResult) goja.Value {
	obj := r.vm.NewObject()
	switch d := res.Data.(type) {
	case string:
		_ = obj.Set("data", d)
	case []byte:
		_ = obj.Set("data", r.newArrayBuffer(d))
	default:
		_ = obj.Set("data", goja.Undefined())
	}
	return obj
}

// taskPrototype is SocketTask.prototype: the methods, the readyState
// getter and the state constants, shared by every task object.
func (r *Runtime) taskPrototype() *goja.Object {
	if r.taskProto != nil {
		return r.taskProto
	}
	vm := r.vm
	proto := vm.NewObject()
	method := func(name string, fn func(*taskRec, goja.FunctionCall) goja.Value) {
		_ = proto.DefineDataProperty(name, vm.ToValue(func(call goja.FunctionCall) goja.Value {
			return fn(r.recOf(call.This), call)
		}), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	method("send", r.taskSend)
	method("close", r.taskClose)
	for ev := evOpen; ev <= evMessage; ev++ {
		method("on"+eventNames[ev], func(rec *taskRec, call goja.FunctionCall) goja.Value {
			fn := r.callbackArg(call.Argument(0))
			rec.handlers[ev] = append(rec.handlers[ev], fn)
			return goja.Undefined()
		})
	}
	_ = proto.DefineAccessorProperty("readyState", vm.ToValue(func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(int(r.recOf(call.This).state))
	}), nil, goja.FLAG_TRUE, goja.FLAG_FALSE)
	for s := uni.StateConnecting; s <= uni.StateClosed; s++ {
		_ = proto.DefineDataProperty(s.String(), vm.ToValue(int(s)), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	// A constructor, so console.log names the class; uni-app offers no
	// way to construct a task but connectSocket.
	ctor, _ := vm.RunScript("unisocket:SocketTask", `(function SocketTask() { throw new TypeError('Illegal constructor: use uni.connectSocket'); })`)
	ctorObj := ctor.ToObject(vm)
	_ = ctorObj.DefineDataProperty("prototype", proto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	_ = proto.DefineDataProperty("constructor", ctorObj, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	r.taskProto = proto
	return proto
}

// recOf finds the record behind a task object, throwing a TypeError for
// anything else (a method called on the wrong object).
func (r *Runtime) recOf(this goja.Value) *taskRec {
	if obj, ok := this.(*goja.Object); ok {
		if v := obj.GetSymbol(r.taskKey); v != nil {
			if rec, ok := v.Export().(*taskRec); ok {
				return rec
			}
		}
	}
	panic(r.typeError("Illegal invocation: not a SocketTask"))
}

// callbackArg checks a listener argument as uni-app Vue 3's checkCallback
// does, throwing its Error for anything but a function.
func (r *Runtime) callbackArg(v goja.Value) *goja.Object {
	if obj, ok := v.(*goja.Object); ok {
		if _, ok := goja.AssertFunction(obj); ok {
			return obj
		}
	}
	panic(r.newError(`Invalid args: type check failed for args "callback". Expected Function`))
}

// taskSend is SocketTask.send.
func (r *Runtime) taskSend(rec *taskRec, call goja.FunctionCall) goja.Value {
	opts := objectArg(call.Argument(0))
	complete, _ := r.asyncCall("sendSocketMessage", opts, false)
	data, cause := r.sendData(opts)
	if cause != "" {
		r.failLater(complete, "sendSocketMessage", cause)
		return goja.Undefined()
	}
	target := rec.t
	if rec.state == uni.StateConnecting {
		// JavaScript has not seen the open event, so the socket is not
		// open for it, even if the handshake just completed. Fail as
		// package uni fails a send on a socket that is not open: by
		// asking it to send on one that never will be.
		target = r.closedTask()
	}
	target.Send(uni.SendSocketMessageOptions{Data: data, Complete: complete})
	return goja.Undefined()
}

// taskClose is SocketTask.close.
func (r *Runtime) taskClose(rec *taskRec, call goja.FunctionCall) goja.Value {
	opts := objectArg(call.Argument(0))
	complete, _ := r.asyncCall("closeSocket", opts, false)
	code, reason, cause := r.closeArgs(opts)
	if cause != "" {
		r.failLater(complete, "closeSocket", cause)
		return goja.Undefined()
	}
	before := rec.t.ReadyState()
	if rec.state == uni.StateConnecting {
		// For the script the socket is still connecting, whatever the
		// network did meanwhile: the profile's close-before-open rule
		// applies to the state the script sees.
		if code == 0 {
			code = 1000
		}
		if err := uni.ValidateClose(code, reason); err != nil {
			r.failLater(complete, "closeSocket", err.Error())
			return goja.Undefined()
		}
		if r.profile.CloseBeforeOpen == platform.FailNotConnected {
			r.failLater(complete, "closeSocket", uni.CauseNotConnected)
			return goja.Undefined()
		}
		if complete != nil {
			ok := uni.GeneralCallbackResult{ErrMsg: "closeSocket:ok"}
			r.viaDispatcher(func() { complete(ok) })
		}
		rec.early = true
		rec.t.Abort()
		rec.state = uni.StateClosing
		return goja.Undefined()
	}
	rec.t.Close(uni.CloseSocketOptions{Code: code, Reason: reason, Complete: complete})
	r.noteClosing(rec, before)
	return goja.Undefined()
}

// noteClosing moves the readyState JavaScript sees to CLOSING when a close
// call started closing the socket (a browser does so synchronously). A
// close that failed, or that the profile refuses before open, leaves it.
func (r *Runtime) noteClosing(rec *taskRec, before uni.ReadyState) {
	after := rec.t.ReadyState()
	started := (before == uni.StateConnecting || before == uni.StateOpen) && (after == uni.StateClosing || after == uni.StateClosed)
	if started && rec.state != uni.StateClosed {
		rec.state = uni.StateClosing
	}
}

// sendData converts the data option: a string, or the bytes of an
// ArrayBuffer, typed array or DataView. A missing data is left to package
// uni to report; another type fails with uni-app's validator message.
func (r *Runtime) sendData(opts *goja.Object) (data any, cause string) {
	if opts == nil {
		return nil, ""
	}
	v := opts.Get("data")
	switch {
	case v == nil || goja.IsUndefined(v) || goja.IsNull(v):
		return nil, ""
	case r.rawType(v) == "String":
		return r.toString(v), ""
	}
	if b, ok := r.bytesOf(v); ok {
		return b, "" // package uni copies it
	}
	return nil, r.invalidType("data", v, "String", "ArrayBuffer")
}

// closeArgs converts the code and reason options. Missing ones are 0
// (which package uni takes as 1000) and "".
func (r *Runtime) closeArgs(opts *goja.Object) (code int, reason, cause string) {
	if opts == nil {
		return 0, "", ""
	}
	if v := opts.Get("code"); v != nil && !goja.IsUndefined(v) && !goja.IsNull(v) {
		if r.rawType(v) != "Number" {
			return 0, "", r.invalidType("code", v, "Number")
		}
		code = toInt(v.ToFloat())
	}
	if v := opts.Get("reason"); v != nil && !goja.IsUndefined(v) && !goja.IsNull(v) {
		if r.rawType(v) != "String" {
			return 0, "", r.invalidType("reason", v, "String")
		}
		reason = r.toString(v)
	}
	return code, reason, ""
}

// closedTask returns a task that never connects (a connectSocket with no
// url), to have package uni phrase the failures of sends on a socket that
// is not open.
func (r *Runtime) closedTask() *uni.SocketTask {
	if r.dead == nil {
		r.dead = r.app.ConnectSocket(uni.ConnectSocketOptions{Fail: func(uni.GeneralCallbackResult) {}})
	}
	return r.dead
}

// objectArg returns v as an options object, or nil when it is not one
// (uni-app treats a non-object argument as {}).
func objectArg(v goja.Value) *goja.Object {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	if _, isFn := goja.AssertFunction(obj); isFn {
		return nil
	}
	return obj
}
