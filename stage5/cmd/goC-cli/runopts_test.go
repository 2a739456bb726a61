package main

import (
	"reflect"
	"testing"
)

func TestParseLabels(t *testing.T) {
	got, err := parseLabels([]string{"a=1", "b", "c=x=y"})
	want := map[string]string{"a": "1", "b": "", "c": "x=y"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("parseLabels = %v, %v; want %v", got, err, want)
	}
	if _, err := parseLabels([]string{"=v"}); err == nil {
		t.Fatal("an empty key was taken")
	}
	if got, err := parseLabels(nil); got != nil || err != nil {
		t.Fatalf("no labels: %v, %v", got, err)
	}
}
