package remote

import (
	"strings"
	"testing"

	"goc.dev/shared/image"
)

func TestCommandArgumentErrors(t *testing.T) {
	s := image.Store{Root: t.TempDir()}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "image: need import, pull, push, tag, ls or rm"},
		{[]string{"import", "x"}, "image import: need NAME and SOURCE"},
		{[]string{"rm"}, "image rm: need NAME"},
		{[]string{"pull"}, "image pull: need REF"},
		{[]string{"pull", "a", "b"}, "image pull: need REF"},
		{[]string{"pull", "--nope", "a"}, "image pull: flag provided but not defined: -nope"},
		{[]string{"pull", "a", "--platform"}, "image pull: flag needs an argument: -platform"},
		{[]string{"pull", "--insecure", "h", "r"}, "image pull: flag provided but not defined: -insecure"},
		{[]string{"pull", "a:b:c"}, `invalid reference "a:b:c": repository can only contain the characters ` + "`abcdefghijklmnopqrstuvwxyz0123456789_-./`: a:b"},
		{[]string{"pull", "Bad:Ref"}, `invalid reference "Bad:Ref": repository can only contain the characters ` + "`abcdefghijklmnopqrstuvwxyz0123456789_-./`: Bad"},
		{[]string{"pull", "--platform", "a/b/c/d", "x"}, `pull docker.io/library/x:latest: platform "a/b/c/d": too many slashes in platform spec: a/b/c/d`},
		{[]string{"push"}, "image push: need REF"},
		{[]string{"push", "--insecure", "h", "r"}, "image push: flag provided but not defined: -insecure"},
		{[]string{"push", "a@sha256:" + strings.Repeat("a", 64)}, `invalid reference "a@sha256:` + strings.Repeat("a", 64) + `": push needs a tag, not a digest`},
		{[]string{"push", "a:1"}, "no such image: a:1"},
		{[]string{"tag", "a"}, "image tag: need SOURCE and TARGET"},
		{[]string{"frob"}, `image: unknown command "frob" (import, pull, push, tag, ls, rm)`},
	} {
		if err := Command(s, tc.args, func(string) bool { return false }); err == nil || err.Error() != tc.want {
			t.Errorf("image %q: %v, want %q", tc.args, err, tc.want)
		}
	}
	if err := Command(s, []string{"ls"}, nil); err != nil {
		t.Errorf("image ls of an empty store: %v", err)
	}
}
