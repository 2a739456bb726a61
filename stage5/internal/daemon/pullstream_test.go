package daemon

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"goc.dev/stage5/api"
)

// POST /v1/images/pull?progress=true streams Docker-shaped JSON lines:
// each layer's steps, the image last; errors before the first layer are
// the same statuses as without progress.
func TestPullImageProgress(t *testing.T) {
	host := testRegistry(t, 4096) // pull_test.go
	_, e := fake(t)
	code, body := call(t, e, "POST", "/v1/images/pull?progress=true&ref="+url.QueryEscape(host+"/rand:1"), nil)
	if code != http.StatusOK {
		t.Fatalf("pull with progress: %d %s", code, body)
	}
	var msgs []api.PullMessage
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		var m api.PullMessage
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		msgs = append(msgs, m)
	}
	complete, downloading := map[string]bool{}, 0
	for _, m := range msgs {
		if m.Status == "Pull complete" && len(m.ID) == 12 {
			complete[m.ID] = true
		}
		if m.Status == "Downloading" && m.ProgressDetail != nil && m.ProgressDetail.Total > 0 {
			downloading++
		}
	}
	last := msgs[len(msgs)-1]
	if len(complete) != 2 || downloading < 2 || last.Image == nil || last.Image.Name != host+"/rand:1" || last.Image.Layers != 2 {
		t.Fatalf("progress stream: %s", body)
	}
	for ref, want := range map[string]int{host + "/rand:nope": http.StatusNotFound, "Bad:Ref": http.StatusBadRequest} {
		if code, body := call(t, e, "POST", "/v1/images/pull?progress=true&ref="+url.QueryEscape(ref), nil); code != want {
			t.Errorf("pull %q with progress: %d %s, want %d", ref, code, body, want)
		}
	}
}
