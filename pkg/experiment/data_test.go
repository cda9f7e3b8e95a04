package experiment

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A local data source that is not a regular file is refused before it is
// read (a FIFO would block, /dev/zero never end).
func TestLoadDataNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadData(context.Background(), DataConfig{Source: fifo}); err == nil || !strings.Contains(err.Error(), "is a named pipe, not a regular file: give the path of a CSV file") {
		t.Errorf("data source FIFO: %v", err)
	}
	if _, err := LoadData(context.Background(), DataConfig{Source: "file:///dev/zero"}); err == nil || !strings.Contains(err.Error(), "a character device") {
		t.Errorf("data source /dev/zero: %v", err)
	}
}
