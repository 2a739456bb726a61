package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunnerRetries: a goC column that differs from the expected file runs
// once more; a second run that matches is taken (~), one that differs
// again stands (!).
func TestRunnerRetries(t *testing.T) {
	mark := filepath.Join(t.TempDir(), "ran")
	suite := fakeSuite(t, map[string]string{
		"flaky":  `if [ -e ` + mark + ` ]; then echo "ok 1 - a"; else touch ` + mark + `; echo "not ok 1 - a"; fi; echo 1..1`,
		"broken": `echo "not ok 1 - a"; echo 1..1`,
	})
	work := t.TempDir()
	rt, err := NewRuntime("goC5", "/bin/true", work)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	r := newRunner(options{suite: suite, timeout: 10 * time.Second, env: "test"}, []Runtime{rt}, Expected{Files: map[string][]Entry{}}, work)
	r.out = &out
	r.cleanup = func(_ Runtime, tmp string) (Leftovers, error) { return Leftovers{}, os.RemoveAll(tmp) }
	for _, f := range []string{"flaky", "broken"} {
		if err := r.file(f); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"flaky                            1/0/0 ~", "broken                           0/1/0 !"} {
		if !strings.Contains(out.String(), want+"\n") {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	if len(r.retried) != 1 || r.retried[0].File != "flaky" {
		t.Errorf("retried = %v, want flaky's first run", r.retried)
	}
	out.Reset()
	if err := r.verdict(r.exp); !errors.Is(err, errMismatch) {
		t.Errorf("verdict = %v, want the mismatch of broken", err)
	}
	for _, want := range []string{`RETRIED: flaky (goC5): "a": not ok: not in the expected file`, `DIFFERS: broken (goC5): "a"`, "oci-test: 1 passed, 1 failed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("verdict lacks %q:\n%s", want, out.String())
		}
	}
}
