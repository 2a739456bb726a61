package namespace

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestCloneFlags(t *testing.T) {
	cases := []struct {
		name  string
		types []Type
		want  uintptr
		err   bool
	}{
		{"none", nil, 0, false},
		{"stage1", []Type{PID, Mount, UTS, IPC}, unix.CLONE_NEWPID | unix.CLONE_NEWNS | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC, false},
		{"all", []Type{PID, Mount, UTS, IPC, Network, User, Cgroup},
			unix.CLONE_NEWPID | unix.CLONE_NEWNS | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC | unix.CLONE_NEWNET | unix.CLONE_NEWUSER | unix.CLONE_NEWCGROUP, false},
		{"unknown", []Type{"time2"}, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CloneFlags(tc.types...)
			if (err != nil) != tc.err {
				t.Fatalf("CloneFlags(%v) error = %v, want error %v", tc.types, err, tc.err)
			}
			if got != tc.want {
				t.Fatalf("CloneFlags(%v) = %#x, want %#x", tc.types, got, tc.want)
			}
		})
	}
}
