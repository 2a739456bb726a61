package exe

import (
	"bytes"
	"os"
	"testing"
)

func TestSealed(t *testing.T) {
	f, err := Sealed()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want, err := os.ReadFile("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(Path(f))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("sealed copy differs from the binary (%d vs %d bytes)", len(got), len(want))
	}
	// Sealed means nobody can change it, even through a fresh open.
	w, err := os.OpenFile(Path(f), os.O_WRONLY, 0)
	if err == nil {
		_, err = w.Write([]byte("x"))
		w.Close()
	}
	if err == nil {
		t.Fatal("wrote into the sealed copy")
	}
}
