// Package progress shows how long work is getting on: a bar redrawn in
// place on a terminal, plain log lines otherwise (a line at the start and at
// each of a few evenly spaced steps), so logs stay readable in CI and files.
//
// A Reporter owns one output stream: progress updates and log lines go
// through it, and a log line first clears a drawn bar so the two never mix.
// A Bar is a Reporter tracking one count (for example folds done).
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Mode says how progress is shown.
type Mode int

const (
	Auto  Mode = iota // a bar on a terminal, log lines otherwise
	Bars              // always a bar
	Lines             // always log lines
)

// ParseMode reads auto, bar or log.
func ParseMode(s string) (Mode, error) {
	switch s {
	case "auto", "":
		return Auto, nil
	case "bar":
		return Bars, nil
	case "log":
		return Lines, nil
	}
	return Auto, fmt.Errorf("progress mode %q: want auto, bar or log", s)
}

// Options configures a Reporter. The zero value is usable.
type Options struct {
	Mode Mode
	// Prefix starts every log line, e.g. "ingest: ".
	Prefix string
	// Steps is the number of plain lines per task (one each 100/Steps %);
	// 0 means 10.
	Steps int
	// Bytes formats amounts as MiB instead of counts.
	Bytes bool
}

// Reporter writes progress and log lines to one stream. It is safe for
// concurrent use.
type Reporter struct {
	w    io.Writer
	o    Options
	bars bool

	mu    sync.Mutex
	drawn bool
	last  time.Time
	label string
	step  int64
	start time.Time
}

// NewReporter returns a Reporter writing to w.
func NewReporter(w io.Writer, o Options) *Reporter {
	if o.Steps <= 0 {
		o.Steps = 10
	}
	bars := o.Mode == Bars || (o.Mode == Auto && IsTerminal(w))
	return &Reporter{w: w, o: o, bars: bars, step: -1}
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

// Logf writes a log line (with the prefix), clearing a drawn bar first.
func (r *Reporter) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clear()
	fmt.Fprintf(r.w, r.o.Prefix+format+"\n", args...)
}

// Update reports that done of total units of the task label are finished
// (total <= 0: unknown). A new label starts a new task.
func (r *Reporter) Update(label string, done, total int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.update(label, done, total, false)
}

// Done clears a drawn bar (the last state of a task stays in the log).
func (r *Reporter) Done() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clear()
}

func (r *Reporter) clear() {
	if r.drawn {
		fmt.Fprint(r.w, "\r\033[K")
		r.drawn = false
	}
}

func (r *Reporter) amount(n int64) string {
	if r.o.Bytes {
		return Bytes(n)
	}
	return fmt.Sprint(n)
}

func (r *Reporter) update(label string, done, total int64, force bool) {
	if label != r.label {
		r.label, r.step, r.start = label, -1, time.Now()
	}
	elapsed := time.Since(r.start).Round(time.Second)
	if !r.bars {
		if total <= 0 {
			return
		}
		step := done * int64(r.o.Steps) / total
		if step == r.step {
			return
		}
		r.step = step
		fmt.Fprintf(r.w, "%s%s %d%% (%s of %s) %s\n", r.o.Prefix, label, done*100/total, r.amount(done), r.amount(total), elapsed)
		return
	}
	now := time.Now()
	if !force && now.Sub(r.last) < 100*time.Millisecond && done != total {
		return
	}
	r.last = now
	if total <= 0 {
		fmt.Fprintf(r.w, "\r\033[K%s %s %s", label, r.amount(done), elapsed)
		r.drawn = true
		return
	}
	const width = 30
	n := int(done * width / total)
	eta := ""
	if done > 0 && done < total {
		left := time.Duration(float64(time.Since(r.start)) / float64(done) * float64(total-done))
		eta = "  ETA " + left.Round(time.Second).String()
	}
	fmt.Fprintf(r.w, "\r\033[K%s %s%s %3d%% %s/%s  %s%s", label, strings.Repeat("█", n), strings.Repeat("░", width-n),
		done*100/total, r.amount(done), r.amount(total), elapsed, eta)
	r.drawn = true
}

// Bytes formats a byte count for people: 512 B, 22.6 KiB, 1.0 GiB.
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/unit, 0
	for v >= unit && i < 3 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGT"[i])
}

// Bar tracks one count towards a known total.
type Bar struct {
	r     *Reporter
	label string
	total int64
	done  int64
	ended bool
}

// New starts a bar on w, shown as Auto decides (a bar on a terminal).
func New(w io.Writer, label string, total int) *Bar {
	return NewReporter(w, Options{}).Bar(label, total)
}

// Bar starts a count task on r and shows it at 0.
func (r *Reporter) Bar(label string, total int) *Bar {
	b := &Bar{r: r, label: label, total: int64(total)}
	r.mu.Lock()
	r.update(label, 0, b.total, true)
	r.mu.Unlock()
	return b
}

// Set records that done units are finished.
func (b *Bar) Set(done int) {
	b.r.mu.Lock()
	defer b.r.mu.Unlock()
	if b.ended {
		return
	}
	b.done = min(int64(done), b.total)
	b.r.update(b.label, b.done, b.total, false)
}

// Done finishes the bar: its final state stays on screen (a newline after
// a drawn bar) or in the log.
func (b *Bar) Done() {
	b.r.mu.Lock()
	defer b.r.mu.Unlock()
	if b.ended {
		return
	}
	b.ended = true
	b.r.update(b.label, b.total, b.total, true)
	if b.r.drawn {
		fmt.Fprintln(b.r.w)
		b.r.drawn = false
	}
}
