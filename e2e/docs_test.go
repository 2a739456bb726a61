package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The chapters' commands are run as written (docs/e2e.md, "The docs
// blocks"): a fenced block whose info string is `sh` is a runnable block,
// `sh host` one that runs on the host only, `sh compat` one the compat suite
// runs; an `output` block right after one lists lines its output must hold.
// This file reads the blocks and checks the chapters' form; the runner is
// docs_run_test.go.

// Kinds of runnable block: their info strings.
const (
	blockSh     = "sh"
	blockHost   = "sh host"
	blockCompat = "sh compat"
	blockOutput = "output"
)

// A docBlock is one runnable block of a chapter.
type docBlock struct {
	File string   // the chapter's path
	Line int      // the line of its opening fence, counted from 1
	Kind string   // blockSh, blockHost or blockCompat
	Text string   // its commands, the fence's indentation removed
	Want []string // the lines of the output block after it (nil: none)
}

// Name is the block's subtest name: the chapter's file stem and the line
// of its opening fence, e.g. "stage1/L19".
func (b docBlock) Name() string {
	return fmt.Sprintf("%s/L%d", strings.TrimSuffix(filepath.Base(b.File), ".md"), b.Line)
}

// A fence is any fenced block of a chapter.
type fence struct {
	line, end int // opening and closing fence lines, from 1
	info      string
	text      string
}

// docBlocks returns the runnable blocks of kind (blockSh, blockHost or
// blockCompat) of the chapter at path, each with its output block. The
// compat suite runs the blockCompat ones with it.
func docBlocks(path, kind string) ([]docBlock, error) {
	all, err := readDocBlocks(path)
	if err != nil {
		return nil, err
	}
	var out []docBlock
	for _, b := range all {
		if b.Kind == kind {
			out = append(out, b)
		}
	}
	return out, nil
}

// readDocBlocks returns every runnable block of the chapter at path, or the
// first way the chapter breaks the convention.
func readDocBlocks(path string) ([]docBlock, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fences, err := parseFences(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var blocks []docBlock
	lines := strings.Split(string(data), "\n")
	for i, f := range fences {
		switch {
		case isRunnable(f.info):
			blocks = append(blocks, docBlock{File: path, Line: f.line, Kind: f.info, Text: f.text})
		case strings.HasPrefix(f.info, "sh ") || f.info == "shell" || f.info == "bash":
			return nil, fmt.Errorf("%s:%d: info string %q: a runnable block is `sh`, `sh host` or `sh compat`", path, f.line, f.info)
		case f.info == blockOutput:
			if i == 0 || !isRunnable(fences[i-1].info) || !onlyBlank(lines[fences[i-1].end:f.line-1]) {
				return nil, fmt.Errorf("%s:%d: an output block must follow a runnable block directly (blank lines only between)", path, f.line)
			}
			blocks[len(blocks)-1].Want = wantLines(f.text)
		}
	}
	return blocks, nil
}

func isRunnable(info string) bool {
	return info == blockSh || info == blockHost || info == blockCompat
}

func onlyBlank(lines []string) bool {
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			return false
		}
	}
	return true
}

// wantLines are an output block's lines, blank ones left out.
func wantLines(text string) []string {
	want := []string{}
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimRight(l, " \t\r"); strings.TrimSpace(l) != "" {
			want = append(want, l)
		}
	}
	return want
}

var fenceRE = regexp.MustCompile("^( *)(```+|~~~+)[ \t]*(.*)$")

// parseFences finds the fenced blocks of a markdown text (CommonMark's
// rules, as far as the chapters use them: a fence may be indented, as in a
// list item; its indentation is removed from the lines inside).
func parseFences(md string) ([]fence, error) {
	var out []fence
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		m := fenceRE.FindStringSubmatch(lines[i])
		if m == nil || len(m[1]) > 3 {
			continue
		}
		indent, mark := len(m[1]), m[2]
		f := fence{line: i + 1, info: strings.Join(strings.Fields(m[3]), " ")}
		var body []string
		for i++; ; i++ {
			if i == len(lines) {
				return nil, fmt.Errorf("line %d: the block is not closed", f.line)
			}
			if t := strings.TrimLeft(lines[i], " "); strings.HasPrefix(t, mark) && strings.Trim(t, mark[:1]+" \t") == "" {
				break
			}
			body = append(body, dedent(lines[i], indent))
		}
		f.end, f.text = i+1, strings.Join(body, "\n")
		if len(body) > 0 {
			f.text += "\n"
		}
		out = append(out, f)
	}
	return out, nil
}

// dedent removes up to n leading spaces.
func dedent(line string, n int) string {
	for n > 0 && strings.HasPrefix(line, " ") {
		line, n = line[1:], n-1
	}
	return line
}

// shownCommand is a line that shows a goC, Docker, Podman or containerd
// command at a prompt: outside a runnable block it is never run.
// A root prompt ("# ") counts inside fenced listings only: in prose it is
// a heading.
var (
	shownCommand = regexp.MustCompile(`^\s*\$ +` + promptedCommand)
	shownAsRoot  = regexp.MustCompile(`^\s*# +` + promptedCommand)
)

// A runnable block holds commands only, no prompts.
var promptInBlock = regexp.MustCompile(`^\s*\$ `)

const promptedCommand = `(?:sudo +)?(?:(?:goC|goCd|goC-cli|docker|podman|ctr)(?:\s|$)|\./bin/)`

// TestDocsShowOnlyRunnableCommands keeps the chapters' form: every block is
// closed, an output block follows a runnable block, and every command a
// chapter shows is in a runnable block (TestDocBlocks runs those).
func TestDocsShowOnlyRunnableCommands(t *testing.T) {
	docs := os.Getenv("GOC_DOCS") // another checkout's chapters, to try them
	if docs == "" {
		docs = "../docs"
	}
	chapters, _ := filepath.Glob(filepath.Join(docs, "*.md"))
	if len(chapters) == 0 {
		t.Fatalf("no chapters in %s", docs)
	}
	runnable := 0
	for _, p := range chapters {
		blocks, err := readDocBlocks(p)
		if err != nil {
			t.Error(err)
			continue
		}
		runnable += len(blocks)
		offenders := shownCommands(t, p)
		for _, o := range offenders {
			t.Errorf("%s: a command at a prompt: put it in a runnable block, without the prompt (docs/e2e.md)", o)
		}
	}
	if runnable == 0 {
		t.Errorf("no runnable blocks in %s", docs)
	}
}

// shownCommands returns "FILE:LINE: text" for each line outside runnable
// blocks that shows a command at a prompt, and each prompt inside one.
func shownCommands(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fences, err := parseFences(string(data))
	if err != nil {
		t.Fatal(err)
	}
	const runnable, listing = 1, 2
	in := map[int]int{} // line → what holds it, 0 for prose
	for _, f := range fences {
		for l := f.line; l <= f.end; l++ {
			in[l] = listing
			if isRunnable(f.info) {
				in[l] = runnable
			}
		}
	}
	var out []string
	for i, line := range strings.Split(string(data), "\n") {
		if in[i+1] == runnable && promptInBlock.MatchString(line) ||
			in[i+1] != runnable && shownCommand.MatchString(line) || in[i+1] == listing && shownAsRoot.MatchString(line) {
			out = append(out, fmt.Sprintf("%s:%d: %s", path, i+1, line))
		}
	}
	return out
}

// TestDocsParseBlocks: the reader finds indented blocks and their output,
// and refuses what breaks the convention.
func TestDocsParseBlocks(t *testing.T) {
	dir := t.TempDir()
	good := "# T\n\n```sh\nmake stage1 rootfs\n```\n\n```output\nA...\n\nB\n```\n\n- item\n  ```sh host\n  echo x\n  ```\n```text\n$ not a block\n```\n"
	p := filepath.Join(dir, "good.md")
	if err := os.WriteFile(p, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	blocks, err := readDocBlocks(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 2 || blocks[0].Name() != "good/L3" || blocks[0].Text != "make stage1 rootfs\n" ||
		strings.Join(blocks[0].Want, "|") != "A...|B" || blocks[1].Kind != blockHost || blocks[1].Text != "echo x\n" ||
		blocks[1].Want != nil {
		t.Errorf("blocks = %+v", blocks)
	}
	if host, _ := docBlocks(p, blockHost); len(host) != 1 || host[0].Line != 14 {
		t.Errorf("docBlocks(host) = %+v", host)
	}
	for name, md := range map[string]string{
		"unclosed":     "```sh\necho\n",
		"orphan":       "```output\nx\n```\n",
		"prose-before": "```sh\necho\n```\ntext\n```output\nx\n```\n",
		"two-outputs":  "```sh\necho\n```\n```output\nx\n```\n```output\ny\n```\n",
		"unknown-kind": "```sh vm\necho\n```\n",
	} {
		p := filepath.Join(dir, name+".md")
		if err := os.WriteFile(p, []byte(md), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := readDocBlocks(p); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestDocsShownCommands: prompts outside runnable blocks are found.
func TestDocsShownCommands(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.md")
	md := "```sh\n# ./bin/goC here is fine\n$ ls\n```\n```console\n$ sudo ./bin/goC run x\n# docker ps\n$ ls\n```\n$ goC-cli ps\n# goCd, a heading\n"
	if err := os.WriteFile(p, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	got := shownCommands(t, p)
	if len(got) != 4 || !strings.HasSuffix(got[0], ":3: $ ls") || !strings.HasSuffix(got[1], ":6: $ sudo ./bin/goC run x") ||
		!strings.HasSuffix(got[3], ":10: $ goC-cli ps") {
		t.Errorf("shownCommands = %q", got)
	}
}

// TestDocsOutputMatch: wanted lines in order, whole lines, "..." for any text.
func TestDocsOutputMatch(t *testing.T) {
	out := "pid=1\n/bin/busybox  \nCapEff:\t000001ffffffffff\nlast\n"
	for want, miss := range map[string]string{
		"pid=1|/bin/busybox":     "",
		"CapEff:\t...|last":      "",
		"...busy...|pid=1":       "pid=1", // out of order
		"pid=":                   "pid=",  // a whole line
		"/bin/busybox|/bin/busy": "/bin/busy",
	} {
		if got := matchOutput(strings.Split(want, "|"), out); got != miss {
			t.Errorf("matchOutput(%q) = %q, want %q", want, got, miss)
		}
	}
	if got := matchOutput(nil, ""); got != "" {
		t.Errorf("no output block: %q", got)
	}
}

// TestDocsVMRewrite: in the VM, `make stageN …` lines become the links the
// target makes, one line for one; other lines stay as written.
func TestDocsVMRewrite(t *testing.T) {
	in := "make stage1 rootfs\n  make stage5   # the daemon too\nmake lint\necho make stage2\nsudo ./bin/goC run build/rootfs true\n"
	links := func(n string) string {
		return "test -x bin/stage" + n + "/goC && for p in goC goCd goC-cli; do if [ -e bin/stage" + n + "/$p ]; then ln -sfn stage" + n + "/$p bin/$p; else rm -f bin/$p; fi; done"
	}
	want := links("1") + " && test -x build/rootfs/bin/busybox # was: make stage1 rootfs\n" +
		"  " + links("5") + " # was: make stage5   # the daemon too\n" +
		"make lint\necho make stage2\nsudo ./bin/goC run build/rootfs true\n"
	if got := vmRewrite(in); got != want {
		t.Errorf("vmRewrite:\n%s\nwant:\n%s", got, want)
	}
}

// TestDocsVMCheckout runs a block the way the VM does, against stand-in
// binaries: the links, the rootfs copy, the passthrough sudo and the
// reader's environment (no GOC_ variable).
func TestDocsVMCheckout(t *testing.T) {
	host := t.TempDir()
	for _, f := range []string{"bin/stage1/goC", "bin/stage5/goC", "bin/stage5/goCd", "bin/stage5/goC-cli", "rootfs/bin/busybox"} {
		p := filepath.Join(host, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		script := "#!/bin/sh\necho " + f + " \"$@\"\n"
		if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("GOC_BIN", filepath.Join(host, "bin"))
	t.Setenv("GOC_ROOTFS", filepath.Join(host, "rootfs"))
	r := &docsRunner{env: readerEnv(), vm: true}
	r.vmCheckout(t, t.TempDir())
	block := "make stage5\nmake stage1 rootfs\nsudo ./bin/goC run build/rootfs true\n! test -e bin/goCd\nmake stage5\nsudo -E ./bin/goCd --x\n./bin/goC-cli ps\n" +
		"test -d build/rootfs && ! test -L build/rootfs && test -L docs\necho \"${GOC_BIN:-unset}\"\n" +
		"grep -q 'docs runner' \"$(command -v sudo)\" && echo passthrough\n"
	out, err := runBlock(r.dir, r.env, vmRewrite(block))
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := []string{"bin/stage1/goC run build/rootfs true", "bin/stage5/goCd --x", "bin/stage5/goC-cli ps", "unset", "passthrough"}
	if miss := matchOutput(want, out); miss != "" {
		t.Errorf("no line %q in:\n%s", miss, out)
	}
	if _, err := runBlock(r.dir, r.env, "make stage2\n"); err == nil {
		t.Error("make stage2 with no bin/stage2: no error")
	}
}

// TestDocsLeakNames: what the leak check counts as a block's.
func TestDocsLeakNames(t *testing.T) {
	for p, want := range map[string]bool{
		"/goC/" + strings.Repeat("ab", 32): true,
		"/goc-limits":                      true,
		"/6f1c0a2b3c4d":                    true,
		"/system.slice/ssh.service":        false,
		"/user.slice/user-1000.slice":      false,
	} {
		if goCName(p) != want {
			t.Errorf("goCName(%q) = %v", p, !want)
		}
	}
	for mp, want := range map[string]bool{
		"/tmp/tmp.abc/rootfs":          true,
		"/repo/build/x":                true,
		"/run/netns/b1":                true,
		"/var/lib/goC/overlay/x":       true,
		"/tmp/go-test-script123/x/mnt": false, // a scenario's
		"/home/u/mnt":                  false,
		"/repository":                  false,
	} {
		if blockMount(mp, "/repo") != want {
			t.Errorf("blockMount(%q) = %v", mp, !want)
		}
	}
	if got := unescapeMount(`/tmp/a\040b`); got != "/tmp/a b" {
		t.Errorf("unescapeMount = %q", got)
	}
	if n := newSince(hostObjects{"a": true, "b": true}, hostObjects{"b": true, "c": true}); len(n) != 1 || !n["c"] {
		t.Errorf("newSince = %v", n)
	}
}
