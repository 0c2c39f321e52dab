// Package netem shapes network connections the way a phone's network
// shapes them: added latency with jitter, limited bandwidth up and down,
// packet loss, and no network at all. It works on any net.Conn; an App
// takes it as uni.Config.Network, and any dial function can be wrapped
// with Network.Dialer, so each App, and so each VU of a load run, can
// have its own network.
//
//	cond, err := netem.Preset("slow-3g")
//	if err != nil { ... }
//	n, err := netem.New(cond)
//	if err != nil { ... }
//	app := uni.NewApp(uni.Config{Network: n})
//	...
//	n.Set(netem.Conditions{Offline: true}) // cuts every connection of n
//
// # The model
//
// Shaping is packet-level on the TCP byte stream, as tc-netem shapes a
// link, not request-level as Chrome DevTools delays whole responses: a
// WebSocket is one long TCP stream, so the stream is what is shaped. Each
// direction is a link of its own. Bytes written are cut into segments of
// SegmentSize bytes; each segment leaves after the one before it at the
// link's rate (Up or Down, bytes per second: a token bucket holding one
// segment), then arrives Latency/2 later, give or take up to Jitter/2. A
// segment never overtakes the one before it: jitter delays, never
// reorders, as TCP delivers in order. A lost segment (probability Loss,
// from a seeded random source) is not dropped from the stream, which TCP
// would retransmit: the link stalls for a retransmission timeout and every
// later byte waits behind it, which is what an application on a lossy link
// sees. The timeout is Linux TCP's: the round-trip time plus four times
// its variation (RFC 6298), at least 200 ms (TCP_RTO_MIN).
//
// Offline refuses dials with an *OfflineError, and Network.Set going
// offline cuts every open connection of the Network at once.
//
// # Presets
//
// The presets carry the numbers of Chrome DevTools' throttling presets as
// defined in Chromium's DevTools source
// (https://github.com/ChromeDevTools/devtools-frontend/blob/main/front_end/core/sdk/NetworkManager.ts,
// documented at https://developer.chrome.com/docs/devtools/settings/throttling):
//
//	preset    latency    down          up            DevTools name
//	offline   -          -             -             Offline
//	slow-3g   2000 ms    400 kbit/s    400 kbit/s    3G (formerly Slow 3G)
//	fast-3g   562.5 ms   1.44 Mbit/s   675 kbit/s    Slow 4G (formerly Fast 3G)
//	4g        165 ms     8.1 Mbit/s    1.35 Mbit/s   Fast 4G
//	wifi      28 ms      5 Mbit/s      1 Mbit/s      WebPageTest "Cable" (DevTools has no Wi-Fi)
//
// DevTools' latency is added to each request's round trip; here it is the
// round-trip time added to the connection, half in each direction. The
// WeChat developer tools offer Wi-Fi, 4G, 3G, 2G and offline in their
// network simulation
// (https://developers.weixin.qq.com/miniprogram/dev/devtools/different.html)
// without publishing the numbers behind them, so the names match
// theirs and the numbers are Chrome's. Chrome has no Wi-Fi preset: wifi
// takes WebPageTest's "Cable" connectivity profile
// (https://github.com/catchpoint/WebPageTest/blob/master/www/settings/connectivity.ini.sample).
// No preset loses packets or jitters.
//
// Values are explicit in Conditions, or parsed from the strings the CLI
// takes (ParseRate, ParseLoss): --latency 300ms --jitter 50ms --down
// 400kbit --up 200kbit --loss 1%.
//
// # Costs
//
// A shaped connection starts no goroutine of its own: reads are shaped on
// the reading goroutine, and queued writes are sent by a timer that runs
// only while bytes are in flight. Each direction holds at most
// QueueLimit bytes in flight; a writer beyond it waits, as on a full TCP
// window, and a reader stops reading the connection, so the peer meets
// TCP backpressure.
package netem
