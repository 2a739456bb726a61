package main

import (
	"reflect"
	"testing"
)

// The cases are outputs the suite printed on this project's machines.
func TestParse(t *testing.T) {
	cases := []struct {
		name string
		run  Run
		want []Point
	}{
		{"points, skips and diagnostics", Run{Stdout: "TAP version 13\n" +
			"ok 1 - find cpu cgroup\n# expect: 1024, actual: 1024\n" +
			"not ok 2 - memory kernel is set correctly\n" +
			"ok 3 # SKIP linux.sysctl not set\n" +
			"not ok 4 # TODO not yet\n" +
			"not ok 5 - exit status 1\nRefer to: https://example/spec.md\n" +
			"ok 6\n1..6\n"},
			[]Point{{Pass, "find cpu cgroup"}, {Fail, "memory kernel is set correctly"},
				{Skip, "linux.sysctl not set"}, {Skip, "not yet"}, {Fail, "exit status 1"}, {Pass, ""}}},
		{"a YAML block after a point is its diagnostic", Run{Stdout: "TAP version 13\n" +
			"not ok 1 - create MUST generate an error\n  ---\n  {\n    \"error\": \"exit status 1\"\n  }\n  ...\n1..1\n"},
			[]Point{{Fail, "create MUST generate an error"}}},
		{"the lifecycle files report a failure as YAML under the plan 1..0", Run{Stdout: "TAP version 13\n" +
			"  ---\n  {\n    \"error\": \"Hooks MUST be called in the listed order\\nRefer to: https://x\"\n  }\n  ...\n1..0\n"},
			[]Point{{Fail, "Hooks MUST be called in the listed order"}}},
		{"1..0 and nothing else passes", Run{Stdout: "TAP version 13\n1..0\n"},
			[]Point{{Pass, DescNoFailure}}},
		{"util.Fatal after the header", Run{Stdout: "TAP version 13\n1..0\n", Exit: 1,
			Stderr: "failed to create the container\ntime=\"2026-11-30T12:24:35Z\" level=error msg=\"runc create failed\"\nexit status 1\n"},
			[]Point{{Fail, "exit status 1: failed to create the container"}}},
		{"util.Fatal after passing points", Run{Stdout: "TAP version 13\nok 1 - a\n1..1\n", Exit: 1,
			Stderr: "\nAny value which cannot be mapped MUST cause an error\nRefer to: x\n"},
			[]Point{{Pass, "a"}, {Fail, "exit status 1: Any value which cannot be mapped MUST cause an error"}}},
		{"no output at all", Run{}, []Point{{Fail, DescNoTAP}}},
		{"no output from a file that is silent when the runtime behaves", Run{SilentOK: true},
			[]Point{{Pass, DescNoFailure}}},
		{"a file that wanted an error and did not get it", Run{SilentOK: true, Exit: 1,
			Stdout: "TAP version 13\nok 1 - root filesystem\n1..1\n", Stderr: "The runtime MUST generate an error\n"},
			[]Point{{Pass, "root filesystem"}, {Fail, "exit status 1: The runtime MUST generate an error"}}},
		{"timed out", Run{Stdout: "TAP version 13\nok 1 - a\n", TimedOut: true, Exit: -1},
			[]Point{{Pass, "a"}, {Fail, DescTimeout}}},
		{"fewer points than planned", Run{Stdout: "TAP version 13\n1..3\nok 1 - a\n"},
			[]Point{{Pass, "a"}, {Fail, DescPlan}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Parse(tc.run); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse:\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	cases := map[string]string{
		`open /tmp/goc-oci-1/tmp/ocitest123456/config.json: no such file`: `open <bundle>/config.json: no such file`,
		`container 0b6e5d40-4c1c-4e55-9d3a-2c3a4b5c6d7e does not exist`:   `container <id> does not exist`,
		`time="2026-11-30T12:24:35Z" level=error`:                         `time="…" level=error`,
		`/tmp/oci-pid42/pidfile`:                                          `<bundle>/pidfile`,
	}
	for in, want := range cases {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCount(t *testing.T) {
	got := Count([]Point{{Pass, "a"}, {Fail, "b"}, {Skip, "c"}, {Pass, "d"}})
	if want := (Counts{2, 1, 1}); got != want {
		t.Errorf("Count = %v, want %v", got, want)
	}
	if s := got.Add(Counts{1, 1, 1}).String(); s != "3/2/2" {
		t.Errorf("Add.String = %q", s)
	}
}
