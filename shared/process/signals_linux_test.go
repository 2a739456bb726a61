package process

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
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

// A signal goC receives after Catch and before To waits for To, then goes
// to the process To names; after Stop, goC takes no more signals' default
// action (it is cleaning up) and passes none on.
func TestCatchHoldsUntilTo(t *testing.T) {
	f := Catch()
	<-f.catching
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f.To(cmd.Process.Pid)
	err := cmd.Wait()
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGUSR1 {
		t.Fatalf("sleep ended with %v (%v), want killed by SIGUSR1", ws, err)
	}
	f.Stop()
	f.Stop() // twice is harmless
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // still here: SIGUSR2 did not end the test
}
