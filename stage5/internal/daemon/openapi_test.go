package daemon

import (
	"bufio"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/labstack/echo/v4"

	"goc.dev/stage5/api"
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

// The OpenAPI file documents every field of a create request, and no other.
func TestOpenAPIDocumentsCreateFields(t *testing.T) {
	b, err := os.ReadFile("../../../docs/stage5-openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, schema, ok := strings.Cut(string(b), "\n    ContainerCreate:\n")
	if !ok {
		t.Fatal("no ContainerCreate schema")
	}
	prop := regexp.MustCompile(`^        (\w+):`)
	var documented []string
	for _, line := range strings.Split(schema, "\n") {
		if strings.HasPrefix(line, "    ") && !strings.HasPrefix(line, "     ") {
			break // the next schema
		}
		if m := prop.FindStringSubmatch(line); m != nil {
			documented = append(documented, m[1])
		}
	}
	fields := jsonFields(reflect.TypeFor[api.ContainerCreate]())
	sort.Strings(documented)
	sort.Strings(fields)
	if diff := cmp.Diff(fields, documented); diff != "" {
		t.Fatalf("ContainerCreate in docs/stage5-openapi.yaml and package api differ (-api +documented):\n%s", diff)
	}
}

// jsonFields lists the JSON names of a struct's fields, those of embedded
// structs included (encoding/json flattens them).
func jsonFields(t reflect.Type) []string {
	var names []string
	for f := range t.Fields() {
		if f.Anonymous {
			names = append(names, jsonFields(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		names = append(names, name)
	}
	return names
}
