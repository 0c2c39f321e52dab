package js

import (
	"strconv"
	"time"

	"github.com/dop251/goja"

	"github.com/unisocket/unisocket/uni"
)

// installUni installs the uni and wx globals. They share the App and
// differ in one thing: wx.connectSocket has no Promise form. On a profile
// with WXIsUni, wx is the uni object itself.
func (r *Runtime) installUni() {
	// Built now: once a context ended, the interrupted runtime could not
	// run the script that makes the constructor.
	r.taskPrototype()
	for _, g := range []struct {
		name           string
		promiseConnect bool
	}{{"uni", true}, {"wx", false}} {
		o := r.vm.NewObject()
		set := func(name string, fn func(goja.FunctionCall) goja.Value) {
			_ = o.Set(name, fn)
		}
		set("connectSocket", r.connectSocket(g.promiseConnect))
		for ev := evOpen; ev <= evMessage; ev++ {
			set("onSocket"+eventNames[ev], r.onSocket(ev, g.name))
		}
		set("sendSocketMessage", r.sendSocketMessage)
		set("closeSocket", r.closeSocket)
		set("arrayBufferToBase64", r.arrayBufferToBase64)
		set("base64ToArrayBuffer", r.base64ToArrayBuffer)
		_ = r.vm.GlobalObject().Set(g.name, o)
		if r.app.Profile().WXIsUni {
			_ = r.vm.GlobalObject().Set("wx", o)
			break
		}
	}
}

// connectSocket returns uni.connectSocket (promiseForm) or
// wx.connectSocket.
func (r *Runtime) connectSocket(promiseForm bool) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		opts := objectArg(call.Argument(0))
		cb := r.callbacksOf(opts)
		goOpts, cause := r.connectOptions(opts)
		var res uni.GeneralCallbackResult
		var t *uni.SocketTask
		if cause != "" {
			res = uni.GeneralCallbackResult{ErrMsg: "connectSocket:fail " + cause}
			t = r.app.ConnectSocket(uni.ConnectSocketOptions{}) // CLOSED, never registered
		} else {
			// The result runs before ConnectSocket returns. This is a turn
			// of the loop, which is the App's Executor, so no event of the
			// new socket can reach a listener before the script adds it.
			goOpts.Complete = func(gr uni.GeneralCallbackResult) { res = gr }
			t = r.app.ConnectSocket(goOpts)
		}
		if promiseForm && !cb.any() {
			p, resolve, reject := r.vm.NewPromise()
			r.settle(resolve, reject, res)
			return r.vm.ToValue(p)
		}
		// uni-app H5 calls success/fail/complete before connectSocket
		// returns.
		r.deliver(cb, res)
		return r.newTaskObject(t)
	}
}

// connectOptions converts connectSocket's options. A url that is not a
// string fails with uni-app's validator message (the cause); everything
// else is formatted as uni-app formats it: header values become strings
// (null and undefined ones are left out), a protocols string becomes a
// one-element list, method goes to package uni as given (it upper-cases it
// and falls back to GET), timeout (ms), multiple, perMessageDeflate,
// tcpNoDelay and forceCellularNetwork are passed on.
func (r *Runtime) connectOptions(opts *goja.Object) (o uni.ConnectSocketOptions, cause string) {
	o.PerMessageDeflate = r.deflateDefault // the option, when given, decides
	if opts == nil {
		return o, ""
	}
	if v := opts.Get("url"); v != nil && !goja.IsUndefined(v) && !goja.IsNull(v) {
		if r.rawType(v) != "String" {
			return o, r.invalidType("url", v, "String")
		}
		o.URL = r.toString(v)
	}
	if h, ok := opts.Get("header").(*goja.Object); ok && r.rawType(h) == "Object" {
		for _, k := range h.Keys() {
			v := h.Get(k)
			if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
				continue
			}
			if o.Header == nil {
				o.Header = map[string]string{}
			}
			o.Header[k] = r.toString(v)
		}
	}
	if m := opts.Get("method"); m != nil && r.rawType(m) == "String" {
		o.Method = r.toString(m)
	}
	switch p := opts.Get("protocols"); {
	case p == nil || goja.IsUndefined(p) || goja.IsNull(p):
	case r.rawType(p) == "String":
		o.Protocols = []string{r.toString(p)}
	case r.rawType(p) == "Array":
		arr := p.ToObject(r.vm)
		n := arr.Get("length").ToInteger()
		for i := int64(0); i < n; i++ {
			o.Protocols = append(o.Protocols, r.toString(arr.Get(strconv.FormatInt(i, 10))))
		}
	}
	if t := opts.Get("timeout"); t != nil && r.rawType(t) == "Number" {
		if ms := t.ToFloat(); ms > 0 && ms < 1<<40 {
			o.Timeout = time.Duration(ms * float64(time.Millisecond))
		}
	}
	// Alipay's multi-instance switch and WeChat's connection options;
	// package uni decides what they mean.
	for _, b := range []struct {
		name string
		to   *bool
	}{
		{"multiple", &o.Multiple},
		{"perMessageDeflate", &o.PerMessageDeflate},
		{"tcpNoDelay", &o.TCPNoDelay},
		{"forceCellularNetwork", &o.ForceCellularNetwork},
	} {
		if v := opts.Get(b.name); v != nil && !goja.IsUndefined(v) {
			*b.to = v.ToBoolean()
		}
	}
	return o, ""
}

// onSocket returns uni.onSocket<Event> (or wx's). Package uni decides
// which socket's events reach it, and warns on a platform without the
// global API.
func (r *Runtime) onSocket(ev event, global string) func(goja.FunctionCall) goja.Value {
	where := global + ".onSocket" + eventNames[ev] + " callback function"
	return func(call goja.FunctionCall) goja.Value {
		r.listen(nil, ev, r.callbackArg(call.Argument(0)), where)
		return goja.Undefined()
	}
}

// sendSocketMessage is uni.sendSocketMessage (and wx's).
func (r *Runtime) sendSocketMessage(call goja.FunctionCall) goja.Value {
	opts := objectArg(call.Argument(0))
	complete, ret := r.asyncCall("sendSocketMessage", opts, true)
	if data, cause := r.sendData(opts); cause != "" {
		r.failLater(complete, "sendSocketMessage", cause)
	} else {
		r.app.SendSocketMessage(uni.SendSocketMessageOptions{Data: data, Complete: complete})
	}
	return ret
}

// closeSocket is uni.closeSocket (and wx's).
func (r *Runtime) closeSocket(call goja.FunctionCall) goja.Value {
	opts := objectArg(call.Argument(0))
	complete, ret := r.asyncCall("closeSocket", opts, true)
	if code, reason, cause := r.closeArgs(opts); cause != "" {
		r.failLater(complete, "closeSocket", cause)
	} else {
		r.app.CloseSocket(uni.CloseSocketOptions{Code: code, Reason: reason, Complete: complete})
	}
	return ret
}
