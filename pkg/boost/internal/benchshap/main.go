// Command benchshap times pkg/boost's TreeSHAP (Model.Contributions) for
// scripts/bench-shap.sh, on the data benchboost -gen writes.
//
//	benchshap -train -data /tmp/d -rows 100000 -cols 28 -trees 100 -depth 6 -model m.json
//	benchshap -data /tmp/d -rows 100000 -cols 28 -threads 2 -model m.json -out contribs.f32
//
// The first trains a binary:logistic model (hist) and writes it as
// XGBoost JSON; the second reads that file back, as xgboost does, and
// times Contributions on the rows (best of -repeat), printing key=value
// lines and writing the values (float32, rows × (cols+1)) to -out for the
// script's comparison with xgboost's.
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime/pprof"
	"time"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/boost/internal/benchdata"
	"gonum.org/v1/gonum/mat"
)

func main() {
	train := flag.Bool("train", false, "train and write the model, then exit")
	data := flag.String("data", "", "prefix of the data files (benchboost -gen)")
	rows := flag.Int("rows", 100000, "rows")
	cols := flag.Int("cols", 28, "columns")
	trees := flag.Int("trees", 100, "trees")
	depth := flag.Int("depth", 6, "max depth")
	threads := flag.Int("threads", 2, "goroutines")
	model := flag.String("model", "", "XGBoost JSON model file")
	out := flag.String("out", "", "write the contributions here (float32)")
	repeat := flag.Int("repeat", 2, "timed runs; the best is kept")
	cpuprof := flag.String("cpuprofile", "", "write a CPU profile here")
	flag.Parse()
	if err := run(*train, *data, *rows, *cols, *trees, *depth, *threads, *model, *out, *repeat, *cpuprof); err != nil {
		fmt.Fprintln(os.Stderr, "benchshap:", err)
		os.Exit(1)
	}
}

func run(train bool, prefix string, rows, cols, trees, depth, threads int, model, out string, repeat int, cpuprof string) error {
	x, y, err := benchdata.Load(prefix, rows, cols)
	if err != nil {
		return err
	}
	if train {
		m, err := boost.Train(context.Background(), x, y, nil, &boost.Params{NEstimators: trees, MaxDepth: depth, NJobs: threads})
		if err != nil {
			return err
		}
		f, err := os.Create(model)
		if err != nil {
			return err
		}
		if err := m.WriteXGBoostJSON(f); err != nil {
			return err
		}
		return f.Close()
	}
	f, err := os.Open(model)
	if err != nil {
		return err
	}
	m, err := boost.ReadXGBoostJSON(f)
	f.Close()
	if err != nil {
		return err
	}
	m.NJobs = threads
	if cpuprof != "" {
		pf, err := os.Create(cpuprof)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(pf)
		defer pprof.StopCPUProfile()
	}
	var c []*mat.Dense
	best := math.Inf(1)
	for range repeat {
		t0 := time.Now()
		if c, err = m.Contributions(x); err != nil {
			return err
		}
		best = min(best, time.Since(t0).Seconds())
	}
	fmt.Printf("go_contribs_seconds=%.3f\ngo_contribs_rows_per_second=%.0f\n", best, float64(rows)/best)
	if out == "" {
		return nil
	}
	fo, err := os.Create(out)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(fo)
	for _, v := range c[0].RawMatrix().Data {
		binary.Write(w, binary.LittleEndian, float32(v))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return fo.Close()
}
