package uni

// listeners holds the functions registered for each socket event, in
// registration order. The owner's mutex guards it; snapshots are taken
// before listeners run so a listener may register more listeners.
type listeners struct {
	open    []func(OnOpenResult)
	close   []func(OnCloseResult)
	err     []func(OnErrorResult)
	message []func(OnMessageResult)
}

// The names under which panicking listeners are reported, as uni-app H5
// names them.
const (
	whereTaskOpen      = "socketTask.onOpen callback function"
	whereTaskClose     = "socketTask.onClose callback function"
	whereTaskError     = "socketTask.onError callback function"
	whereTaskMessage   = "socketTask.onMessage callback function"
	whereGlobalOpen    = "uni.onSocketOpen callback function"
	whereGlobalClose   = "uni.onSocketClose callback function"
	whereGlobalError   = "uni.onSocketError callback function"
	whereGlobalMessage = "uni.onSocketMessage callback function"
	whereResult        = "api callback function"
)

func fire[T any](a *App, where string, fns []func(T), v T) {
	for _, fn := range fns {
		a.protect(where, func() { fn(v) })
	}
}
