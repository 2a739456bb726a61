package spec

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Parse gives what decoding into specs.Spec gives, the other platforms'
// sections included, and fails where that fails.
func TestParseAsSpec(t *testing.T) {
	def, err := json.Marshal(Default())
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{
		string(def),
		`{"ociVersion": "1.2.0", "root": {"path": "r"}, "windows": {"layerFolders": ["a"], "resources": {"memory": {"limit": 5}}},
		  "vm": {"hypervisor": {"path": "/h"}, "kernel": {"path": "/k"}}, "solaris": {"milestone": "m"},
		  "zos": {"devices": [{"path": "/dev/x", "type": "c"}]}, "freebsd": {"jail": {"parent": "p"}}}`,
		`{"windows": {"colour": 1, "layerFolders": ["a"]}}`,
		`{"windows": null, "vm": {}}`,
		`{"windows": 5}`,
		`{"vm": {"kernel": {"path": 7}}}`,
		`{"linux": {"resources": {"memory": {"limit": "a"}}}}`,
	} {
		var want specs.Spec
		wantErr := json.Unmarshal([]byte(in), &want)
		got, err := Parse(strings.NewReader(in))
		if (err != nil) != (wantErr != nil) {
			t.Errorf("Parse(%s) = %v; decoding into specs.Spec: %v", in, err, wantErr)
			continue
		}
		if err == nil {
			if d := cmp.Diff(&want, got); d != "" {
				t.Errorf("Parse(%s) (-specs.Spec +got):\n%s", in, d)
			}
		}
	}
}

// configJSON has specs.Spec's fields, by JSON name: one the runtime-spec
// adds must be added there too, or config.json would lose it.
func TestConfigJSONHasSpecFields(t *testing.T) {
	names := func(t reflect.Type) []string {
		var out []string
		for i := range t.NumField() {
			out = append(out, strings.Split(t.Field(i).Tag.Get("json"), ",")[0])
		}
		return out
	}
	if d := cmp.Diff(names(reflect.TypeFor[specs.Spec]()), names(reflect.TypeFor[configJSON]())); d != "" {
		t.Errorf("config.json fields (-specs.Spec +configJSON):\n%s", d)
	}
}
