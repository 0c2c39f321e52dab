// Package wire is unisocket's WebSocket client protocol (RFC 6455, with
// permessage-deflate from RFC 7692): the opening handshake, one frame
// reader, one frame writer, the close handshake. It is the only package
// that speaks the protocol; everything above it sees messages and typed
// errors.
//
// The opening handshake is an ordinary net/http request (dial.go), so that
// it keeps what net/http gives: any HTTP method (WeChat's connectSocket
// "method" option), TLS, the DialContext hook, proxies (proxy.go: CONNECT
// tunnels for ws:// and wss:// as browsers open them, SOCKS5), and one
// context bounding DNS, TCP, TLS and the upgrade. net/http hands the
// upgraded connection over as the 101 response's body; from there the
// Conn reads and writes frames itself:
//
//   - frame.go parses frame headers and holds RFC 6455's rules for the
//     frames a server sends (masking, reserved bits and opcodes, control
//     frames, fragmentation, close codes and reasons);
//   - read.go reads messages: control frames are answered inline, text is
//     checked for UTF-8 as it arrives (1007 on the first bad byte), the
//     read limit fails the connection with 1009 from the frame header, and
//     a message buffer grows with the bytes received, never from what a
//     header announces; between messages a ws:// connection keeps no read
//     buffer (wait_unix.go);
//   - write.go masks each frame into a pooled buffer of its own, never the
//     caller's bytes, and writes header and payload in one call; WriteText
//     masks straight from a string;
//   - deflate.go negotiates and runs permessage-deflate with
//     compress/flate;
//   - conn.go ends connections: the close handshake bounded in time, and
//     on every kind of end the TCP connection closed and nothing kept.
//
// Errors that cross the package boundary are typed values: a
// *HandshakeError with a Kind, a *ClosedError whose Err is a
// *ProtocolViolation, *MessageTooBigError, *CloseTimeoutError,
// *DroppedError, ErrInvalidUTF8 or ErrAborted, and ErrNotConnected for a
// write on a connection that is over. Callers match them with errors.Is
// and errors.As, never by their text.
//
// CONFORMANCE.md lists the RFC 6455 cases the package is tested against.
package wire
