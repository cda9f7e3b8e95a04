// Command benchboost times pkg/boost (training, batch prediction) and
// leaves on synthetic dense binary data, for scripts/bench-boost.sh.
//
//	benchboost -gen -rows 1000000 -cols 28 -out /tmp/d   # write d.x (float32) and d.y
//	benchboost -data /tmp/d -rows 1000000 -cols 28 -trees 100 -depth 6 -threads 2
//
// It prints key=value lines.
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/boost/internal/benchdata"
	"gonum.org/v1/gonum/mat"
)

func main() {
	gen := flag.Bool("gen", false, "generate data and exit")
	out := flag.String("out", "", "prefix of generated files")
	data := flag.String("data", "", "prefix of the data files")
	rows := flag.Int("rows", 1000000, "rows")
	cols := flag.Int("cols", 28, "columns")
	trees := flag.Int("trees", 100, "trees")
	depth := flag.Int("depth", 6, "max depth")
	threads := flag.Int("threads", 2, "goroutines")
	scaling := flag.String("scaling", "", "comma-separated row counts to time training on (subsets)")
	lgPath := flag.String("lightgbm", "", "write the trained model as LightGBM text here")
	cpuprof := flag.String("cpuprofile", "", "write a CPU profile of training here")
	flag.Parse()
	if *cpuprof != "" {
		f, err := os.Create(*cpuprof)
		if err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	if *gen {
		if err := generate(*out, *rows, *cols); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if err := run(*data, *rows, *cols, *trees, *depth, *threads, *scaling, *lgPath); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// generate writes rows x cols float32 N(0,1) features (little endian) and
// float32 0/1 labels from a noisy nonlinear score.
func generate(prefix string, rows, cols int) error {
	rng := rand.New(rand.NewPCG(1, 2))
	fx, err := os.Create(prefix + ".x")
	if err != nil {
		return err
	}
	defer fx.Close()
	fy, err := os.Create(prefix + ".y")
	if err != nil {
		return err
	}
	defer fy.Close()
	wx, wy := bufio.NewWriter(fx), bufio.NewWriter(fy)
	row := make([]float32, cols)
	for i := 0; i < rows; i++ {
		s := 0.0
		for j := range row {
			v := rng.NormFloat64()
			row[j] = float32(v)
			s += v * math.Sin(float64(j+1))
		}
		s += float64(row[0]*row[1]) - math.Abs(float64(row[2]))
		y := float32(0)
		if s+rng.NormFloat64() > 0 {
			y = 1
		}
		binary.Write(wx, binary.LittleEndian, row)
		binary.Write(wy, binary.LittleEndian, y)
	}
	if err := wx.Flush(); err != nil {
		return err
	}
	return wy.Flush()
}

// cpuSeconds is the user+system CPU time of the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// watchHeap samples the live heap every few milliseconds from now on; the
// returned function stops sampling and returns the peak above the level at
// the start.
func watchHeap() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		peak := base
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				done <- max(peak, read()) - base
				return
			case <-t.C:
				peak = max(peak, read())
			}
		}
	}()
	return func() uint64 { close(stop); return <-done }
}

func run(prefix string, rows, cols, trees, depth, threads int, scaling, lgPath string) error {
	x, y, err := benchdata.Load(prefix, rows, cols)
	if err != nil {
		return err
	}
	p := &boost.Params{NEstimators: trees, MaxDepth: depth, NJobs: threads, TreeMethod: boost.Hist}
	runtime.GC()
	peak := watchHeap()
	t0, c0 := time.Now(), cpuSeconds()
	m, err := boost.Train(context.Background(), x, y, nil, p)
	if err != nil {
		return err
	}
	train := time.Since(t0).Seconds()
	extra := peak()
	fmt.Printf("go_train_seconds=%.3f\ngo_train_cpu_seconds=%.3f\n", train, cpuSeconds()-c0)
	// Memory: what training allocates beyond its input, against the size
	// of the data as float32 plus one byte of bin index per value.
	fmt.Printf("go_train_peak_extra_mb=%.1f\ndata_float32_plus_bins_mb=%.1f\n", float64(extra)/1e6, float64(rows*cols*5)/1e6)

	raw := x.RawMatrix().Data
	pred := make([]float64, rows)
	best := math.Inf(1)
	bestCPU := math.Inf(1)
	for range 3 {
		t0, c0 = time.Now(), cpuSeconds()
		m.PredictDense(raw, rows, pred)
		best = min(best, time.Since(t0).Seconds())
		bestCPU = min(bestCPU, cpuSeconds()-c0)
	}
	fmt.Printf("go_predict_seconds=%.4f\ngo_predict_cpu_seconds=%.4f\ngo_predict_rows_per_second=%.0f\n", best, bestCPU, float64(rows)/best)

	if lgPath != "" {
		f, err := os.Create(lgPath)
		if err != nil {
			return err
		}
		if err := m.WriteLightGBM(f); err != nil {
			return err
		}
		f.Close()
		lf, err := os.Open(lgPath)
		if err != nil {
			return err
		}
		lg, err := boost.LoadLeaves(lf, true)
		lf.Close()
		if err != nil {
			return err
		}
		lp := make([]float64, rows)
		best = math.Inf(1)
		for range 2 {
			t0 = time.Now()
			if err := lg.PredictDense(raw, rows, cols, lp, 0, threads); err != nil {
				return err
			}
			best = min(best, time.Since(t0).Seconds())
		}
		worst := 0.0
		for i := range lp {
			worst = max(worst, math.Abs(lp[i]-pred[i]))
		}
		fmt.Printf("leaves_predict_seconds=%.4f\nleaves_predict_rows_per_second=%.0f\nleaves_max_abs_diff=%.3g\n", best, float64(rows)/best, worst)
	}
	if scaling != "" {
		for _, s := range strings.Split(scaling, ",") {
			n, err := strconv.Atoi(s)
			if err != nil || n > rows {
				return fmt.Errorf("bad scaling size %q", s)
			}
			xs := x.Slice(0, n, 0, cols).(*mat.Dense)
			runtime.GC()
			t0 = time.Now()
			if _, err := boost.Train(context.Background(), xs, y[:n], nil, p); err != nil {
				return err
			}
			fmt.Printf("go_train_seconds_rows_%d=%.3f\n", n, time.Since(t0).Seconds())
		}
	}
	return nil
}
