package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// reporter writes progress to stderr: a bar redrawn in place on a
// terminal, plain log lines (start, every 25 %, end) otherwise.
type reporter struct {
	mu      sync.Mutex
	w       io.Writer
	bar     bool
	drawn   bool
	last    time.Time
	label   string
	quarter int64
}

func newReporter(w io.Writer, mode string) *reporter {
	bar := mode == "bar"
	if mode == "auto" {
		if f, ok := w.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				bar = true
			}
		}
	}
	return &reporter{w: w, bar: bar}
}

func (r *reporter) clear() {
	if r.drawn {
		fmt.Fprint(r.w, "\r\033[K")
		r.drawn = false
	}
}

func (r *reporter) logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clear()
	fmt.Fprintf(r.w, "ingest: "+format+"\n", args...)
}

func (r *reporter) progress(label string, done, total int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if label != r.label {
		r.label, r.quarter = label, -1
	}
	if !r.bar {
		if total <= 0 {
			return
		}
		q := done * 4 / total
		if q != r.quarter {
			r.quarter = q
			fmt.Fprintf(r.w, "ingest: %s %d%% (%s of %s)\n", label, q*25, mib(done), mib(total))
		}
		return
	}
	now := time.Now()
	if now.Sub(r.last) < 100*time.Millisecond && done != total {
		return
	}
	r.last = now
	const width = 30
	if total > 0 {
		n := int(done * width / total)
		fmt.Fprintf(r.w, "\r\033[K%s [%s%s] %3d%% %s/%s", label, strings.Repeat("=", n), strings.Repeat(" ", width-n), done*100/total, mib(done), mib(total))
	} else {
		fmt.Fprintf(r.w, "\r\033[K%s %s", label, mib(done))
	}
	r.drawn = true
}

func (r *reporter) done() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clear()
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
