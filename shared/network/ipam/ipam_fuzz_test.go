package ipam

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

// FuzzStore: whatever a lease file holds, Read and Update end in an error
// or in a file whose leases are distinct host addresses of the subnet and
// whose published ports each have one owner.
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
	f.Fuzz(func(t *testing.T, data []byte) {
		st := Store{Path: filepath.Join(dir, "leases.json")}
		if err := os.WriteFile(st.Path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, _ = st.Read()
		err := st.Update(subnet, func(s *State) error {
			_, err := s.Allocate(owner("new"), []Port{{Host: 8080, Proto: "tcp"}})
			return err
		})
		if err != nil {
			return
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
