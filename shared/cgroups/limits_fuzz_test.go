package cgroups

import "testing"

// FuzzParseMemory: an accepted --memory is at least MinMemory and comes back
// the same through FormatBytes; anything else is an error, never a panic.
func FuzzParseMemory(f *testing.F) {
	for _, s := range []string{"100m", "100M", "1g", "1.5g", "6m", "8192k", "67108864", "67108864b",
		"12x", "0", "-1m", "", "m", "100k", "1e9", "inf", "0x10m", "99999999999t", "8191.9999999t", ".5g", "1_0m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseMemory(s)
		if err != nil {
			if v != 0 {
				t.Fatalf("ParseMemory(%q) = %d with error %v", s, v, err)
			}
			return
		}
		if v < MinMemory {
			t.Fatalf("ParseMemory(%q) = %d, below MinMemory", s, v)
		}
		back, err := ParseMemory(FormatBytes(v))
		if err != nil || back != v {
			t.Fatalf("ParseMemory(%q) = %d; FormatBytes → %q → %d, %v", s, v, FormatBytes(v), back, err)
		}
	})
}

// FuzzParseCPU: an accepted --cpu gives a quota between 0.01 and ncpu CPUs
// of the default period.
func FuzzParseCPU(f *testing.F) {
	for _, s := range []string{"0.5", "0.25", "2", "1.5", "0.01", "0.001", "0", "-1", "abc", "", "3", "NaN", "1e0", "0.005", "+1"} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, s string, ncpu int) {
		q, p, err := ParseCPU(s, ncpu)
		if err != nil {
			if q != 0 || p != 0 {
				t.Fatalf("ParseCPU(%q, %d) = %d/%d with error %v", s, ncpu, q, p, err)
			}
			return
		}
		if p != CPUPeriod || q < minCPUQuota || q > int64(ncpu)*CPUPeriod {
			t.Fatalf("ParseCPU(%q, %d) = %d/%d, out of bounds", s, ncpu, q, p)
		}
	})
}

// FuzzParsePids: an accepted --pids is at least 1 and is the number written.
func FuzzParsePids(f *testing.F) {
	for _, s := range []string{"1", "100", "0", "-5", "1.5", "x", "", "+7", "9223372036854775808"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParsePids(s)
		if err != nil {
			return
		}
		if v < 1 {
			t.Fatalf("ParsePids(%q) = %d, below 1", s, v)
		}
	})
}
