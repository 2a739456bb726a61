package container

import (
	"errors"
	"fmt"
	"testing"

	"goc.dev/shared/process"
	"goc.dev/shared/syncsock"
)

func TestExitStatus(t *testing.T) {
	notFound := &initError{syncsock.Message{Type: syncsock.Error, Error: `exec "nope": executable file not found in $PATH`, Code: 127}}
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"goC's own failure", errors.New("create: cgroup: no space"), process.StatusRuntimeError},
		{"the init's failure, no status of its own", &initError{syncsock.Message{Type: syncsock.Error, Error: "mount /proc: EPERM"}}, process.StatusRuntimeError},
		{"a command that cannot run", notFound, 127},
		{"wrapped on its way out", fmt.Errorf("exec: %w", notFound), 127},
		{"cannot execute", &initError{syncsock.Message{Type: syncsock.Error, Code: 126}}, 126},
	} {
		if got := ExitStatus(tc.err); got != tc.want {
			t.Errorf("%s: ExitStatus(%v) = %d, want %d", tc.name, tc.err, got, tc.want)
		}
	}
	if got := notFound.Error(); got != `exec "nope": executable file not found in $PATH` {
		t.Errorf("an init error reads %q: the init's message, as it is", got)
	}
}
