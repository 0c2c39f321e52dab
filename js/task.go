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

// newTaskObject makes the JavaScript object for t.
func (r *Runtime) newTaskObject(t *uni.SocketTask) *goja.Object {
	obj := r.vm.NewObject()
	_ = obj.SetPrototype(r.taskPrototype())
	_ = obj.DefineDataPropertySymbol(r.taskKey, r.vm.ToValue(t), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	return obj
}

// listen adds fn as a listener for ev: of task t, or a global one when t
// is nil. Package uni decides when it runs (on the loop, which is the
// App's Executor); the listener converts the payload and reports a throw
// as uni-app H5 reports it.
func (r *Runtime) listen(t *uni.SocketTask, ev event, fn *goja.Object, where string) {
	f, _ := goja.AssertFunction(fn)
	call := func(v goja.Value) { r.invoke(f, goja.Undefined(), listener, where, v) }
	switch ev {
	case evOpen:
		l := func(res uni.OnOpenResult) { call(r.payload(ev, func() goja.Value { return r.openPayload(res) })) }
		if t != nil {
			t.OnOpen(l)
		} else {
			r.app.OnSocketOpen(l)
		}
	case evClose:
		l := func(res uni.OnCloseResult) { call(r.payload(ev, func() goja.Value { return r.closePayload(res) })) }
		if t != nil {
			t.OnClose(l)
		} else {
			r.app.OnSocketClose(l)
		}
	case evError:
		l := func(res uni.OnErrorResult) { call(r.payload(ev, func() goja.Value { return r.errorPayload(res) })) }
		if t != nil {
			t.OnError(l)
		} else {
			r.app.OnSocketError(l)
		}
	case evMessage:
		l := func(res uni.OnMessageResult) { call(r.payload(ev, func() goja.Value { return r.messagePayload(res) })) }
		if t != nil {
			t.OnMessage(l)
		} else {
			r.app.OnSocketMessage(l)
		}
	}
}

// listenUnchecked adds v as a listener whatever it is, as uni-h5's
// SocketTask.on* store it: a value that is not a function is reported
// when the event fires, with the TypeError of calling it (uni-h5 names
// its parameter callback).
func (r *Runtime) listenUnchecked(t *uni.SocketTask, ev event, v goja.Value, where string) {
	if obj, ok := v.(*goja.Object); ok {
		if _, ok := goja.AssertFunction(obj); ok {
			r.listen(t, ev, obj, where)
			return
		}
	}
	notFn := r.vm.ToValue(func(goja.FunctionCall) goja.Value {
		panic(r.typeError("callback is not a function"))
	}).(*goja.Object)
	r.listen(t, ev, notFn, where)
}

// payload returns the current turn's payload object for ev, making it on
// first use. Package uni delivers one event per turn to all its
// listeners, and uni-app H5 passes them one object, so the object is made
// once per turn and only if some listener is there to receive it.
func (r *Runtime) payload(ev event, make func() goja.Value) goja.Value {
	if r.turnPayload[ev] == nil {
		r.turnPayload[ev] = make()
	}
	return r.turnPayload[ev]
}

// Payloads, built on the loop. Field names are those of @dcloudio/types
// (OnSocketOpenCallbackResult, OnSocketCloseCallbackResult, ...).

func (r *Runtime) openPayload(res uni.OnOpenResult) goja.Value {
	obj := r.vm.NewObject()
	if res.Header != nil {
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

func (r *Runtime) errorPayload(res uni.OnErrorResult) goja.Value {
	obj := r.vm.NewObject()
	if r.app.Profile().ErrorMessage {
		_ = obj.Set("errMsg", res.ErrMsg)
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
	method := func(name string, fn func(*uni.SocketTask, goja.FunctionCall) goja.Value) {
		_ = proto.DefineDataProperty(name, vm.ToValue(func(call goja.FunctionCall) goja.Value {
			return fn(r.taskOf(call.This), call)
		}), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	method("send", r.taskSend)
	method("close", r.taskClose)
	for ev := evOpen; ev <= evMessage; ev++ {
		where := "socketTask.on" + eventNames[ev] + " callback function"
		method("on"+eventNames[ev], func(t *uni.SocketTask, call goja.FunctionCall) goja.Value {
			arg := call.Argument(0)
			if r.app.Profile().TaskListenerCheck == platform.CheckWhenFired {
				r.listenUnchecked(t, ev, arg, where)
				return goja.Undefined()
			}
			r.listen(t, ev, r.callbackArg(arg), where)
			return goja.Undefined()
		})
	}
	_ = proto.DefineAccessorProperty("readyState", vm.ToValue(func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(int(r.taskOf(call.This).ReadyState()))
	}), nil, goja.FLAG_TRUE, goja.FLAG_FALSE)
	// The browser's bufferedAmount, an extension: uni-app has none.
	_ = proto.DefineAccessorProperty("bufferedAmount", vm.ToValue(func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(r.taskOf(call.This).BufferedAmount())
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

// taskOf finds the task behind a task object, throwing a TypeError for
// anything else (a method called on the wrong object).
func (r *Runtime) taskOf(this goja.Value) *uni.SocketTask {
	if obj, ok := this.(*goja.Object); ok {
		if v := obj.GetSymbol(r.taskKey); v != nil {
			if t, ok := v.Export().(*uni.SocketTask); ok {
				return t
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
func (r *Runtime) taskSend(t *uni.SocketTask, call goja.FunctionCall) goja.Value {
	opts := objectArg(call.Argument(0))
	complete, _ := r.asyncCall("sendSocketMessage", opts, false)
	data, cause := r.sendData(opts)
	if cause != "" {
		r.failLater(complete, "sendSocketMessage", cause)
		return goja.Undefined()
	}
	t.Send(uni.SendSocketMessageOptions{Data: data, Complete: complete})
	return goja.Undefined()
}

// taskClose is SocketTask.close.
func (r *Runtime) taskClose(t *uni.SocketTask, call goja.FunctionCall) goja.Value {
	opts := objectArg(call.Argument(0))
	complete, _ := r.asyncCall("closeSocket", opts, false)
	code, reason, cause := r.closeArgs(opts)
	if cause != "" {
		r.failLater(complete, "closeSocket", cause)
		return goja.Undefined()
	}
	t.Close(uni.CloseSocketOptions{Code: code, Reason: reason, Complete: complete})
	return goja.Undefined()
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
