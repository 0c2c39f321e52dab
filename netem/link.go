package netem

import (
	"math/rand/v2"
	"time"
)

// SegmentSize is the unit the links pace, jitter and lose: a TCP segment
// on Ethernet (1500-byte MTU less 40 bytes of IP and TCP headers).
const SegmentSize = 1460

// QueueLimit bounds the memory in flight on each direction of a
// connection: bytes written and not yet delivered to the peer, or
// received and not yet due to the reader, plus segmentCost for each
// segment, so that many tiny writes cannot hold more than large ones.
const QueueLimit = 1 << 20

// segmentCost is what the queue counts for a segment beside its bytes:
// its entry in the queue.
const segmentCost = 64

// segment is a run of bytes due at one instant.
type segment struct {
	b   []byte
	due time.Time
}

// link is one direction of a shaped connection: the segments in flight,
// in order, and when its bottleneck is free again. The Conn's mutex
// guards it.
type link struct {
	q      []segment // q[head:] are in flight
	head   int
	queued int       // bytes in q[head:], plus segmentCost each
	free   time.Time // when the last segment has left the bottleneck
	last   time.Time // when the last segment is due
	stalls int       // segments lost so far
}

// add schedules b, sent at now, under conditions c with rate bytes per
// second (0: no limit). b is kept, not copied. It returns how many
// segments were lost.
func (l *link) add(b []byte, now time.Time, c Conditions, rate int64, rng *rand.Rand) (lost int) {
	oneWay := c.Latency / 2
	for len(b) > 0 {
		seg := b[:min(len(b), SegmentSize)]
		b = b[len(seg):]
		start := now
		if l.free.After(start) {
			start = l.free
		}
		if c.Loss > 0 && rng.Float64() < c.Loss {
			// TCP retransmits the segment after its timeout and
			// everything behind it waits: the link stalls.
			start = start.Add(c.rto())
			l.stalls++
			lost++
		}
		if rate > 0 {
			start = start.Add(time.Duration(float64(len(seg)) / float64(rate) * float64(time.Second)))
		}
		l.free = start
		delay := oneWay
		if c.Jitter > 0 {
			delay += time.Duration((rng.Float64() - 0.5) * float64(c.Jitter))
		}
		due := start.Add(max(0, delay))
		if due.Before(l.last) {
			due = l.last // jitter never reorders
		}
		l.last = due
		l.q = append(l.q, segment{seg, due})
		l.queued += len(seg) + segmentCost
	}
	return lost
}

// empty reports whether nothing is in flight.
func (l *link) empty() bool { return l.head == len(l.q) }

// next returns the first segment in flight; the link must not be empty.
func (l *link) next() *segment { return &l.q[l.head] }

// take removes n bytes from the front of the first segment.
func (l *link) take(n int) {
	s := &l.q[l.head]
	s.b = s.b[n:]
	l.queued -= n
	if len(s.b) == 0 {
		l.queued -= segmentCost
		l.q[l.head] = segment{}
		l.head++
		if l.head == len(l.q) {
			l.q, l.head = l.q[:0], 0
		} else if l.head > 64 && l.head > len(l.q)/2 {
			// Slide the live segments down so the slice does not grow
			// with everything ever sent.
			n := copy(l.q, l.q[l.head:])
			clear(l.q[n:])
			l.q, l.head = l.q[:n], 0
		}
	}
}

// drop forgets everything in flight.
func (l *link) drop() {
	clear(l.q)
	l.q, l.head, l.queued = nil, 0, 0
}
