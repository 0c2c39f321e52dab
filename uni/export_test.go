package uni

// ReceiveBacklogOf reports t's receive backlog in bytes, for the tests
// that check its bound.
func ReceiveBacklogOf(t *SocketTask) int64 { return t.rx.size() }
