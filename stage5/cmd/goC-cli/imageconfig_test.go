package main

import (
	"reflect"
	"testing"
)

// --entrypoint given (even empty) is sent; not given, the image's stays.
// --stop-signal and a named --user go to goCd as typed.
func TestRunImageConfigFlags(t *testing.T) {
	cases := []struct {
		args       []string
		entrypoint []string
		user, stop string
	}{
		{[]string{"img"}, nil, "", ""},
		{[]string{"--entrypoint", "/bin/x", "img"}, []string{"/bin/x"}, "", ""},
		{[]string{"--entrypoint", "", "img", "id"}, []string{""}, "", ""},
		{[]string{"--entrypoint=", "img"}, []string{""}, "", ""},
		{[]string{"--user", "nobody:nogroup", "--stop-signal", "QUIT", "img"}, nil, "nobody:nogroup", "QUIT"},
	}
	for _, tc := range cases {
		req, err := runRequest(tc.args, nil)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if !reflect.DeepEqual(req.Entrypoint, tc.entrypoint) || req.User != tc.user || req.StopSignal != tc.stop {
			t.Errorf("%q: entrypoint %q user %q stop signal %q; want %q %q %q", tc.args, req.Entrypoint, req.User,
				req.StopSignal, tc.entrypoint, tc.user, tc.stop)
		}
	}
}
