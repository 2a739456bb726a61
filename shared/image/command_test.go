package image

import "testing"

func TestCommandArgumentErrors(t *testing.T) {
	s := Store{Root: t.TempDir()}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "image: need import, ls or rm"},
		{[]string{"import", "x"}, "image import: need NAME and SOURCE"},
		{[]string{"rm"}, "image rm: need NAME"},
		{[]string{"pull"}, `image: unknown command "pull" (import, ls, rm)`},
	} {
		if err := s.Command(tc.args, func(string) bool { return false }); err == nil || err.Error() != tc.want {
			t.Errorf("image %q: %v, want %q", tc.args, err, tc.want)
		}
	}
	if err := s.Command([]string{"ls"}, nil); err != nil {
		t.Errorf("image ls of an empty store: %v", err)
	}
}
