package platform

import (
	"errors"
	"strings"
)

// Punycode (RFC 3492) parameters for IDNA.
const (
	pcBase        = 36
	pcTMin        = 1
	pcTMax        = 26
	pcSkew        = 38
	pcDamp        = 700
	pcInitialBias = 72
	pcInitialN    = 128
)

// punycodeEncode encodes one label's code points as RFC 3492 section 6.3
// does, without the "xn--" prefix. It is the only piece of IDNA that
// matching a host needs: the label is lower-cased and checked before (see
// ParseHost), and the dialled URL carries the encoded form, so what is
// checked is what is dialled, without golang.org/x/net/idna's mapping
// tables.
func punycodeEncode(label []rune) (string, error) {
	var out strings.Builder
	basic := 0
	for _, r := range label {
		if r < 0x80 {
			out.WriteRune(r)
			basic++
		}
	}
	h := basic
	if basic > 0 {
		out.WriteByte('-')
	}
	n, delta, bias := rune(pcInitialN), 0, pcInitialBias
	for h < len(label) {
		m := rune(0x7fffffff)
		for _, r := range label {
			if r >= n && r < m {
				m = r
			}
		}
		step := int(m-n) * (h + 1)
		if step/(h+1) != int(m-n) || delta+step < delta {
			return "", errors.New("label too long to encode")
		}
		delta += step
		n = m
		for _, r := range label {
			if r < n {
				delta++
				if delta == 0 {
					return "", errors.New("label too long to encode")
				}
			}
			if r != n {
				continue
			}
			q := delta
			for k := pcBase; ; k += pcBase {
				t := k - bias
				switch {
				case t < pcTMin:
					t = pcTMin
				case t > pcTMax:
					t = pcTMax
				}
				if q < t {
					break
				}
				out.WriteByte(punyDigit(t + (q-t)%(pcBase-t)))
				q = (q - t) / (pcBase - t)
			}
			out.WriteByte(punyDigit(q))
			bias = punyAdapt(delta, h+1, h == basic)
			delta = 0
			h++
		}
		delta++
		n++
	}
	return out.String(), nil
}

func punyDigit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}

func punyAdapt(delta, numPoints int, first bool) int {
	if first {
		delta /= pcDamp
	} else {
		delta /= 2
	}
	delta += delta / numPoints
	k := 0
	for delta > ((pcBase-pcTMin)*pcTMax)/2 {
		delta /= pcBase - pcTMin
		k += pcBase
	}
	return k + (pcBase-pcTMin+1)*delta/(delta+pcSkew)
}
