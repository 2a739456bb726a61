package spec

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"goc.dev/shared/cgroups"
)

func TestUpdateResources(t *testing.T) {
	const json = `{"memory":{"limit":134217728},"cpu":{"quota":25000,"period":100000,"shares":512},"pids":{"limit":30}}`
	for _, tc := range []struct {
		name   string
		update Update
		json   string // --resources ("" for none)
		want   cgroups.Resources
	}{
		{"nothing", Update{}, "", cgroups.Resources{}},
		{"flags", Update{Memory: "64m", PidsLimit: 50}, "", cgroups.Resources{Memory: 64 << 20, Pids: 50}},
		{"every flag", Update{Memory: "64m", MemorySwap: "128m", CPUQuota: 50000, CPUPeriod: 200000, CPUShares: 1024, PidsLimit: 5}, "",
			cgroups.Resources{Memory: 64 << 20, MemorySwap: 128 << 20, CPUQuota: 50000, CPUPeriod: 200000, CPUShares: 1024, Pids: 5}},
		{"unlimited swap", Update{Memory: "64m", MemorySwap: "-1"}, "", cgroups.Resources{Memory: 64 << 20, MemorySwap: -1}},
		{"a quota alone: the default period", Update{CPUQuota: 20000}, "", cgroups.Resources{CPUQuota: 20000, CPUPeriod: cgroups.CPUPeriod}},
		{"cpuset, reservation, block I/O weight", Update{CPUs: "0", Mems: "0", MemoryReservation: "1m", BlkioWeight: 300}, "",
			cgroups.Resources{CPUs: "0", Mems: "0", MemoryReservation: 1 << 20, BlockIO: cgroups.BlockIO{Weight: 300}}},
		{"no reservation", Update{MemoryReservation: "-1"}, "", cgroups.Resources{MemoryReservation: -1}},
		{"kernel memory: ignored", Update{KernelMemory: "64m", KernelMemoryTCP: "1m"}, "", cgroups.Resources{}},
		{"the weight over the JSON's throttle", Update{BlkioWeight: 20}, `{"blockIO":{"throttleReadBpsDevice":[{"major":8,"minor":0,"rate":5}]}}`,
			cgroups.Resources{BlockIO: cgroups.BlockIO{Weight: 20, Throttle: []cgroups.Throttle{{Kind: "rbps", Major: 8, Rate: 5}}}}},
		{"-1 is no limit, as runc takes it", Update{Memory: "-1", PidsLimit: -1, CPUQuota: -1}, "", cgroups.Resources{Memory: -1, Pids: -1, CPUQuota: -1}},
		{"a period alone", Update{CPUPeriod: 50000}, "", cgroups.Resources{CPUPeriod: 50000}},
		{"the realtime budget", Update{CPURtPeriod: 1000000, CPURtRuntime: 1000}, "", cgroups.Resources{CPURtPeriod: 1000000, CPURtRuntime: 1000}},
		{"unified in the JSON", Update{}, `{"unified":{"memory.high":"1000000"}}`, cgroups.Resources{Unified: map[string]string{"memory.high": "1000000"}}},
		{"the JSON", Update{}, json, cgroups.Resources{Memory: 128 << 20, CPUQuota: 25000, CPUPeriod: 100000, CPUShares: 512, Pids: 30}},
		{"flags win over the JSON", Update{Memory: "64m", CPUQuota: 10000, PidsLimit: 40}, json,
			cgroups.Resources{Memory: 64 << 20, CPUQuota: 10000, CPUPeriod: 100000, CPUShares: 512, Pids: 40}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.json != "" {
				tc.update.ResourcesFile = "-"
			}
			got, err := tc.update.Resources(strings.NewReader(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("resources mismatch (-want +got):\n%s", d)
			}
		})
	}
}

func TestUpdateResourcesErrors(t *testing.T) {
	for _, tc := range []struct {
		update Update
		json   string
		err    string
	}{
		{Update{Memory: "12x"}, "", `--memory "12x": not a size`},
		{Update{MemorySwap: "1m"}, "", "below the minimum"},
		{Update{}, `{"memory":`, "--resources: unexpected EOF"},
		{Update{}, `{"cpu":{"shares":1}}`, "linux.resources.cpu.shares 1 is not between 2 and 262144"},
		{Update{Memory: "64m", MemorySwap: "32m"}, "", "memory.swap must be at least memory.limit"},
		{Update{ResourcesFile: "/nonexistent/resources.json"}, "", "--resources: open /nonexistent/resources.json: "},
		{Update{MemoryReservation: "lots"}, "", `--memory-reservation "lots": not a size`},
		{Update{BlkioWeight: 1001}, "", "--blkio-weight 1001: not between 10 and 1000"},
		{Update{CPUs: "x"}, "", `linux.resources.cpu.cpus "x" is not a list`},
		{Update{}, `{"unified":{"../memory.max":"1"}}`, `linux.resources.unified: key "../memory.max" must be a file name (no slashes)`},
		{Update{}, `{"cpu":{"idle":1}}`, "linux.resources.cpu.idle is not supported"},
	} {
		if tc.json != "" {
			tc.update.ResourcesFile = "-"
		}
		if _, err := tc.update.Resources(strings.NewReader(tc.json)); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%+v with %q: error %v, want it to mention %q", tc.update, tc.json, err, tc.err)
		}
	}
}

func TestUpdateResourcesFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "resources.json")
	if err := os.WriteFile(p, []byte(`{"pids":{"limit":7}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Update{ResourcesFile: p}.Resources(strings.NewReader(`{"pids":{"limit":8}}`)) // not stdin's
	if err != nil || !cmp.Equal(got, cgroups.Resources{Pids: 7}) {
		t.Errorf("--resources %s: %+v, %v", p, got, err)
	}
}

// runc update's flags, in both spellings; those goC does not support are
// refused by name.
func TestUpdateFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want Update
		err  string // Resources'
	}{
		{[]string{"--resources", "r.json", "--memory", "64m", "--memory-swap", "-1", "--cpu-quota", "1000", "--cpu-period", "2000",
			"--cpu-shares", "3", "--pids-limit", "4", "--cpuset-cpus", "0-1", "--cpuset-mems", "0", "--memory-reservation", "32m",
			"--blkio-weight", "10", "--kernel-memory", "1g", "--kernel-memory-tcp", "2m", "id"},
			Update{ResourcesFile: "r.json", Memory: "64m", MemorySwap: "-1", CPUQuota: 1000, CPUPeriod: 2000, CPUShares: 3, PidsLimit: 4,
				CPUs: "0-1", Mems: "0", MemoryReservation: "32m", BlkioWeight: 10, KernelMemory: "1g", KernelMemoryTCP: "2m"}, ""},
		{[]string{"-r", "-", "--cpu-share", "5", "id"}, Update{ResourcesFile: "-", CPUShares: 5}, ""},
		{[]string{"--cpu-rt-period", "10", "--cpu-rt-runtime", "5", "id"}, Update{CPURtPeriod: 10, CPURtRuntime: 5}, ""},
		{[]string{"--l3-cache-schema", "x", "--mem-bw-schema", "y", "id"}, Update{unsupported: []string{"l3-cache-schema", "mem-bw-schema"}},
			"--l3-cache-schema: Intel RDT (resctrl) is not supported by goC"},
	} {
		fs := flag.NewFlagSet("update", flag.ContinueOnError)
		var u Update
		u.Flags(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatalf("update %q: %v", tc.args, err)
		}
		if d := cmp.Diff(tc.want, u, cmp.AllowUnexported(Update{})); d != "" || fs.NArg() != 1 {
			t.Errorf("update %q: (-want +got):\n%s\nargs %q", tc.args, d, fs.Args())
		}
		if tc.err == "" {
			continue
		}
		if _, err := u.Resources(nil); err == nil || err.Error() != tc.err {
			t.Errorf("update %q: error %v, want %q", tc.args, err, tc.err)
		}
	}
}
