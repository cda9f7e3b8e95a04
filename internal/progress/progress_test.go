package progress

import (
	"bytes"
	"strings"
	"testing"
)

func TestBarLines(t *testing.T) {
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
	if !strings.HasPrefix(lines[0], "cv 0% (0 of 50)") || !strings.HasPrefix(lines[10], "cv 100% (50 of 50)") {
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

func TestReporterBytesAndLogs(t *testing.T) {
	tests := []struct {
		mode Mode
		want []string
	}{
		{Lines, []string{"ingest: upload a.csv 0% (0 B of 4.0 MiB) 0s\n", "ingest: upload a.csv 100% (4.0 MiB of 4.0 MiB)", "ingest: uploaded a.csv\n"}},
		{Bars, []string{"\r\x1b[Kupload a.csv █", "\r\x1b[Kingest: uploaded a.csv\n"}},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		r := NewReporter(&buf, Options{Mode: tt.mode, Prefix: "ingest: ", Steps: 4, Bytes: true})
		for _, done := range []int64{0, 1 << 20, 4 << 20} {
			r.Update("upload a.csv", done, 4<<20)
		}
		r.Logf("uploaded %s", "a.csv")
		r.Done()
		for _, w := range tt.want {
			if !strings.Contains(buf.String(), w) {
				t.Errorf("mode %d: output lacks %q:\n%q", tt.mode, w, buf.String())
			}
		}
	}
}

func TestParseMode(t *testing.T) {
	for in, want := range map[string]Mode{"auto": Auto, "bar": Bars, "log": Lines} {
		if got, err := ParseMode(in); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseMode("fancy"); err == nil {
		t.Error("ParseMode(fancy) gave no error")
	}
}

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 23106: "22.6 KiB", 4 << 20: "4.0 MiB", 3 << 30: "3.0 GiB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}
