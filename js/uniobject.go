package js

import (
	"strconv"
	"time"

	"github.com/dop251/goja"

	"github.com/unisocket/unisocket/uni"
)

// globalListener is one function given to uni.onSocket* or wx.onSocket*.
type globalListener struct {
	fn    *goja.Object
	where string // how a throw is reported: "uni.onSocketOpen callback function"
}

// globalListeners are the JavaScript global listeners by event, in
// registration order (uni and wx ones together: both act on one App).
type globalListeners [4][]globalListener

// installUni installs the uni and wx globals. They share the App and
// differ in one thing: wx.connectSocket has no Promise form.
func (r *Runtime) installUni() {
	r.profile = r.app.Profile()
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
		var rec *taskRec
		if cause != "" {
			res = uni.GeneralCallbackResult{ErrMsg: "connectSocket:fail " + cause}
			rec = r.newTaskRec(r.closedTask(), false)
		} else {
			goOpts.Complete = func(gr uni.GeneralCallbackResult) { res = gr }
			// One turn of the App: no event of the new socket can be
			// delivered before its listeners are hooked.
			r.app.Run(func() {
				t := r.app.ConnectSocket(goOpts)
				rec = r.newTaskRec(t, res.OK())
			})
		}
		if promiseForm && !cb.any() {
			p, resolve, reject := r.vm.NewPromise()
			r.settle(resolve, reject, res)
			return r.vm.ToValue(p)
		}
		// uni-app H5 calls success/fail/complete before connectSocket
		// returns.
		r.deliver(cb, res)
		return rec.obj
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

// onSocket returns uni.onSocket<Event> (or wx's).
//
// The global API is the App's (reference §5), mirrored on the loop: the
// target is the oldest socket still registered, a socket leaves the
// registry once the listeners of its first error or close ran, every
// listener fires, in the profile's order against the task's own. Package
// uni keeps its registry on its dispatcher, ahead of JavaScript; the mirror
// keeps the global API in step with the events JavaScript has seen.
func (r *Runtime) onSocket(ev event, global string) func(goja.FunctionCall) goja.Value {
	where := global + ".onSocket" + eventNames[ev] + " callback function"
	return func(call goja.FunctionCall) goja.Value {
		fn := r.callbackArg(call.Argument(0))
		if !r.profile.GlobalAPI {
			r.goGlobalListener(ev) // the App warns that the platform has none
			return goja.Undefined()
		}
		r.globalSubs[ev] = append(r.globalSubs[ev], globalListener{fn: fn, where: where})
		return goja.Undefined()
	}
}

// goGlobalListener registers a no-op global listener with the App, which
// on a platform without the global API only warns.
func (r *Runtime) goGlobalListener(ev event) {
	switch ev {
	case evOpen:
		r.app.OnSocketOpen(func(uni.OnOpenResult) {})
	case evError:
		r.app.OnSocketError(func(uni.OnErrorResult) {})
	case evClose:
		r.app.OnSocketClose(func(uni.OnCloseResult) {})
	case evMessage:
		r.app.OnSocketMessage(func(uni.OnMessageResult) {})
	}
}

// globalTarget is the socket the global API acts on: the oldest still
// registered, as JavaScript has seen the events; nil when none is.
func (r *Runtime) globalTarget() *taskRec {
	if len(r.registry) == 0 {
		return nil
	}
	return r.registry[0]
}

// unregister takes rec out of the registry mirror.
func (r *Runtime) unregister(rec *taskRec) {
	for i, x := range r.registry {
		if x == rec {
			r.registry = append(r.registry[:i], r.registry[i+1:]...)
			return
		}
	}
}

// sendSocketMessage is uni.sendSocketMessage (and wx's): the target's
// send when it is open, else "WebSocket is not connected", as the App's.
func (r *Runtime) sendSocketMessage(call goja.FunctionCall) goja.Value {
	opts := objectArg(call.Argument(0))
	complete, ret := r.asyncCall("sendSocketMessage", opts, true)
	data, cause := r.sendData(opts)
	switch target := r.globalTarget(); {
	case cause != "":
		r.failLater(complete, "sendSocketMessage", cause)
	case !r.profile.GlobalAPI:
		r.app.SendSocketMessage(uni.SendSocketMessageOptions{Data: data, Complete: complete})
	case target == nil || target.state != uni.StateOpen:
		// The App's text; TestJSErrMsgsMatchGo pins that they agree.
		r.failLater(complete, "sendSocketMessage", causeNotConnected)
	default:
		target.t.Send(uni.SendSocketMessageOptions{Data: data, Complete: complete})
	}
	return ret
}

// closeSocket is uni.closeSocket (and wx's): the target's close, or
// "WebSocket is not connected" without a target, as the App's.
func (r *Runtime) closeSocket(call goja.FunctionCall) goja.Value {
	opts := objectArg(call.Argument(0))
	complete, ret := r.asyncCall("closeSocket", opts, true)
	code, reason, cause := r.closeArgs(opts)
	switch target := r.globalTarget(); {
	case cause != "":
		r.failLater(complete, "closeSocket", cause)
	case !r.profile.GlobalAPI:
		r.app.CloseSocket(uni.CloseSocketOptions{Code: code, Reason: reason, Complete: complete})
	case target == nil:
		r.failLater(complete, "closeSocket", causeNotConnected)
	default:
		before := target.t.ReadyState()
		target.t.Close(uni.CloseSocketOptions{Code: code, Reason: reason, Complete: complete})
		r.noteClosing(target, before)
	}
	return ret
}

// causeNotConnected is the App's cause for a global call without a
// usable target (uni-app's 'WebSocket is not connected').
const causeNotConnected = uni.CauseNotConnected
