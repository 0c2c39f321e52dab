// Package load generates load on a WebSocket server with virtual users
// (VUs) that are real uni-app clients: each VU has its own uni.App, so the
// platform's rules (wss-only, socket quota, networkTimeout, close rules)
// apply to every simulated phone as they apply on the device.
//
// A test runs a Scenario, once per iteration, on each VU the schedule
// starts. The schedule is the one load testers know from k6: a constant
// number of VUs for a duration, ramping stages, an arrival rate (new
// iterations per second), or a number of iterations shared by the VUs.
// A Segment runs a deterministic slice of that schedule, so that N
// processes with segments 1/N … N/N together run exactly the schedule one
// process would.
//
// Metrics carry k6's names where k6 has one (ws_connecting,
// ws_sessions, ws_msgs_sent, data_sent, iterations, …) plus the
// uni-specific uni_errors (by errMsg), uni_close_codes (by code) and
// uni_quota_rejections. Trends keep an HDR histogram, exact within its
// precision and mergeable across VUs and processes. A test ends with
// Results: the Summary (what `--summary-export` writes), and the verdict
// of the Thresholds.
//
// Sockets are observed through uni's public API only: the VU's Dial and
// Connect add task listeners and wrap result callbacks, and the App's
// Config.DialContext counts the bytes on the wire, as k6 counts them.
//
// JSScenario runs a uni-app script per iteration instead of Go code (what
// `unisocket load` does), compiled once per test; its sockets are counted
// by the same listeners, added to each task the script creates. Merge adds up the summaries of segments run in
// separate processes, and Test.Collector serves the live metrics to
// Prometheus. A Timeline follows a test over time, and Report writes it
// with the Summary as a self-contained HTML page of charts.
package load
