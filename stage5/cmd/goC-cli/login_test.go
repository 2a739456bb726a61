package main

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

func TestLoginComplete(t *testing.T) {
	for _, tc := range []struct {
		name, in         string
		o                loginOptions
		user, pass, warn string
		err              string
	}{
		{name: "stdin", in: "s3cret\n", o: loginOptions{user: "ann", passStdin: true}, user: "ann", pass: "s3cret"},
		{name: "stdin crlf", in: "s3cret\r\n", o: loginOptions{user: "ann", passStdin: true}, user: "ann", pass: "s3cret"},
		{name: "-p", o: loginOptions{user: "ann", pass: "x"}, user: "ann", pass: "x", warn: "WARNING! Using --password"},
		{name: "asked", in: "bob\npw\n", user: "bob", pass: "pw"},
		{name: "asked, no newline at the end", in: "bob\npw", user: "bob", pass: "pw"},
		{name: "both", o: loginOptions{user: "a", pass: "x", passStdin: true}, err: "mutually exclusive"},
		{name: "stdin without -u", o: loginOptions{passStdin: true}, err: "needs --username"},
		{name: "empty password", in: "\n", o: loginOptions{user: "ann", passStdin: true}, err: "need a username and a password"},
		{name: "nothing to read", o: loginOptions{user: "ann"}, err: "stdin: EOF"},
	} {
		var out, errOut bytes.Buffer
		o := tc.o
		err := o.complete(bufio.NewReader(strings.NewReader(tc.in)), &out, &errOut)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || o.user != tc.user || o.pass != tc.pass || !strings.Contains(errOut.String(), tc.warn) {
			t.Errorf("%s: %+v %v (stderr %q), want %s/%s", tc.name, o, err, errOut.String(), tc.user, tc.pass)
		}
	}
}
