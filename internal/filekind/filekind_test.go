package filekind_test

import (
	"io/fs"
	"testing"

	"github.com/mlstack/mlstack/internal/filekind"
)

func TestOf(t *testing.T) {
	for _, tt := range []struct {
		m    fs.FileMode
		want string
	}{
		{fs.ModeDir | 0o755, "a directory"},
		{fs.ModeNamedPipe, "a named pipe"},
		{fs.ModeDevice | fs.ModeCharDevice, "a character device"},
		{fs.ModeDevice, "a device"},
		{fs.ModeSocket, "a socket"},
		{fs.ModeSymlink, "L---------"},
	} {
		if got := filekind.Of(tt.m); got != tt.want {
			t.Errorf("Of(%v) = %q, want %q", tt.m, got, tt.want)
		}
	}
}
