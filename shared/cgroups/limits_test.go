package cgroups

import "testing"

func TestParseMemory(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		err  bool
	}{
		{"100m", 100 << 20, false},
		{"100M", 100 << 20, false},
		{"1g", 1 << 30, false},
		{"1.5g", 3 << 29, false},
		{"6m", 6 << 20, false},
		{"8192k", 8 << 20, false},
		{"67108864", 64 << 20, false},
		{"67108864b", 64 << 20, false},
		{"12x", 0, true},
		{"0", 0, true},
		{"-1m", 0, true},
		{"", 0, true},
		{"m", 0, true},
		{"100k", 0, true}, // below the 6m minimum
		{"1e9", 0, true},
		{"inf", 0, true},
		{"0x10m", 0, true},
		{"99999999999t", 0, true},
	}
	for _, tc := range cases {
		got, err := ParseMemory(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestParseCPU(t *testing.T) {
	cases := []struct {
		in            string
		quota, period int64
		err           bool
	}{
		{"0.5", 50_000, 100_000, false},
		{"0.25", 25_000, 100_000, false},
		{"2", 200_000, 100_000, false},
		{"1.5", 150_000, 100_000, false},
		{"0.01", 1_000, 100_000, false},
		{"0.001", 0, 0, true},
		{"0", 0, 0, true},
		{"-1", 0, 0, true},
		{"abc", 0, 0, true},
		{"", 0, 0, true},
		{"3", 0, 0, true}, // more than the host's 2
		{"NaN", 0, 0, true},
		{"1e0", 0, 0, true},
	}
	for _, tc := range cases {
		q, p, err := ParseCPU(tc.in, 2)
		if (err != nil) != tc.err || q != tc.quota || p != tc.period {
			t.Errorf("ParseCPU(%q) = %d/%d, %v; want %d/%d, error %v", tc.in, q, p, err, tc.quota, tc.period, tc.err)
		}
	}
}

func TestParsePids(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		err  bool
	}{
		{"1", 1, false}, {"100", 100, false},
		{"0", 0, true}, {"-5", 0, true}, {"1.5", 0, true}, {"x", 0, true}, {"", 0, true},
	}
	for _, tc := range cases {
		got, err := ParsePids(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParsePids(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for in, want := range map[int64]string{100 << 20: "100m", 1 << 30: "1g", 1536 << 20: "1536m", 6<<20 + 1: "6291457b", 3 << 10: "3k"} {
		if got := FormatBytes(in); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestCPUWeight(t *testing.T) {
	for shares, want := range map[uint64]uint64{0: 0, 2: 1, 1024: 39, 262144: 10000} {
		if got := CPUWeight(shares); got != want {
			t.Errorf("CPUWeight(%d) = %d, want %d", shares, got, want)
		}
	}
}
