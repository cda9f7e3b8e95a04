package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mlstack/mlstack/internal/progress"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/model"
	"github.com/mlstack/mlstack/pkg/storage"
)

// Progress is shown for data of at least this size (--progress auto).
const progressMinBytes = 16 << 20

// scoreChunk is the number of rows scored and written at a time.
const scoreChunk = 1 << 16

const predictUsage = `usage: train predict --model URI --data CSV [--out FILE] [--contributions] [--progress auto|bar|log|none]

Scores raw rows (the columns of the training data, in any order) with a
model bundle and writes one CSV row per input row: prediction (the label,
or the value of a regression model) and, for a classifier, probability
(P(positive class)) or probability_<class> for each class.

  --model   a folder, file://, s3://, runs:/<run_id>/model,
            models:/<name>/<version>, models:/<name>@<alias> or models:/m-<id>
            (MLflow URIs use $MLFLOW_TRACKING_URI)
  --data    a CSV file or s3://bucket/key (storage from the environment)
  --out     the output CSV (default: standard output)
  --contributions  also write each row's exact TreeSHAP values per raw
            input column, shap_<column> and shap_bias (log-odds of the
            positive class for a binary classifier; shap_<class>_<column>
            for a multiclass one): they add up to the row's margin
  --progress  auto: a bar on a terminal, log lines otherwise, for data of
            16 MiB or more; bar or log: always; none: never

Exit codes: 0 success, 1 failure (model, data or a bad row: file:line), 2 bad usage.
`

// predict is `train predict`: it scores a CSV of raw rows with a model.
func predict(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("train predict", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelURI := fs.String("model", "", "model `URI`")
	data := fs.String("data", "", "raw rows: a CSV `file` or s3:// URI")
	out := fs.String("out", "", "output CSV `file` (default: standard output)")
	mode := fs.String("progress", "auto", "auto, bar, log or none")
	contrib := fs.Bool("contributions", false, "also write SHAP values per raw column")
	fs.Usage = func() { fmt.Fprint(stderr, predictUsage) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *modelURI == "" || *data == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	show, pm := *mode != "none", progress.Auto
	if show {
		var err error
		if pm, err = progress.ParseMode(*mode); err != nil {
			fmt.Fprintln(stderr, "train predict: --progress:", err)
			return 2
		}
	}
	p := &predictor{stderr: stderr, mode: pm, show: show, forced: *mode == "bar" || *mode == "log", contributions: *contrib}
	n, err := p.run(ctx, *modelURI, *data, *out, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "train predict:", err)
		return 1
	}
	dest := *out
	if dest == "" {
		dest = "standard output"
	}
	fmt.Fprintf(stderr, "train predict: %d rows scored with %s → %s\n", n, *modelURI, dest)
	return 0
}

type predictor struct {
	contributions bool // SHAP values too
	stderr        io.Writer
	mode          progress.Mode
	show          bool // progress wanted
	forced        bool // whatever the size
}

func (p *predictor) run(ctx context.Context, uri, data, out string, stdout io.Writer) (int, error) {
	m, err := model.Open(ctx, uri)
	if err != nil {
		return 0, err
	}
	rows, err := p.read(ctx, m, data)
	if err != nil {
		return 0, err
	}
	w := stdout
	var tmp *os.File
	if out != "" {
		if tmp, err = os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*"); err != nil {
			return 0, err
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		w = tmp
	}
	if err := p.score(m, rows, w); err != nil {
		var re *rowError
		if errors.As(err, &re) {
			if line, lerr := lineOf(ctx, data, re.row); lerr == nil {
				return 0, fmt.Errorf("%s:%d: %w", data, line, re.err)
			}
			return 0, fmt.Errorf("%s: row %d: %w", data, re.row+1, re.err)
		}
		return 0, err
	}
	if tmp != nil {
		if err := tmp.Close(); err != nil {
			return 0, err
		}
		if err := os.Rename(tmp.Name(), out); err != nil {
			return 0, err
		}
	}
	return rows.Len(), nil
}

// read reads the raw rows with the model's input kinds, showing progress
// in bytes for a large file.
func (p *predictor) read(ctx context.Context, m *model.Model, data string) (*frame.Frame, error) {
	rc, err := storage.Open(ctx, data)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer rc.Close()
	size := p.size(ctx, data)
	var r io.Reader = rc
	if p.show && (p.forced || size >= progressMinBytes) {
		rep := progress.NewReporter(p.stderr, progress.Options{Mode: p.mode, Prefix: "train predict: ", Bytes: true})
		defer rep.Done()
		r = &countingReader{r: rc, fn: func(n int64) { rep.Update("reading "+filepath.Base(data), n, size) }}
	}
	opts := m.ReadOptions()
	opts.Name = data
	return frame.ReadCSV(ctx, bufio.NewReaderSize(r, 1<<20), opts)
}

// size returns the size of the data in bytes, 0 if unknown.
func (p *predictor) size(ctx context.Context, data string) int64 {
	if strings.HasPrefix(data, "s3://") {
		st, err := storage.FromEnv()
		if err != nil {
			return 0
		}
		bucket, key, err := storage.ParseURI(data)
		if err != nil {
			return 0
		}
		info, err := st.Stat(ctx, bucket, key)
		if err != nil {
			return 0
		}
		return info.Size
	}
	if fi, err := os.Stat(strings.TrimPrefix(data, "file://")); err == nil {
		return fi.Size()
	}
	return 0
}

// score writes the scores of rows as CSV, scoreChunk rows at a time.
func (p *predictor) score(m *model.Model, rows *frame.Frame, w io.Writer) error {
	cw := csv.NewWriter(w)
	n := rows.Len()
	var bar *progress.Bar
	if p.show && (p.forced || n*len(m.Inputs) >= progressMinBytes/8) {
		bar = progress.NewReporter(p.stderr, progress.Options{Mode: p.mode, Prefix: "train predict: "}).Bar("scoring rows", n)
		defer bar.Done()
	}
	header := []string{"prediction"}
	if m.Task == model.Classification {
		if cl := m.Classes(); len(cl) == 2 {
			header = append(header, "probability")
		} else {
			for _, c := range cl {
				header = append(header, "probability_"+c)
			}
		}
	}
	var shapOutputs, shapColumns []string
	if p.contributions {
		cols, _ := m.FeatureSources()
		shapColumns = append(slices.Clone(cols), "bias")
		shapOutputs = []string{""}
		if m.Task == model.Classification && len(m.Classes()) > 2 {
			shapOutputs = m.Classes()
		}
		for _, o := range shapOutputs {
			for _, c := range shapColumns {
				if o == "" {
					header = append(header, "shap_"+c)
				} else {
					header = append(header, "shap_"+o+"_"+c)
				}
			}
		}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for start := 0; start < n; start += scoreChunk {
		idx := make([]int, 0, scoreChunk)
		for i := start; i < min(n, start+scoreChunk); i++ {
			idx = append(idx, i)
		}
		sc, err := m.Score(rows.Take(idx))
		if err != nil {
			// Find the row at fault, to name its line.
			for _, i := range idx {
				if _, rerr := m.Score(rows.Take([]int{i})); rerr != nil {
					return &rowError{row: i, err: rerr}
				}
			}
			return err
		}
		var e *model.Explanation
		if p.contributions {
			if e, err = m.Explain(rows.Take(idx)); err != nil {
				return err
			}
		}
		cols := sc.Columns()
		rec := make([]string, 0, len(header))
		for i := range sc.Len() {
			rec = rec[:0]
			for _, c := range cols {
				rec = append(rec, c.String(i))
			}
			if e != nil {
				for g := range shapOutputs {
					for _, v := range e.ByColumn[g].RawRowView(i) {
						rec = append(rec, strconv.FormatFloat(v, 'g', -1, 64))
					}
				}
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		if bar != nil {
			bar.Set(start + len(idx))
		}
	}
	cw.Flush()
	return cw.Error()
}

// countingReader reports the bytes read so far.
type countingReader struct {
	r  io.Reader
	n  int64
	fn func(n int64)
}

func (c *countingReader) Read(b []byte) (int, error) {
	k, err := c.r.Read(b)
	c.n += int64(k)
	c.fn(c.n)
	return k, err
}

// rowError is the failure of one row (0-based, in data order).
type rowError struct {
	row int
	err error
}

func (e *rowError) Error() string { return fmt.Sprintf("row %d: %v", e.row, e.err) }
func (e *rowError) Unwrap() error { return e.err }

// lineOf returns the line where data row (0-based, header and blank lines
// not counted, as pkg/frame reads a CSV) starts.
func lineOf(ctx context.Context, data string, row int) (int, error) {
	rc, err := storage.Open(ctx, data)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	cr := csv.NewReader(bufio.NewReader(rc))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return 0, err
	}
	for n := 0; ; {
		rec, err := cr.Read()
		if err != nil {
			return 0, err
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" && len(header) > 1 {
			continue // a blank line
		}
		if n == row {
			line, _ := cr.FieldPos(0)
			return line, nil
		}
		n++
	}
}
