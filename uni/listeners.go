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

// event describes one kind of socket event: where its listeners are kept
// and how a panicking one is reported.
type event[T any] struct {
	kind        eventKind
	list        func(*listeners) *[]func(T)
	whereTask   string
	whereGlobal string
	ends        bool // the event removes the task from the registry
}

type eventKind int

const (
	kindOpen eventKind = iota
	kindMessage
	kindError
	kindClose
)

// The four socket events. They are values, never changed.
var (
	openEvent = event[OnOpenResult]{
		kind:      kindOpen,
		list:      func(l *listeners) *[]func(OnOpenResult) { return &l.open },
		whereTask: whereTaskOpen, whereGlobal: whereGlobalOpen,
	}
	messageEvent = event[OnMessageResult]{
		kind:      kindMessage,
		list:      func(l *listeners) *[]func(OnMessageResult) { return &l.message },
		whereTask: whereTaskMessage, whereGlobal: whereGlobalMessage,
	}
	errorEvent = event[OnErrorResult]{
		kind:      kindError,
		list:      func(l *listeners) *[]func(OnErrorResult) { return &l.err },
		whereTask: whereTaskError, whereGlobal: whereGlobalError, ends: true,
	}
	closeEvent = event[OnCloseResult]{
		kind:      kindClose,
		list:      func(l *listeners) *[]func(OnCloseResult) { return &l.close },
		whereTask: whereTaskClose, whereGlobal: whereGlobalClose, ends: true,
	}
)

func fire[T any](a *App, where string, fns []func(T), v T) {
	for _, fn := range fns {
		a.protect(where, func() { fn(v) })
	}
}
