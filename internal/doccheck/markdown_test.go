package doccheck

import (
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// problem is a link that does not resolve.
type problem struct {
	file string // slash-separated, relative to the tree's root
	line int
	link string
	why  string
}

func (p problem) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", p.file, p.line, p.link, p.why)
}

// link is one link target in a Markdown file.
type link struct {
	line   int
	target string
}

var (
	// inlineLink matches [text](target) and ![alt](target), with an
	// optional title; the target may be in angle brackets.
	inlineLink = regexp.MustCompile(`!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^\s()]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)`)
	// refDefinition matches a reference definition: [label]: target.
	refDefinition = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)`)
	// htmlAnchor matches an explicit anchor, <a id="x"> or <a name="x">.
	htmlAnchor = regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)
	// headingLink matches a link inside a heading; its text is what shows.
	headingLink = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
)

// lines calls f for each line of src outside fenced code blocks, with its
// 1-based number.
func lines(src string, f func(n int, line string)) {
	fence := ""
	for i, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" {
				fence = ""
			}
			continue
		}
		if len(line)-len(trimmed) <= 3 {
			for _, marker := range []string{"```", "~~~"} {
				if strings.HasPrefix(trimmed, marker) {
					fence = trimmed[:len(trimmed)-len(strings.TrimLeft(trimmed, marker[:1]))]
				}
			}
			if fence != "" {
				continue
			}
		}
		f(i+1, line)
	}
}

// links returns the link targets of a Markdown document, outside code.
func links(src string) []link {
	var out []link
	lines(src, func(n int, line string) {
		line = blankCode(line)
		if m := refDefinition.FindStringSubmatch(line); m != nil {
			out = append(out, link{n, strings.Trim(m[1], "<>")})
			return
		}
		for _, m := range inlineLink.FindAllStringSubmatch(line, -1) {
			out = append(out, link{n, strings.Trim(m[1], "<>")})
		}
	})
	return out
}

// blankCode replaces inline code spans with spaces: brackets in code are
// not links. A span opens with a run of backticks and closes with a run of
// the same length.
func blankCode(line string) string {
	b := []byte(line)
	for i := 0; i < len(b); {
		if b[i] != '`' {
			i++
			continue
		}
		n := 1
		for i+n < len(b) && b[i+n] == '`' {
			n++
		}
		end := -1
		for j := i + n; j < len(b); {
			if b[j] != '`' {
				j++
				continue
			}
			m := 1
			for j+m < len(b) && b[j+m] == '`' {
				m++
			}
			if m == n {
				end = j + m
				break
			}
			j += m
		}
		if end < 0 {
			i += n
			continue
		}
		for k := i; k < end; k++ {
			b[k] = ' '
		}
		i = end
	}
	return string(b)
}

// anchors returns the anchors of a Markdown document's headings, as GitHub
// makes them, and its explicit HTML anchors.
func anchors(src string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	lines(src, func(_ int, line string) {
		for _, m := range htmlAnchor.FindAllStringSubmatch(line, -1) {
			out[m[1]] = true
		}
		trimmed := strings.TrimLeft(line, " ")
		if len(line)-len(trimmed) > 3 {
			return
		}
		level := len(trimmed) - len(strings.TrimLeft(trimmed, "#"))
		if level < 1 || level > 6 || (len(trimmed) > level && trimmed[level] != ' ' && trimmed[level] != '\t') {
			return
		}
		text := strings.TrimSpace(trimmed[level:])
		text = strings.TrimSpace(strings.TrimRight(text, "#")) // a closing sequence of #s
		s := slug(text)
		if n := seen[s]; n > 0 {
			out[s+"-"+strconv.Itoa(n)] = true
		} else {
			out[s] = true
		}
		seen[s]++
	})
	return out
}

// slug is GitHub's anchor for a heading's text: the text as rendered
// (links as their text, no code or emphasis markers), lower-cased, with
// every character that is not a letter, number, mark, '_' or '-' dropped,
// and each space made a '-'.
func slug(heading string) string {
	text := headingLink.ReplaceAllString(heading, "$1")
	text = strings.NewReplacer("`", "", "*", "").Replace(text)
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// external reports whether a target has a scheme (https:, mailto:, …) and
// so is not checked.
func external(target string) bool {
	u, err := url.Parse(target)
	return err == nil && u.Scheme != ""
}

// checkTree checks every .md file under root, skipping .git, node_modules
// and the directories skip names (slash-separated, relative to root).
func checkTree(root string, skip ...string) ([]problem, error) {
	var problems []problem
	cache := map[string]map[string]bool{} // anchors by file
	anchorsOf := func(path string) (map[string]bool, error) {
		if a, ok := cache[path]; ok {
			return a, nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		cache[path] = anchors(string(src))
		return cache[path], nil
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if d.Name() == ".git" || d.Name() == "node_modules" || slices.Contains(skip, rel) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(d.Name(), ".md") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, l := range links(string(src)) {
			if why := checkLink(root, path, l.target, anchorsOf); why != "" {
				problems = append(problems, problem{file: rel, line: l.line, link: l.target, why: why})
			}
		}
		return nil
	})
	return problems, err
}

// checkLink says what is wrong with target, a link in the file at path, or
// "" when it resolves.
func checkLink(root, path, target string, anchorsOf func(string) (map[string]bool, error)) string {
	if external(target) {
		return ""
	}
	file, anchor, _ := strings.Cut(target, "#")
	file, err := url.PathUnescape(file)
	if err != nil {
		return "the path is not validly %-escaped"
	}
	dest := path
	switch {
	case strings.HasPrefix(file, "/"):
		dest = filepath.Join(root, filepath.FromSlash(file))
	case file != "":
		dest = filepath.Join(filepath.Dir(path), filepath.FromSlash(file))
	}
	if r, err := filepath.Rel(root, dest); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "it points outside the repository"
	}
	info, err := os.Stat(dest)
	if err != nil {
		return "no such file or directory"
	}
	if anchor == "" {
		return ""
	}
	if info.IsDir() || !strings.HasSuffix(dest, ".md") {
		return "an anchor into something that is not a Markdown file"
	}
	a, err := anchorsOf(dest)
	if err != nil {
		return err.Error()
	}
	if !a[anchor] {
		return "no heading with the anchor #" + anchor
	}
	return ""
}
