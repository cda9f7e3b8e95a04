package experiment

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A local data source that is not a regular file is refused before it is
// read (a FIFO would block, /dev/zero never end).
func TestCheckLocal(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.csv")
	if err := os.WriteFile(big, []byte("a\n"+strings.Repeat("1\n", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkLocal(fifo); err == nil || !strings.Contains(err.Error(), "is a named pipe, not a regular file: give the path of a CSV file") {
		t.Errorf("data source FIFO: %v", err)
	}
	if err := checkLocal("file:///dev/zero"); err == nil || !strings.Contains(err.Error(), "a character device") {
		t.Errorf("data source /dev/zero: %v", err)
	}
	for _, ok := range []string{big, filepath.Join(dir, "none.csv"), "s3://bucket/key.csv"} {
		if err := checkLocal(ok); err != nil {
			t.Errorf("checkLocal(%s): %v", ok, err)
		}
	}
}
