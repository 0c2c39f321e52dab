package platform

// The profile table. Every value cites the sources it rests on, in Sources
// (printed in PROFILES.md): a tag such as W1 or S7 is a public source listed
// under "Sources" in docs/behaviour.md; "design N" points at decision N of
// docs/design.md; "decision" marks a choice this project made where the
// sources are silent or contradict each other (the reason is in the comment
// beside it). §N.M names a section of docs/behaviour.md.

// defaultQuotaErrMsg is the quota cause of hosts whose text is not
// documented: the tail of WeChat's observed message [I6].
const defaultQuotaErrMsg = "exceed max concurrent count"

// standard is the default profile for Go programs [design 2].
var standard = Profile{
	Name:             "standard",
	Summary:          "browser event model plus native headers and method; no host limits",
	Header:           true,
	Method:           true,
	Protocols:        true,
	Referer:          true,
	Timeout:          true,
	OpenHeader:       true,
	ErrorMessage:     true,
	CloseBeforeOpen:  AbortHandshake,
	HandshakeFailure: ErrorThenClose,
	// A dropped connection gives close 1006 alone in Chromium 156 and in
	// Node's ws [M1].
	Drop:          DropCloseOnly,
	ListenerOrder: TaskFirst,
	// Native code can say whether a message was written; design 11 orders
	// the result before any reply.
	Results:    ResultWhenWritten,
	CloseTexts: CloseTextsChromium156,
	GlobalAPI:  true,
	Sources: map[string]string{
		"SecureOnly": "design 2", "CheckDomain": "design 2", "MaxSockets": "design 2",
		"Header": "design 2", "Method": "design 2", "Protocols": "R1", "Referer": "design 2",
		"Timeout": "design 9", "OpenHeader": "design 2", "ErrorMessage": "design 2",
		"WXIsUni": "design 7", "TaskListenerCheck": "S4", "SendErrCode": "design 2",
		"CloseBeforeOpen": "design 2, R1", "HandshakeFailure": "R1", "Drop": "design 2, M1",
		"ListenerOrder": "design 4", "Results": "design 11", "CloseTexts": "design 2, M1",
		"GlobalAPI": "S1",
	},
}

// h5 is uni-app's H5 (Vue 3) platform: a browser WebSocket.
var h5 = Profile{
	Name:    "h5",
	Summary: "uni-app H5 (Vue 3): a browser WebSocket; headers and method ignored, {} payloads",
	// A browser cannot set request headers or the method [S1, S11]; Referer
	// goes with them.
	Header:    false,
	Method:    false,
	Protocols: true,
	Referer:   false,
	// H5 never reads networkTimeout.connectSocket [N1], but design 9 applies
	// the App-wide timeout on every profile; a per-call one is WeChat's.
	Timeout:          false,
	OpenHeader:       false,
	ErrorMessage:     false,
	CloseBeforeOpen:  AbortHandshake,
	HandshakeFailure: ErrorThenClose,
	// Chromium 156 fires close 1006 alone for a drop, so uni-h5's global
	// onSocketClose runs [M1].
	Drop:          DropCloseOnly,
	ListenerOrder: TaskFirst,
	// uni-h5 calls the callbacks of send and close right after the
	// browser's synchronous send() and close() [S1, M1].
	Results:    ResultAtCall,
	CloseTexts: CloseTextsChromium156,
	GlobalAPI:  true,
	// An H5 build registers window.wx = uni [M1].
	WXIsUni: true,
	// uni-h5's SocketTask.on* store the argument unchecked [S1, M1].
	TaskListenerCheck: CheckWhenFired,
	// uni-h5 passes errCode 10002 to send's fail; it calls fail a second
	// time with 602001, which design 5 does not copy [S1, M1].
	SendErrCode: true,
	Sources: map[string]string{
		"SecureOnly": "S1", "CheckDomain": "S1", "MaxSockets": "S1",
		"WXIsUni": "M1", "TaskListenerCheck": "S1, M1", "SendErrCode": "S1, M1, design 5",
		"Header": "S1, S11", "Method": "S1, S11", "Protocols": "S1", "Referer": "S1",
		"Timeout": "N5, design 9", "OpenHeader": "S1, S11", "ErrorMessage": "S1, S11",
		"CloseBeforeOpen": "S1, R1", "HandshakeFailure": "S1, R1", "Drop": "M1",
		"ListenerOrder": "S1", "Results": "S1, M1", "CloseTexts": "M1", "GlobalAPI": "S1",
	},
}

// app is uni-app's App platform (Vue 3), a native plugin behind JS.
var app = Profile{
	Name:    "app",
	Summary: "uni-app App (Vue 3): native socket; global listeners first, error only on a failed handshake",
	Header:  true,
	// The App implementation never reads method [S7, S12].
	Method:    false,
	Protocols: true,
	// Headers are forwarded as given; no uni-app code strips Referer [S7].
	Referer:      true,
	Timeout:      false,
	OpenHeader:   false,
	ErrorMessage: false,
	// Whether the native plugin aborts a pending handshake is not visible
	// [S7, §11.1]; decision: it does, as the close call reports :ok.
	CloseBeforeOpen:  AbortHandshake,
	HandshakeFailure: ErrorOnly,
	ListenerOrder:    GlobalFirst,
	GlobalAPI:        true,
	Sources: map[string]string{
		"SecureOnly": "S7", "CheckDomain": "S7", "MaxSockets": "S7",
		"Header": "S7", "Method": "S7, S12", "Protocols": "S7", "Referer": "S7",
		"Timeout": "N5", "OpenHeader": "S7, S12", "ErrorMessage": "S7, I3",
		"CloseBeforeOpen": "decision (S7 unspecified)", "HandshakeFailure": "I2",
		"ListenerOrder": "S7", "GlobalAPI": "S7",
		"Drop": "decision (S7 silent)", "Results": "design 11", "CloseTexts": "R1",
	},
}

// mpWeixin is the WeChat mini-program host.
var mpWeixin = Profile{
	Name:        "mp-weixin",
	Summary:     "WeChat mini-program: wss only, domain whitelist, 5 sockets, close before open fails",
	SecureOnly:  true,
	CheckDomain: true,
	DomainMatch: ExactDomain,
	LANIP:       true,
	MaxSockets:  5,
	QuotaErrMsg: "wcwss taskID=" + TaskIDPlaceholder + " exceed max concurrent count",
	Header:      true,
	// Current typings no longer list method [N5], but uni-app documents it
	// as WeChat-only and passes it through there [D1, S8].
	Method:       true,
	Protocols:    true,
	Referer:      false,
	Timeout:      true,
	OpenHeader:   true,
	ErrorMessage: true,
	// The host's listener order is not documented [§5.2]; design 4 keeps
	// uni-app H5's order.
	CloseBeforeOpen:  FailNotConnected,
	HandshakeFailure: ErrorThenClose,
	ListenerOrder:    TaskFirst,
	GlobalAPI:        true,
	Sources: map[string]string{
		"SecureOnly": "W1, D1", "TestBuildWS": "W1", "CheckDomain": "W1", "DomainMatch": "W1",
		"LANIP": "W1", "MaxSockets": "W1, W2, N5", "QuotaErrMsg": "I6",
		"Header": "N5", "Method": "D1, S8", "Protocols": "N5", "Referer": "W2, D1",
		"Timeout": "W1, W2, N5", "OpenHeader": "N5", "ErrorMessage": "N5",
		"CloseBeforeOpen": "N5, I6", "HandshakeFailure": "I2", "ListenerOrder": "design 4",
		"Drop": "decision (no source)", "Results": "design 11", "CloseTexts": "R1",
		"GlobalAPI": "N5",
	},
}

// mpQQ is the QQ mini-program host. Its socket API copies WeChat's; where
// QQ documents nothing, WeChat's behaviour is assumed, except for the
// options and switches that only WeChat documents.
var mpQQ = Profile{
	Name:        "mp-qq",
	Summary:     "QQ mini-program: WeChat's rules without method, per-call timeout or LAN IPs",
	SecureOnly:  true,
	CheckDomain: true,
	DomainMatch: ExactDomain,
	MaxSockets:  5,
	QuotaErrMsg: defaultQuotaErrMsg,
	Header:      true,
	// uni-app documents method as WeChat-only [D1].
	Method:           false,
	Protocols:        true,
	Referer:          false,
	Timeout:          false,
	OpenHeader:       true,
	ErrorMessage:     true,
	CloseBeforeOpen:  FailNotConnected,
	HandshakeFailure: ErrorThenClose,
	ListenerOrder:    TaskFirst,
	GlobalAPI:        true,
	Sources: map[string]string{
		"SecureOnly": "D1", "CheckDomain": "D1", "DomainMatch": "decision (as W1)",
		"LANIP": "decision (W1 is WeChat's)", "MaxSockets": "D1", "QuotaErrMsg": "decision (I6 tail)",
		"Header": "D1", "Method": "D1", "Protocols": "D1", "Referer": "D1",
		"Timeout": "N5 (WeChat-only)", "OpenHeader": "decision (as N5)", "ErrorMessage": "decision (as N5)",
		"CloseBeforeOpen": "design 3", "HandshakeFailure": "I2", "ListenerOrder": "design 4",
		"Drop": "decision (no source)", "Results": "design 11", "CloseTexts": "R1",
		"GlobalAPI": "S15",
	},
}

// mpAlipay is the Alipay mini-program host.
var mpAlipay = Profile{
	Name:        "mp-alipay",
	Summary:     "Alipay mini-program: wss only, whitelist by domain, 1 socket (5 with multiple: true)",
	SecureOnly:  true,
	CheckDomain: true,
	DomainMatch: RegistrableDomain,
	// The docs disagree whether a second single-instance connect fails or
	// closes the first [A1 vs N6, §11.11]; decision: it fails, as the
	// docs' error table says.
	MaxSockets:         1,
	MaxSocketsMultiple: 5,
	QuotaErrMsg:        "WebSocket connection already exists",
	Header:             true,
	Method:             false,
	Protocols:          true,
	Referer:            false,
	Timeout:            true,
	OpenHeader:         false,
	// Alipay reports errors as a numeric error plus errorMessage [N6]; the
	// text is kept as errMsg, the number is not modelled.
	ErrorMessage:     true,
	CloseBeforeOpen:  FailNotConnected,
	HandshakeFailure: ErrorThenClose,
	ListenerOrder:    TaskFirst,
	GlobalAPI:        true,
	Sources: map[string]string{
		"SecureOnly": "A1", "CheckDomain": "A1", "DomainMatch": "A1", "LANIP": "A1",
		"MaxSockets": "A1 (N6 differs)", "MaxSocketsMultiple": "A1, D1", "QuotaErrMsg": "A1",
		"Header": "A1", "Method": "S9", "Protocols": "A1", "Referer": "A1",
		"Timeout": "A2", "OpenHeader": "N6", "ErrorMessage": "decision (N6 errorMessage)",
		"CloseBeforeOpen": "design 3", "HandshakeFailure": "design 3, I2", "ListenerOrder": "design 4",
		"Drop": "decision (no source)", "Results": "design 11", "CloseTexts": "R1",
		"GlobalAPI": "N6",
	},
}

// mpBaidu is the Baidu smart-program host.
var mpBaidu = Profile{
	Name:             "mp-baidu",
	Summary:          "Baidu smart program: wss only, domain whitelist, 5 sockets, no method",
	SecureOnly:       true,
	CheckDomain:      true,
	DomainMatch:      ExactDomain,
	MaxSockets:       5,
	QuotaErrMsg:      defaultQuotaErrMsg,
	Header:           true,
	Method:           false,
	Protocols:        true,
	Referer:          false,
	Timeout:          false,
	OpenHeader:       true,
	ErrorMessage:     true,
	CloseBeforeOpen:  FailNotConnected,
	HandshakeFailure: ErrorThenClose,
	ListenerOrder:    TaskFirst,
	GlobalAPI:        true,
	Sources: map[string]string{
		"SecureOnly": "B1", "CheckDomain": "B1", "DomainMatch": "decision (as W1)", "LANIP": "B1",
		"MaxSockets": "B1", "QuotaErrMsg": "decision (I6 tail)",
		"Header": "B1", "Method": "S9", "Protocols": "decision (as N5)", "Referer": "B1",
		"Timeout": "B1", "OpenHeader": "decision (as N5)", "ErrorMessage": "decision (as N5)",
		"CloseBeforeOpen": "design 3", "HandshakeFailure": "design 3, I2", "ListenerOrder": "design 4",
		"Drop": "decision (no source)", "Results": "design 11", "CloseTexts": "R1",
		"GlobalAPI": "B1",
	},
}

// mpToutiao is the Douyin/Toutiao mini-program host.
var mpToutiao = Profile{
	Name:        "mp-toutiao",
	Summary:     "Douyin/Toutiao mini-program: wss only (ws in test builds), whitelist, 5 sockets, no global API",
	SecureOnly:  true,
	TestBuildWS: true,
	CheckDomain: true,
	DomainMatch: ExactDomain,
	MaxSockets:  5,
	QuotaErrMsg: defaultQuotaErrMsg,
	Header:      true,
	Method:      false,
	Protocols:   true,
	// uni-app's "header must not set Referer" rule covers every
	// mini-program [D1].
	Referer:          false,
	Timeout:          false,
	OpenHeader:       true,
	ErrorMessage:     true,
	CloseBeforeOpen:  FailNotConnected,
	HandshakeFailure: ErrorThenClose,
	ListenerOrder:    TaskFirst,
	GlobalAPI:        false,
	Sources: map[string]string{
		"SecureOnly": "T1", "TestBuildWS": "T1", "CheckDomain": "T1", "DomainMatch": "decision (as W1)",
		"LANIP": "decision (T1 silent)", "MaxSockets": "T1", "QuotaErrMsg": "decision (I6 tail)",
		"Header": "N7", "Method": "S9", "Protocols": "N7", "Referer": "D1",
		"Timeout": "N7", "OpenHeader": "N7", "ErrorMessage": "N7",
		"CloseBeforeOpen": "design 3", "HandshakeFailure": "design 3, I2", "ListenerOrder": "design 4",
		"Drop": "decision (no source)", "Results": "design 11", "CloseTexts": "R1",
		"GlobalAPI": "D1, N7",
	},
}

// table is every profile, in the order Names lists them.
var table = []Profile{standard, h5, app, mpWeixin, mpQQ, mpAlipay, mpBaidu, mpToutiao}
