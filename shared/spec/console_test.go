package spec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/pty"
)

// process.consoleSize becomes the terminal's size (rows from height).
func TestConvertConsoleSize(t *testing.T) {
	s := Default()
	s.Process.ConsoleSize = &specs.Box{Height: 33, Width: 77}
	p, _, err := Convert(s, bundle(t), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if p.ConsoleSize != (pty.Winsize{Rows: 33, Cols: 77}) {
		t.Fatalf("ConsoleSize = %+v", p.ConsoleSize)
	}
}
