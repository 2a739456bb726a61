package daemon

import (
	"reflect"
	"testing"
)

func TestPsColumns(t *testing.T) {
	top := psColumns("UID   PID  CMD\nroot  42   sh -c  sleep 1\n\n")
	want := [][]string{{"root", "42", "sh -c sleep 1"}}
	if !reflect.DeepEqual(top.Titles, []string{"UID", "PID", "CMD"}) || !reflect.DeepEqual(top.Processes, want) {
		t.Fatalf("psColumns = %+v", top)
	}
}
