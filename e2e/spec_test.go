package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

var execCommand = exec.Command

// specedit FILE PATH=JSON… sets values in a config.json, addressed by
// dotted paths: root.path="/x" process.args='["sh","-c","…"]'
// process.terminal=false. A missing object on the way is created; a value
// that is not JSON is taken as a string.
func specedit() {
	if len(os.Args) < 3 {
		fatalf("usage: specedit config.json path=value…")
	}
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		fatalf("specedit: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		fatalf("specedit: %v", err)
	}
	for _, a := range os.Args[2:] {
		path, raw, ok := strings.Cut(a, "=")
		if !ok {
			fatalf("specedit: %q is not path=value", a)
		}
		var v any
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			v = raw
		}
		keys := strings.Split(path, ".")
		m := doc
		for _, k := range keys[:len(keys)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		if v == nil {
			delete(m, keys[len(keys)-1])
		} else {
			m[keys[len(keys)-1]] = v
		}
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		fatalf("specedit: %v", err)
	}
	if err := os.WriteFile(os.Args[1], out, 0o644); err != nil {
		fatalf("specedit: %v", err)
	}
}

// waitstate ROOT ID STATUS waits (20 s at most) until goC --root ROOT
// state ID reports STATUS.
func waitstate() {
	if len(os.Args) != 4 {
		fatalf("usage: waitstate root id status")
	}
	var last string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		out, err := runOut("goC", "--root", os.Args[1], "state", os.Args[2])
		if err != nil {
			last = err.Error()
			continue
		}
		var st struct{ Status string }
		if json.Unmarshal([]byte(out), &st) == nil && st.Status == os.Args[3] {
			return
		}
		last = out
	}
	fatalf("waitstate: %s never became %s: %s", os.Args[2], os.Args[3], last)
}

func runOut(name string, args ...string) (string, error) {
	b, err := execCommand(name, args...).CombinedOutput()
	if err != nil {
		return string(b), fmt.Errorf("%w: %s", err, b)
	}
	return string(b), nil
}
