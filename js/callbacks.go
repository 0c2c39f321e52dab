package js

import (
	"github.com/dop251/goja"

	"github.com/unisocket/unisocket/uni"
)

// jsCallbacks are the success, fail and complete functions of one call.
// Values that are not functions are ignored, as uni-app ignores them; in
// particular they do not turn off the Promise form.
type jsCallbacks struct {
	success, fail, complete *goja.Object
}

func (c jsCallbacks) any() bool { return c.success != nil || c.fail != nil || c.complete != nil }

// callbacksOf picks the callback functions out of an options object.
func (r *Runtime) callbacksOf(opts *goja.Object) jsCallbacks {
	if opts == nil {
		return jsCallbacks{}
	}
	fn := func(name string) *goja.Object {
		if obj, ok := opts.Get(name).(*goja.Object); ok {
			if _, ok := goja.AssertFunction(obj); ok {
				return obj
			}
		}
		return nil
	}
	return jsCallbacks{success: fn("success"), fail: fn("fail"), complete: fn("complete")}
}

// resultObject is a call's result as JavaScript sees it: {errMsg}, and
// errCode where package uni gives one.
func (r *Runtime) resultObject(res uni.GeneralCallbackResult) *goja.Object {
	obj := r.vm.NewObject()
	_ = obj.Set("errMsg", res.ErrMsg)
	if res.ErrCode != 0 {
		_ = obj.Set("errCode", res.ErrCode)
	}
	return obj
}

// deliver runs a call's callbacks as uni-app does: success when the
// errMsg is "<api>:ok", fail otherwise, then complete, all with the same
// result object. Each runs with `this` the function itself and is wrapped
// the way uni-app's tryCatch wraps it: a throw is reported with
// console.error and the next callback still runs.
func (r *Runtime) deliver(cb jsCallbacks, res uni.GeneralCallbackResult) {
	if !cb.any() {
		return
	}
	obj := r.resultObject(res)
	run := func(fn *goja.Object) {
		if fn == nil {
			return
		}
		f, _ := goja.AssertFunction(fn)
		r.invoke(f, fn, apiCallback, "", obj)
	}
	if res.OK() {
		run(cb.success)
	} else {
		run(cb.fail)
	}
	run(cb.complete)
}

// asyncCall prepares a call whose result package uni reports later, on
// the loop. It returns the Complete callback to hand to package uni (nil
// when JavaScript asked for no result) and the value the JavaScript call
// returns: a Promise in the Promise form (no callback given and promisify
// set), undefined otherwise. Until the result reaches JavaScript the call
// keeps the loop alive.
func (r *Runtime) asyncCall(api string, opts *goja.Object, promisify bool) (complete func(uni.GeneralCallbackResult), ret goja.Value) {
	cb := r.callbacksOf(opts)
	ret = goja.Undefined()
	var settle func(uni.GeneralCallbackResult)
	switch {
	case cb.any():
		settle = func(res uni.GeneralCallbackResult) { r.deliver(cb, res) }
	case promisify:
		p, resolve, reject := r.vm.NewPromise()
		ret = r.vm.ToValue(p)
		settle = func(res uni.GeneralCallbackResult) { r.settle(resolve, reject, res) }
	default:
		return nil, ret
	}
	r.pending[api]++
	return func(res uni.GeneralCallbackResult) {
		r.pending[api]--
		settle(res)
	}, ret
}

// settle resolves a Promise-form call with its result object, or rejects
// it with the fail object, as uni-app Vue 3's promisify does.
func (r *Runtime) settle(resolve, reject func(any) error, res uni.GeneralCallbackResult) {
	obj := r.resultObject(res)
	if res.OK() {
		_ = resolve(obj)
	} else {
		_ = reject(obj)
	}
}

// failLater reports a failure found before package uni was called (a
// wrongly typed argument) the way package uni reports the results of
// asynchronous calls: as a later turn of the loop.
func (r *Runtime) failLater(complete func(uni.GeneralCallbackResult), api, cause string) {
	if complete == nil {
		return
	}
	res := uni.GeneralCallbackResult{ErrMsg: api + ":fail " + cause}
	r.loop.Execute(func() { complete(res) })
}
