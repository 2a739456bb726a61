package ipam

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

func owner(id string) Owner { return Owner{ID: id, PID: 1, Start: 1} }

func TestAllocate(t *testing.T) {
	cases := []struct {
		name   string
		subnet string
		n      int
		want   []string
		err    error
	}{
		{"first addresses", "10.77.0.0/16", 3, []string{"10.77.0.2", "10.77.0.3", "10.77.0.4"}, nil},
		{"unmasked subnet", "10.77.5.9/24", 1, []string{"10.77.5.2"}, nil},
		{"smallest", "10.78.0.0/30", 1, []string{"10.78.0.2"}, nil},
		{"exhausted", "10.78.0.0/30", 2, []string{"10.78.0.2"}, ErrExhausted},
		{"/29 fills up", "10.78.0.8/29", 6, []string{"10.78.0.10", "10.78.0.11", "10.78.0.12", "10.78.0.13", "10.78.0.14"}, ErrExhausted},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &State{Subnet: netip.MustParsePrefix(tc.subnet)}
			var got []string
			var err error
			for i := 0; i < tc.n; i++ {
				var ip netip.Addr
				ip, err = s.Allocate(owner(strconv.Itoa(i)), nil)
				if err != nil {
					break
				}
				got = append(got, ip.String())
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("allocated %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReleaseReuseAndWrap(t *testing.T) {
	s := &State{Subnet: netip.MustParsePrefix("10.78.0.0/29")} // .2 … .6
	for i := 0; i < 5; i++ {
		if _, err := s.Allocate(owner(strconv.Itoa(i)), nil); err != nil {
			t.Fatal(err)
		}
	}
	if l, ok := s.Release("1"); !ok || l.IP.String() != "10.78.0.3" {
		t.Fatalf("Release = %v, %v", l, ok)
	}
	if _, ok := s.Release("nope"); ok {
		t.Fatal("released an unknown container")
	}
	// The next address after the last handed out (.6) wraps to .2, which
	// is taken, so the freed .3 is next.
	ip, err := s.Allocate(owner("x"), nil)
	if err != nil || ip.String() != "10.78.0.3" {
		t.Fatalf("Allocate after release = %v, %v; want 10.78.0.3", ip, err)
	}
}

func TestPorts(t *testing.T) {
	s := &State{Subnet: netip.MustParsePrefix("10.77.0.0/16")}
	if _, err := s.Allocate(owner("a"), []Port{{8080, "tcp"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Allocate(owner("b"), []Port{{8080, "udp"}}); err != nil {
		t.Fatalf("the same port number over udp: %v", err)
	}
	if _, err := s.Allocate(owner("c"), []Port{{9090, "tcp"}, {8080, "tcp"}}); err == nil {
		t.Fatal("8080/tcp published twice")
	}
	if len(s.Leases) != 2 {
		t.Fatalf("a refused allocation left a lease: %v", s.Leases)
	}
}

func TestReclaim(t *testing.T) {
	s := &State{Subnet: netip.MustParsePrefix("10.77.0.0/16")}
	for _, id := range []string{"live", "dead1", "dead2"} {
		if _, err := s.Allocate(owner(id), nil); err != nil {
			t.Fatal(err)
		}
	}
	dropped := s.Reclaim(func(o Owner) bool { return o.ID == "live" })
	if len(dropped) != 2 || len(s.Leases) != 1 || s.Leases[0].Owner.ID != "live" {
		t.Fatalf("Reclaim dropped %v, kept %v", dropped, s.Leases)
	}
}

func TestBadSubnets(t *testing.T) {
	for _, sn := range []string{"10.0.0.0/31", "10.0.0.0/32", "fd00::/64"} {
		s := &State{Subnet: netip.MustParsePrefix(sn)}
		if _, err := s.Allocate(owner("a"), nil); err == nil {
			t.Errorf("allocated from %s", sn)
		}
	}
}

// Many goroutines, each with its own Store value, never get the same
// address: the file lock serializes them.
func TestStoreConcurrentGoroutines(t *testing.T) {
	st := Store{Path: filepath.Join(t.TempDir(), "net.json")}
	subnet := netip.MustParsePrefix("10.77.0.0/16")
	const n = 50
	var wg sync.WaitGroup
	ips := make([]netip.Addr, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = st.Update(subnet, func(s *State) error {
				var err error
				ips[i], err = s.Allocate(owner(strconv.Itoa(i)), nil)
				return err
			})
		}(i)
	}
	wg.Wait()
	seen := map[netip.Addr]bool{}
	for i, ip := range ips {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if seen[ip] {
			t.Fatalf("%s handed out twice", ip)
		}
		seen[ip] = true
	}
	s, err := st.Read()
	if err != nil || len(s.Leases) != n {
		t.Fatalf("stored %d leases, %v; want %d", len(s.Leases), err, n)
	}
}

// TestMain doubles as the allocator process of
// TestStoreConcurrentProcesses.
func TestMain(m *testing.M) {
	if path := os.Getenv("IPAM_ALLOCATOR"); path != "" {
		if err := allocate(path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The same across processes: this test binary re-executed as allocators.
func TestStoreConcurrentProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "net.json")
	const procs, each = 8, 10
	var cmds []*exec.Cmd
	for i := 0; i < procs; i++ {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "IPAM_ALLOCATOR="+path, "IPAM_PREFIX="+strconv.Itoa(i), "IPAM_COUNT="+strconv.Itoa(each))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("allocator process: %v", err)
		}
	}
	s, err := Store{Path: path}.Read()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[netip.Addr]bool{}
	for _, l := range s.Leases {
		if seen[l.IP] {
			t.Fatalf("%s handed out twice", l.IP)
		}
		seen[l.IP] = true
	}
	if len(seen) != procs*each {
		t.Fatalf("%d distinct leases, want %d", len(seen), procs*each)
	}
}

func allocate(path string) error {
	n, _ := strconv.Atoi(os.Getenv("IPAM_COUNT"))
	for i := 0; i < n; i++ {
		id := os.Getenv("IPAM_PREFIX") + "-" + strconv.Itoa(i)
		err := Store{Path: path}.Update(netip.MustParsePrefix("10.77.0.0/16"), func(s *State) error {
			_, err := s.Allocate(owner(id), nil)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
