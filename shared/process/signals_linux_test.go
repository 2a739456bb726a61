package process

import (
	"syscall"
	"testing"
)

func TestParseSignal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want syscall.Signal // -1: invalid
	}{
		{"0", 0}, // no signal: kill's liveness probe
		{"TERM", syscall.SIGTERM},
		{"SIGTERM", syscall.SIGTERM},
		{"term", syscall.SIGTERM},
		{"sigkill", syscall.SIGKILL},
		{"9", syscall.SIGKILL},
		{"15", syscall.SIGTERM},
		{"64", syscall.Signal(64)},
		{"HUP", syscall.SIGHUP},
		{"SIGUSR1", syscall.SIGUSR1},
		{"-1", -1},
		{"65", -1},
		{"", -1},
		{"SIG", -1},
		{"BOGUS", -1},
		{"SIGSIGTERM", -1},
	} {
		got, err := ParseSignal(tc.in)
		if tc.want == -1 {
			if err == nil {
				t.Errorf("ParseSignal(%q) = %d, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseSignal(%q) = %d, %v, want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestSignalName(t *testing.T) {
	for sig, want := range map[syscall.Signal]string{syscall.SIGTERM: "SIGTERM", syscall.SIGKILL: "SIGKILL", syscall.SIGWINCH: "SIGWINCH", 200: ""} {
		if got := signalName(sig); got != want {
			t.Errorf("signalName(%d) = %q, want %q", sig, got, want)
		}
	}
}
