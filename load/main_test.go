package load_test

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// safetyNet bounds every wait so a broken build fails instead of hanging.
// It is never an assertion about speed.
const safetyNet = 60 * time.Second
