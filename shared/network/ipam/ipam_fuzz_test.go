package ipam

import (
	"errors"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzStore: whatever a lease file holds, Read and Update end in an error
// or in a file whose leases are distinct host addresses of the subnet and
// whose published ports each have one owner. Update refuses only a file of
// another subnet (or an allocation the file's leases forbid); a damaged
// file is rebuilt from what is live (here 10.77.0.9), whose address is
// then not handed out again.
func FuzzStore(f *testing.F) {
	for _, s := range []string{
		`{"subnet":"10.77.0.0/24","last":"10.77.0.3","leases":[{"ip":"10.77.0.2","owner":{"id":"a","pid":1,"start":1},"ports":[{"host":8080,"proto":"tcp"}]}]}`,
		`{"subnet":"10.77.0.0/24","leases":[{"ip":"10.77.0.2","owner":{"id":"a"}},{"ip":"10.77.0.2","owner":{"id":"b"}}]}`,
		`{"subnet":"10.77.0.0/24","leases":[{"ip":"10.77.0.255"},{"ip":"10.77.0.1"},{"ip":"10.9.0.2"}]}`,
		`{"subnet":"10.77.0.0/24","leases":null}`, `{"subnet":"10.78.0.0/24"}`, `{"subnet":"10.77.0.0/24"`, ``, `null`,
	} {
		f.Add([]byte(s))
	}
	subnet := netip.MustParsePrefix("10.77.0.0/24")
	dir := f.TempDir()
	old := slog.Default()
	slog.SetDefault(slog.New(slog.DiscardHandler)) // a warning per rebuilt file
	f.Cleanup(func() { slog.SetDefault(old) })
	live := Found{IP: netip.MustParseAddr("10.77.0.9"), Owner: owner("live"), Ports: []Port{{Host: 9090, Proto: "tcp"}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		st := Store{Path: filepath.Join(dir, "leases.json"), Live: func(netip.Prefix) ([]Found, error) { return []Found{live}, nil }}
		if err := os.WriteFile(st.Path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_ = os.Remove(st.Path + ".damaged")
		_, _ = st.Read()
		var got netip.Addr
		err := st.Update(subnet, func(s *State) error {
			var err error
			got, err = s.Allocate(owner("new"), []Port{{Host: 8080, Proto: "tcp"}})
			return err
		})
		if err != nil {
			if msg := err.Error(); !strings.Contains(msg, "has subnet") && !strings.Contains(msg, "already published") && !errors.Is(err, ErrExhausted) {
				t.Fatalf("lease file %q: Update: %v", data, err)
			}
			return
		}
		if _, err := os.Stat(st.Path + ".damaged"); err == nil && got == live.IP {
			t.Fatalf("lease file %q rebuilt, and the live address %s handed out again", data, got)
		}
		s, err := st.Read()
		if err != nil {
			t.Fatalf("lease file %q: Update wrote what Read refuses: %v", data, err)
		}
		if err := s.check(); err != nil {
			t.Fatalf("lease file %q accepted; after Update: %v", data, err)
		}
	})
}
