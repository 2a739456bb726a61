package creds

import (
	"os"
	"strconv"
	"strings"
)

// Home is uid's home directory in the passwd file at path (the first
// entry for uid that names one), "/" if it has none: the HOME runc gives a
// process whose environment has no HOME.
func Home(path string, uid uint32) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "/"
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) >= 6 && f[2] == strconv.FormatUint(uint64(uid), 10) && f[5] != "" {
			return f[5]
		}
	}
	return "/"
}
