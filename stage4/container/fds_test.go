package container

import (
	"encoding/json"
	"os"
	"testing"

	"goc.dev/shared/initproc"
)

// The layout the parent sends names, for each file, the descriptor the
// init finds it at: ExtraFiles[fd-3], whatever the mix of files.
func TestFdsRoundTrip(t *testing.T) {
	file := func(name string) *os.File { return os.NewFile(1<<20, name) } // compared, never used
	for _, tc := range []struct {
		name    string
		fifo    bool
		kept    int
		wantTop int
	}{
		{"create, nothing preserved", true, 0, 4},
		{"create, preserved", true, 3, 4 + 3},
		{"exec: no fifo", false, 2, 3 + 2},
		{"exec, nothing preserved", false, 0, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sync := file("sync")
			p := newPassing(sync)
			var l initproc.Fds
			want := map[int]*os.File{initproc.SyncFd: sync}
			if tc.fifo {
				f := file("fifo")
				l.Fifo = p.own(f)[0]
				want[l.Fifo] = f
			}
			var kept []*os.File
			for i := 0; i < tc.kept; i++ {
				kept = append(kept, file("preserved"))
			}
			l.Preserved = p.pass(kept...)

			b, err := json.Marshal(initproc.Config{Fds: l})
			if err != nil {
				t.Fatal(err)
			}
			var got initproc.Config
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			for i, fd := range got.Fds.Preserved {
				want[fd] = kept[i]
				if i > 0 && fd != got.Fds.Preserved[i-1]+1 {
					t.Errorf("preserved at %v: not in a row", got.Fds.Preserved)
				}
			}
			if len(want) != len(p.extra) {
				t.Fatalf("layout names %d descriptors, ExtraFiles has %d", len(want), len(p.extra))
			}
			for fd, f := range want {
				if fd < 3 || fd-3 >= len(p.extra) || p.extra[fd-3] != f {
					t.Errorf("fd %d is not %s's place in ExtraFiles", fd, f.Name())
				}
			}
			if !tc.fifo && got.Fds.Fifo != 0 {
				t.Errorf("no fifo passed, yet the layout has one at %d", got.Fds.Fifo)
			}
			if top := got.Fds.Top(); top != tc.wantTop || top != 2+len(p.extra) {
				t.Errorf("top = %d, want %d", top, tc.wantTop)
			}
			// The parent closes what it opened, never the caller's.
			if len(p.owned) != len(p.extra)-tc.kept {
				t.Errorf("owns %d of %d files, %d of them the caller's", len(p.owned), len(p.extra), tc.kept)
			}
			for _, f := range p.owned {
				if f.Name() == "preserved" {
					t.Error("the parent owns a preserved descriptor")
				}
			}
		})
	}
}
