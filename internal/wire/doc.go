// Package wire is the only code in unisocket that touches
// github.com/coder/websocket. It adds what a uni-app client needs on top of
// that library:
//
//   - a handshake that can use any HTTP method (WeChat's connectSocket
//     "method" option) through an http.RoundTripper that rewrites the
//     upgrade request;
//   - browser parity: redirects are not followed, a subprotocol that was
//     requested but not confirmed fails the handshake, invalid UTF-8 in a
//     text message fails the connection with 1007;
//   - a read limit of the caller's choosing instead of the library's 32 KiB;
//   - a message carried by one frame read straight into a buffer of the
//     size its header announces and handed over without a copy (others
//     go through a reused buffer and are copied out once), and each client
//     frame written with a single write call (coalesce.go), where
//     coder/websocket would write it in 4 KiB pieces;
//   - handshake errors sorted into kinds (refused, DNS, TLS, status,
//     redirect, subprotocol, timeout) so the caller can name the cause;
//   - a close handshake bounded in time.
package wire
