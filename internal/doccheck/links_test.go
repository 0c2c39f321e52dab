package doccheck

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRepositoryLinks is the check itself: every relative link and anchor
// in every Markdown file of the repository resolves.
func TestRepositoryLinks(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the repository root %s has no go.mod: %v", root, err)
	}
	problems, err := checkTree(root, "internal/doccheck/testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("broken link: %s", p)
	}
}

// TestCheckerFindsBrokenLinks runs the checker on a fixture with a file of
// good links and a file of broken ones, so that a checker that passes
// everything fails here.
func TestCheckerFindsBrokenLinks(t *testing.T) {
	problems, err := checkTree("testdata/fixture")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	want := []string{
		"bad.md:5: missing.md: no such file or directory",
		"bad.md:6: sub/other.md#no-such-heading: no heading with the anchor #no-such-heading",
		"bad.md:7: #not-here: no heading with the anchor #not-here",
		"bad.md:8: ../../../../go.mod: it points outside the repository",
		"bad.md:9: sub/missing.png: no such file or directory",
		"bad.md:10: sub/other.md#Title: no heading with the anchor #Title",
		"bad.md:11: good.md#setup-2: no heading with the anchor #setup-2",
		"bad.md:12: sub/#x: an anchor into something that is not a Markdown file",
		"bad.md:16: gone.md: no such file or directory",
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n got  %q\n want %q", got, want)
	}
}

func TestSlug(t *testing.T) {
	for _, tc := range []struct{ heading, want string }{
		{"Sources", "sources"},
		{"1. Implementation families", "1-implementation-families"},
		{"2.1 Callbacks and errMsg", "21-callbacks-and-errmsg"},
		{"Decisions where platforms disagree", "decisions-where-platforms-disagree"},
		{"The `uni` package — its API", "the-uni-package--its-api"},
		{"A [link](x.md) and *emphasis*", "a-link-and-emphasis"},
		{"snake_case and 中文 标题", "snake_case-and-中文-标题"},
		{"What's new?", "whats-new"},
	} {
		if got := slug(tc.heading); got != tc.want {
			t.Errorf("slug(%q) = %q, want %q", tc.heading, got, tc.want)
		}
	}
}
