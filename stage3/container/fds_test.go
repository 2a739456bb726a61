package container

import (
	"os"
	"slices"
	"testing"
)

// The init finds each file the parent passes at the descriptor the parent
// names: ExtraFiles[fd-3], the sync socket first. Once the init has its
// copies, the parent closes its own.
func TestPassing(t *testing.T) {
	open := func() *os.File {
		f, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	sync, a, b := open(), open(), open()
	p := newPassing(sync)
	if fds := p.own(a, b); !slices.Equal(fds, []int{syncFd + 1, syncFd + 2}) {
		t.Errorf("own = %v, want [4 5]", fds)
	}
	if !slices.Equal(p.extra, []*os.File{sync, a, b}) {
		t.Errorf("ExtraFiles = %v", p.extra)
	}
	p.close()
	for _, f := range []*os.File{sync, a, b} {
		if f.Fd() != ^uintptr(0) {
			t.Errorf("%s still open after close", f.Name())
		}
	}
	p.close() // nothing left to close
}

func TestFiles(t *testing.T) {
	const fd = 1 << 20 // compared, never used
	fs := files([]int{fd, fd + 3})
	if len(fs) != 2 || fs[0].Fd() != fd || fs[1].Fd() != fd+3 || fs[1].Name() != "fd 1048579" {
		t.Errorf("files = %v", fs)
	}
}
