// Package manifest reads a uni-app project's socket settings into a
// uni.Config: manifest.json (networkTimeout.connectSocket, and
// setting.urlCheck of the mini-program sections) and the project's socket
// configuration, unisocket.config.json (the platform to emulate, the
// socket domain whitelist, the url check switch, the LAN IP switch, test
// build and the slots the vendor's own sockets hold).
//
// Both files are JSON as HBuilderX and the mini-program IDEs write it:
// // and /* */ comments and trailing commas are allowed (read with
// github.com/tailscale/hujson). A file that
// cannot be used fails with an *Error, "file:line:column: what was
// expected"; keys that are not known are returned as Warnings, never
// printed. A unisocket.config.json looks like this (see
// examples/unisocket.config.json):
//
//	{
//	  "platform": "mp-weixin",
//	  "socketDomains": ["wss://socket.example.com"],
//	  "urlCheck": true,
//	  "lanIP": false,
//	  "testBuild": false,
//	  "reservedSockets": 1, // the developer tools' log echo
//	}
//
// Load reads both files from a project directory:
//
//	cfg, warnings, err := manifest.Load(".")
//	for _, w := range warnings { log.Print(w) }
//	app := uni.NewApp(cfg)
//
// This package imports uni; uni never imports it.
package manifest
