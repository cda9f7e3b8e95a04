// Package progress draws progress for long work: a redrawn bar on a
// terminal, plain log lines (at most one per 10%) otherwise, so logs stay
// readable in CI and files.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Bar reports progress towards a known total. It is safe for concurrent use.
type Bar struct {
	w     io.Writer
	label string
	total int
	tty   bool
	start time.Time

	mu       sync.Mutex
	done     int
	lastTick int // last 10% step logged (non-terminal)
	lastDraw time.Time
	finished bool
}

// New starts a bar writing to w (usually os.Stderr).
func New(w io.Writer, label string, total int) *Bar {
	b := &Bar{w: w, label: label, total: total, tty: IsTerminal(w), start: time.Now(), lastTick: -1}
	b.draw(true)
	return b
}

// IsTerminal reports whether w is a character device (and TERM is not dumb).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Set records that done units are finished.
func (b *Bar) Set(done int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.done = min(done, b.total)
	b.draw(false)
}

// Done finishes the bar (a newline on a terminal, a last line otherwise).
func (b *Bar) Done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.done = b.total
	b.draw(true)
	if b.tty {
		fmt.Fprintln(b.w)
	}
	b.finished = true
}

func (b *Bar) draw(force bool) {
	pct := 100
	if b.total > 0 {
		pct = b.done * 100 / b.total
	}
	elapsed := time.Since(b.start)
	if !b.tty {
		tick := pct / 10
		if tick == b.lastTick && !force || (force && b.lastTick == tick) {
			return
		}
		b.lastTick = tick
		fmt.Fprintf(b.w, "%s: %d/%d (%d%%) %s\n", b.label, b.done, b.total, pct, elapsed.Round(time.Second))
		return
	}
	if !force && time.Since(b.lastDraw) < 100*time.Millisecond && b.done < b.total {
		return
	}
	b.lastDraw = time.Now()
	const width = 30
	filled := width * pct / 100
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	eta := ""
	if b.done > 0 && b.done < b.total {
		left := time.Duration(float64(elapsed) / float64(b.done) * float64(b.total-b.done))
		eta = "  ETA " + left.Round(time.Second).String()
	}
	fmt.Fprintf(b.w, "\r\033[K%s %s %d/%d %3d%%  %s%s", b.label, bar, b.done, b.total, pct, elapsed.Round(time.Second), eta)
}
