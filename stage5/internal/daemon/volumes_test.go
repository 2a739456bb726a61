package daemon

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"goc.dev/stage5/api"
)

func volumes(t *testing.T, d *Daemon) []string {
	t.Helper()
	ents, _ := os.ReadDir(d.volumesDir())
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// Named volumes: made by POST or by a container's -v, listed, inspected,
// and not removed while a container, even an exited one, names them.
func TestNamedVolumes(t *testing.T) {
	d, e := fake(t)
	if code, body := call(t, e, "POST", "/v1/volumes", api.VolumeCreate{Name: "data"}); code != 201 || !strings.Contains(body, `"mountpoint":"`+d.volumeDir("data")+`/_data"`) {
		t.Fatalf("create = %d %s", code, body)
	}
	if code, body := call(t, e, "POST", "/v1/volumes", api.VolumeCreate{Name: "data"}); code != 201 {
		t.Fatalf("create again (Docker answers the existing one) = %d %s", code, body)
	}
	for _, bad := range []string{"./x", "x", "a/b"} {
		if code, body := call(t, e, "POST", "/v1/volumes", api.VolumeCreate{Name: bad}); code != 400 || !strings.Contains(body, "invalid characters") {
			t.Errorf("create %q = %d %s, want 400", bad, code, body)
		}
	}
	ct := created(t, e, api.ContainerCreate{Image: "img", Name: "user", Cmd: []string{"true"},
		MountFlags: api.MountFlags{Volumes: []string{"data:/data:ro", "auto:/auto"}}})
	call(t, e, "POST", "/v1/containers/user/wait", nil)
	if got := strings.Join(volumes(t, d), " "); got != "auto data" {
		t.Fatalf("volumes %q, want auto (made by -v) and data", got)
	}
	code, body := call(t, e, "GET", "/v1/volumes", nil)
	var vs []api.Volume
	if err := json.Unmarshal([]byte(body), &vs); code != 200 || err != nil || len(vs) != 2 || vs[1].Name != "data" || len(vs[1].UsedBy) != 1 || vs[1].UsedBy[0] != "user" {
		t.Fatalf("ls = %d %s", code, body)
	}
	if code, body := call(t, e, "DELETE", "/v1/volumes/data", nil); code != 409 || !strings.Contains(body, "remove data: volume is in use - [user]") {
		t.Fatalf("rm of a volume an exited container uses = %d %s, want 409", code, body)
	}
	if code, _ := call(t, e, "DELETE", "/v1/containers/"+ct.ID+"?v=1", nil); code != 204 {
		t.Fatal("rm -v", code)
	}
	if got := strings.Join(volumes(t, d), " "); got != "auto data" {
		t.Fatalf("rm -v removed named volumes: %q left", got)
	}
	if code, body := call(t, e, "DELETE", "/v1/volumes/data", nil); code != 204 {
		t.Fatalf("rm of a volume none uses = %d %s", code, body)
	}
	if code, _ := call(t, e, "GET", "/v1/volumes/data", nil); code != 404 {
		t.Fatalf("inspect after rm = %d, want 404", code)
	}
	if code, _ := call(t, e, "DELETE", "/v1/volumes/..", nil); code != 404 {
		t.Fatalf("rm .. = %d, want 404", code)
	}
}

// Anonymous volumes belong to their container: rm keeps them, rm -v and
// --rm remove them, and a container that does not start leaves none.
func TestAnonymousVolumes(t *testing.T) {
	d, e := fake(t)
	one := created(t, e, api.ContainerCreate{Image: "img", Name: "one", Cmd: []string{"true"},
		MountFlags: api.MountFlags{Volumes: []string{"/a"}, Mounts: []string{"type=volume,target=/b"}}})
	call(t, e, "POST", "/v1/containers/one/wait", nil)
	if n := len(volumes(t, d)); n != 2 {
		t.Fatalf("%d volumes, want 2 anonymous ones", n)
	}
	v, err := d.readVolume(volumes(t, d)[0])
	if err != nil || !v.Anonymous || len(v.UsedBy) != 1 || v.UsedBy[0] != "one" {
		t.Fatalf("anonymous volume %+v, %v", v, err)
	}
	if code, _ := call(t, e, "DELETE", "/v1/volumes/"+v.Name, nil); code != 409 {
		t.Fatalf("rm of a container's anonymous volume = %d, want 409", code)
	}
	if code, _ := call(t, e, "DELETE", "/v1/containers/"+one.ID+"?v=1", nil); code != 204 {
		t.Fatal("rm -v", code)
	}
	if left := volumes(t, d); len(left) != 0 {
		t.Fatalf("rm -v left %v", left)
	}
	code, _ := call(t, e, "POST", "/v1/containers", api.ContainerCreate{Image: "img", Cmd: []string{"/fail"}, MountFlags: api.MountFlags{Volumes: []string{"/a"}}})
	if left := volumes(t, d); code != 400 || len(left) != 0 {
		t.Fatalf("a container that did not start: %d, left %v", code, left)
	}
	code, _ = call(t, e, "POST", "/v1/containers", api.ContainerCreate{Image: "img", Cmd: []string{"true"}, MountFlags: api.MountFlags{Volumes: []string{"/a"}, Tmpfs: []string{"/a"}}})
	if left := volumes(t, d); code != 400 || len(left) != 0 {
		t.Fatalf("a refused request: %d, left %v", code, left)
	}
	rm := created(t, e, api.ContainerCreate{Image: "img", Cmd: []string{"true"}, AutoRemove: true, MountFlags: api.MountFlags{Volumes: []string{"/a"}}})
	call(t, e, "POST", "/v1/containers/"+rm.ID+"/wait", nil)
	for deadline := time.Now().Add(10 * time.Second); len(volumes(t, d)) > 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("--rm left %v", volumes(t, d))
		}
	}
}
