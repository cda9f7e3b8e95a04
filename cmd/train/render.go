package main

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mlstack/mlstack/internal/progress"
	"github.com/mlstack/mlstack/pkg/experiment"
)

// reporter renders what a run says while it goes on stderr: notes a
// line each (config warnings as they are, tracking notices as
// "train: warning: ..."), and a progress bar (plain lines when stderr is
// not a terminal), cleared before a note so the two never mix.
type reporter struct {
	r     *progress.Reporter
	bar   *progress.Bar
	label string
}

func newReporter(w io.Writer) *reporter {
	return &reporter{r: progress.NewReporter(w, progress.Options{})}
}

func (r *reporter) note(n experiment.Note) {
	if n.Kind == experiment.Notice {
		r.r.Logf("train: warning: %s", n.Text)
		return
	}
	r.r.Logf("%s", n.Text)
}

func (r *reporter) progress(p experiment.Progress) {
	if r.bar == nil || p.Label != r.label {
		r.bar, r.label = r.r.Bar(p.Label, p.Total), p.Label
	}
	r.bar.Set(p.Done)
}

// done ends the bar.
func (r *reporter) done() {
	if r.bar != nil {
		r.bar.Done()
	}
}

// UnreachableLine ends the summary of a run whose tracking server did not
// answer: the run is in the spool, and `train sync` sends it.
const UnreachableLine = "mlflow:   server unreachable — run spooled, `train sync` to send"

// printSummary prints a finished run's scores (mean, spread and
// confidence interval of each metric over the folds) and where its
// results went.
func printSummary(w io.Writer, rep *experiment.Report) {
	s := rep.Outcome.Summary
	if len(s.Folds) > 0 {
		fmt.Fprintf(w, "\n%s — %d folds, %.0f%% confidence intervals (%s)\n\n", rep.Parsed.Config.Name, len(s.Folds), s.Level*100, strings.ReplaceAll(s.Interval, "_", " "))
	} else {
		fmt.Fprintf(w, "\n%s — held-out evaluation (no folds, no intervals)\n\n", rep.Parsed.Config.Name)
	}
	if rep.Plan != nil && rep.Plan.Balance != nil {
		fmt.Fprintf(w, "  target %s: %s\n\n", rep.Parsed.Config.Data.Target, rep.Plan.Balance)
	}
	width, spread := len("metric"), false
	for name, st := range s.Aggregate {
		width = max(width, len(name))
		spread = spread || st.N > 1
	}
	// One value per metric (a held-out evaluation) has no spread: only
	// the value is printed. Otherwise a cell without a value (a metric
	// defined in one fold only) is a dash, never NaN.
	num := func(v float64) string {
		if math.IsNaN(v) {
			return "—"
		}
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
	if spread {
		fmt.Fprintf(w, "  %-*s  %8s  %8s  %8s  %8s\n", width, "metric", "mean", "std", "CI low", "CI high")
	} else {
		fmt.Fprintf(w, "  %-*s  %8s\n", width, "metric", "value")
	}
	for _, name := range slices.Sorted(maps.Keys(s.Aggregate)) {
		st := s.Aggregate[name]
		if spread {
			fmt.Fprintf(w, "  %-*s  %8s  %8s  %8s  %8s\n", width, name, num(st.Mean), num(st.Std), num(st.Lo), num(st.Hi))
		} else {
			fmt.Fprintf(w, "  %-*s  %8s\n", width, name, num(st.Mean))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "outputs:  %s\n", rep.Out)
	switch {
	case rep.Online:
		fmt.Fprintf(w, "mlflow:   %s\n", rep.RunURL)
		if rep.Model != nil {
			fmt.Fprintf(w, "model:    %s (%s)\n", rep.Model.RunModelURI, rep.Model.ModelURI)
			if rep.Model.PageURL != "" {
				fmt.Fprintf(w, "          %s\n", rep.Model.PageURL)
			}
		}
	case rep.ServerErr != nil:
		fmt.Fprintf(w, "mlflow:   %s did not answer: %v\nspool:    %s\n%s\n", rep.Server, rep.ServerErr, rep.Spool, UnreachableLine)
	default:
		fmt.Fprintf(w, "mlflow:   offline — run kept in %s; `train sync` sends it to a server later\n", rep.Spool)
	}
}
