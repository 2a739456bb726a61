package creds

import (
	"os"
	"path/filepath"
	"testing"
)

func TestHome(t *testing.T) {
	passwd := filepath.Join(t.TempDir(), "passwd")
	err := os.WriteFile(passwd, []byte("root:x:0:0:root:/root:/bin/sh\n"+
		"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"+
		"nohome:x:2:2:no home::/bin/sh\n"+
		"short:x:3:3\n"+
		"alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"+
		"alice2:x:1000:1000:Alice again:/home/alice2:/bin/sh\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	for uid, want := range map[uint32]string{0: "/root", 1: "/usr/sbin", 2: "/", 3: "/", 1000: "/home/alice", 4242: "/"} {
		if got := Home(passwd, uid); got != want {
			t.Errorf("Home(%d) = %q, want %q", uid, got, want)
		}
	}
	if got := Home(filepath.Join(t.TempDir(), "none"), 0); got != "/" {
		t.Errorf("Home without a passwd file = %q, want /", got)
	}
}
