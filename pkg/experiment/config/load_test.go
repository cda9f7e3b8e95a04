package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/mlstack/mlstack/pkg/experiment/config"
)

const base = `version: 1
name: t
data:
  source: sample:diabetes
  target: Outcome
model:
  trainer: classification
`

func TestLoadFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte(base+"#"+strings.Repeat("x", config.MaxConfigBytes)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{fifo, fifo + ": not a config file: it is a named pipe; give the path of a YAML file"},
		{"/dev/zero", "/dev/zero: not a config file: it is a character device"},
		{dir, dir + ": not a config file: it is a directory"},
		{big, big + ": 1048679 bytes: a config is at most 1048576 bytes"},
		{filepath.Join(dir, "none.yaml"), "none.yaml: cannot read config: no such file or directory"},
	}
	for _, tt := range tests {
		_, err := config.LoadFile(tt.path, nil) // must not block on the FIFO
		if !errors.Is(err, config.ErrConfig) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("LoadFile(%s): err = %v\nwant %q", tt.path, err, tt.want)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	cols := []string{"x", "color", "y", "Outcome", "n_estimators"}
	tests := []struct{ s, want string }{
		{"Y", ` (did you mean "y"?)`}, // case first, though x is as near
		{"outcome", ` (did you mean "Outcome"?)`},
		{"colour", ` (did you mean "color"?)`},
		{"n_estimator", ` (did you mean "n_estimators"?)`},
		{"zzzzzz", ""},
	}
	for _, tt := range tests {
		if got := config.DidYouMean(tt.s, cols); got != tt.want {
			t.Errorf("DidYouMean(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}
