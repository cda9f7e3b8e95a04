package progress

import (
	"bytes"
	"strings"
	"testing"
)

func TestBarPlain(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "cv", 50)
	for i := 1; i <= 50; i++ {
		b.Set(i)
	}
	b.Done()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// One line at 0% and one per 10% step: 0, 10, ..., 100.
	if len(lines) != 11 {
		t.Fatalf("got %d lines, want 11:\n%s", len(lines), buf.String())
	}
	if !strings.HasPrefix(lines[0], "cv: 0/50 (0%)") || !strings.HasPrefix(lines[10], "cv: 50/50 (100%)") {
		t.Errorf("first/last lines = %q / %q", lines[0], lines[10])
	}
	if strings.Contains(buf.String(), "\r") {
		t.Error("plain output contains carriage returns")
	}
}

func TestBarDoneTwice(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "x", 3)
	b.Done()
	n := buf.Len()
	b.Done()
	b.Set(2)
	if buf.Len() != n {
		t.Errorf("output after Done: %q", buf.String()[n:])
	}
}
