package daemon

import (
	"bufio"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/labstack/echo/v4"
)

// The OpenAPI file in docs/ describes exactly the routes goCd serves.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	f, err := os.Open("../../../docs/stage5-openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pathRe := regexp.MustCompile(`^  (/\S*):$`)
	methodRe := regexp.MustCompile(`^    (get|post|put|delete|patch):$`)
	var documented []string
	path := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := pathRe.FindStringSubmatch(sc.Text()); m != nil {
			path = m[1]
		} else if m := methodRe.FindStringSubmatch(sc.Text()); m != nil && path != "" {
			documented = append(documented, strings.ToUpper(m[1])+" /v1"+path)
		} else if !strings.HasPrefix(sc.Text(), " ") {
			path = ""
		}
	}
	e := echo.New()
	(&Daemon{}).Routes(e)
	var served []string
	param := regexp.MustCompile(`:(\w+)`)
	for _, r := range e.Routes() {
		served = append(served, r.Method+" "+param.ReplaceAllString(r.Path, "{$1}"))
	}
	sort.Strings(documented)
	sort.Strings(served)
	if diff := cmp.Diff(served, documented); diff != "" {
		t.Fatalf("docs/stage5-openapi.yaml and goCd's routes differ (-served +documented):\n%s", diff)
	}
}
