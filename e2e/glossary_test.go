package e2e

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestLayoutDocLinks keeps the chapters' links true: every relative link
// and image of README.md and docs/*.md (the glossary's code paths, the
// pictures, one chapter to another) names a file or directory that exists.
// Links to the web and to a place in the same page (#…) are not followed.
func TestLayoutDocLinks(t *testing.T) {
	pages, _ := filepath.Glob("../docs/*.md")
	pages = append(pages, "../README.md")
	checked := 0
	for _, page := range pages {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range docLinks(string(b)) {
			checked++
			target := filepath.Join(filepath.Dir(page), l.target)
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s:%d: the link %q leads nowhere: %v", strings.TrimPrefix(page, "../"), l.line, l.target, err)
			}
		}
	}
	if checked == 0 {
		t.Fatal("found no relative links in README.md and docs/*.md")
	}
}

// TestLayoutDocLinksFound: what docLinks takes for a link, and what not.
func TestLayoutDocLinksFound(t *testing.T) {
	page := strings.Join([]string{
		"See [the code](../shared/cgroups/cgroups.go#L60) and ![a picture](pictures/lifecycle.svg).",
		"Two on a line: [a](stage1.md#try-it), [b](<../stage2/cli/run.go>) `[not](in-code.go)`.",
		"[web](https://example.com/x) [here](#the-lifecycle) [mail](mailto:a@b)",
		"```text",
		"[in a listing](nowhere.go)",
		"```",
		"[ref]: ../shared/spec \"a title\"",
	}, "\n")
	want := []docLink{
		{1, "../shared/cgroups/cgroups.go"}, {1, "pictures/lifecycle.svg"},
		{2, "stage1.md"}, {2, "../stage2/cli/run.go"},
		{7, "../shared/spec"},
	}
	if got := docLinks(page); !reflect.DeepEqual(got, want) {
		t.Errorf("docLinks =\n%v\nwant\n%v", got, want)
	}
}

// A docLink is a relative link's target (no #fragment) and its line.
type docLink struct {
	line   int
	target string
}

var (
	inlineLink = regexp.MustCompile(`!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	refLink    = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s+<?([^\s>]+)>?`)
	inlineCode = regexp.MustCompile("`[^`]*`")
	scheme     = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

// docLinks lists the relative links of a Markdown page, outside fenced
// blocks and inline code.
func docLinks(page string) []docLink {
	var links []docLink
	fence := ""
	for i, line := range strings.Split(page, "\n") {
		if trimmed := strings.TrimSpace(line); fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			continue
		} else if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			continue
		}
		line = inlineCode.ReplaceAllString(line, "")
		var targets []string
		for _, m := range inlineLink.FindAllStringSubmatch(line, -1) {
			targets = append(targets, m[1])
		}
		if m := refLink.FindStringSubmatch(line); m != nil {
			targets = append(targets, m[1])
		}
		for _, target := range targets {
			target, _, _ = strings.Cut(target, "#")
			if target != "" && !scheme.MatchString(target) {
				links = append(links, docLink{i + 1, target})
			}
		}
	}
	return links
}
