package ipam

import (
	"bytes"
	"errors"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestRebuild(t *testing.T) {
	subnet := netip.MustParsePrefix("10.77.0.0/24")
	ip := netip.MustParseAddr
	web := []Port{{Host: 8080, Proto: "tcp"}}
	cases := []struct {
		name  string
		found []Found
		want  State
	}{
		{"nothing in use", nil, State{Subnet: subnet}},
		{"each address in use gets a lease; allocation goes on after the highest",
			[]Found{{IP: ip("10.77.0.9"), Owner: owner("b")}, {IP: ip("10.77.0.3"), Owner: owner("a"), Ports: web}},
			State{Subnet: subnet, Last: ip("10.77.0.9"), Leases: []Lease{
				{IP: ip("10.77.0.9"), Owner: owner("b")}, {IP: ip("10.77.0.3"), Owner: owner("a"), Ports: web}}}},
		{"an address outside the host range is not the subnet's to lease",
			[]Found{{IP: ip("10.77.0.1"), Owner: owner("gw")}, {IP: ip("10.77.0.255"), Owner: owner("bc")},
				{IP: ip("10.9.0.2"), Owner: owner("other")}, {Owner: owner("none")}},
			State{Subnet: subnet}},
		{"an address used twice is leased once, a port published twice stays with its first owner",
			[]Found{{IP: ip("10.77.0.2"), Owner: owner("a"), Ports: web}, {IP: ip("10.77.0.2"), Owner: owner("b")},
				{IP: ip("10.77.0.4"), Owner: owner("c"), Ports: append(web, Port{Host: 53, Proto: "udp"})}},
			State{Subnet: subnet, Last: ip("10.77.0.4"), Leases: []Lease{
				{IP: ip("10.77.0.2"), Owner: owner("a"), Ports: web},
				{IP: ip("10.77.0.4"), Owner: owner("c"), Ports: []Port{{Host: 53, Proto: "udp"}}}}}},
		{"an owner without a valid ID is named after its address",
			[]Found{{IP: ip("10.77.0.7"), Owner: owner("")}, {IP: ip("10.77.0.8"), Owner: owner("../x")}},
			State{Subnet: subnet, Last: ip("10.77.0.8"), Leases: []Lease{
				{IP: ip("10.77.0.7"), Owner: owner("unknown-10-77-0-7")},
				{IP: ip("10.77.0.8"), Owner: owner("unknown-10-77-0-8")}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Rebuild(subnet, c.found)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("Rebuild:\n got %+v\nwant %+v", got, c.want)
			}
			if err := got.check(); err != nil {
				t.Fatalf("a rebuilt state fails check: %v", err)
			}
		})
	}
}

// logs captures slog's output for one test.
func logs(t *testing.T) *bytes.Buffer {
	var b bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&b, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	return &b
}

// TestDamagedFile: a lease file that cannot be used is moved aside and the
// leases rebuilt from what is live (a container at 10.77.0.5 publishing
// 8080/tcp); the new address and port are then not the live one's.
func TestDamagedFile(t *testing.T) {
	subnet := netip.MustParsePrefix("10.77.0.0/24")
	live := []Found{{IP: netip.MustParseAddr("10.77.0.5"), Owner: owner("alive"), Ports: []Port{{Host: 8080, Proto: "tcp"}}}}
	for name, content := range map[string]string{
		"garbled":            `{"subnet":"10.77.0.0/24","leases":[{"ip":"10.7`,
		"empty":              ``,
		"not JSON":           "\x00\x01garbage",
		"null":               `null`,
		"no subnet":          `{"leases":[]}`,
		"an address twice":   `{"subnet":"10.77.0.0/24","leases":[{"ip":"10.77.0.2","owner":{"id":"a"}},{"ip":"10.77.0.2","owner":{"id":"b"}}]}`,
		"outside subnet":     `{"subnet":"10.77.0.0/24","leases":[{"ip":"10.9.0.2","owner":{"id":"a"}}]}`,
		"a port twice":       `{"subnet":"10.77.0.0/24","leases":[{"ip":"10.77.0.2","owner":{"id":"a"},"ports":[{"host":80,"proto":"tcp"}]},{"ip":"10.77.0.3","owner":{"id":"b"},"ports":[{"host":80,"proto":"tcp"}]}]}`,
		"owner ID is a path": `{"subnet":"10.77.0.0/24","leases":[{"ip":"10.77.0.2","owner":{"id":"../.."}}]}`,
		"owner ID is empty":  `{"subnet":"10.77.0.0/24","leases":[{"ip":"10.77.0.2","owner":{"id":""}}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			log := logs(t)
			st := Store{Path: filepath.Join(t.TempDir(), "goC0.json"), Live: func(p netip.Prefix) ([]Found, error) {
				if p != subnet {
					t.Errorf("Live asked for %s", p)
				}
				return live, nil
			}}
			if err := os.WriteFile(st.Path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			var got netip.Addr
			err := st.Update(subnet, func(s *State) error {
				var err error
				if _, err = s.Allocate(owner("new"), []Port{{Host: 8080, Proto: "tcp"}}); err == nil {
					t.Error("port 8080/tcp of the live container published again")
				}
				got, err = s.Allocate(owner("new"), nil)
				return err
			})
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			if got != netip.MustParseAddr("10.77.0.6") {
				t.Errorf("allocated %s, want 10.77.0.6 (after the live 10.77.0.5)", got)
			}
			if kept, err := os.ReadFile(st.Path + ".damaged"); err != nil || string(kept) != content {
				t.Errorf("damaged file kept as %q, %v; want %q", kept, err, content)
			}
			s, err := st.Read()
			if err != nil || len(s.Leases) != 2 || s.Leases[0].Owner.ID != "alive" || s.Leases[1].IP != got {
				t.Errorf("lease file after Update: %+v, %v", s, err)
			}
			if n := strings.Count(log.String(), "level=WARN"); n != 1 || !strings.Contains(log.String(), "file="+st.Path) {
				t.Errorf("want one warning naming %s, logged:\n%s", st.Path, log)
			}
		})
	}
}

// TestDamagedFileRefused: without a way to see what is live, or when
// looking fails, a damaged file is an error naming it and stays in place;
// a file of another subnet is the user's mistake, not damage.
func TestDamagedFileRefused(t *testing.T) {
	subnet := netip.MustParsePrefix("10.77.0.0/24")
	failing := func(netip.Prefix) ([]Found, error) { return nil, errors.New("netlink: no") }
	cases := []struct {
		name, content string
		live          func(netip.Prefix) ([]Found, error)
		want          string
	}{
		{"no Live", `{"subnet":`, nil, "read leases DIR/goC0.json: unexpected end of JSON input"},
		{"Live fails", `{"subnet":`, failing, "read leases DIR/goC0.json: unexpected end of JSON input; rebuild from the running containers: netlink: no"},
		{"another subnet", `{"subnet":"10.78.0.0/24","leases":[]}`, failing,
			"network goC0 has subnet 10.78.0.0/24, not 10.77.0.0/24: use its subnet, or remove the network first"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			st := Store{Path: filepath.Join(dir, "goC0.json"), Live: c.live}
			if err := os.WriteFile(st.Path, []byte(c.content), 0o600); err != nil {
				t.Fatal(err)
			}
			err := st.Update(subnet, func(*State) error { t.Error("fn ran"); return nil })
			if want := strings.ReplaceAll(c.want, "DIR", dir); err == nil || err.Error() != want {
				t.Fatalf("Update: %v, want %s", err, want)
			}
			if b, _ := os.ReadFile(st.Path); string(b) != c.content {
				t.Errorf("file changed to %q", b)
			}
			if _, err := os.Stat(st.Path + ".damaged"); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("moved aside: %v", err)
			}
		})
	}
}
