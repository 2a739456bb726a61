package pty

import (
	"testing"

	"golang.org/x/sys/unix"
)

// The slave goes to the process's user; its group stays devpts's.
func TestOwn(t *testing.T) { // as root
	master, slave, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	defer slave.Close()
	var before, after unix.Stat_t
	if err := unix.Fstat(int(slave.Fd()), &before); err != nil {
		t.Fatal(err)
	}
	if err := Own(slave, 1234); err != nil {
		t.Fatalf("Own: %v", err)
	}
	if err := unix.Fstat(int(slave.Fd()), &after); err != nil {
		t.Fatal(err)
	}
	if after.Uid != 1234 || after.Gid != before.Gid {
		t.Fatalf("owner %d:%d, want 1234:%d", after.Uid, after.Gid, before.Gid)
	}
}

// Not relayed to the user's terminal (a console socket), the terminal
// starts with the configured size.
func TestStartSizeConfigured(t *testing.T) {
	want := Winsize{Rows: 33, Cols: 77}
	if got := StartSize(false, want); got != want {
		t.Fatalf("StartSize = %v, want %v", got, want)
	}
}
