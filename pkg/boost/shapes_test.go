package boost

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/resample"
	"gonum.org/v1/gonum/mat"
)

// The pipeline benchmark's shapes (scripts/bench/shapes.py) as one fold's
// training matrix: the same steps as scripts/bench/pipeline.yaml (median
// imputation, one-hot encoding, SMOTE k=5 to balance) on the 80% of rows
// whose index is not a multiple of 5. Making a fold of big takes minutes
// (SMOTE's neighbour search), so the matrix is cached beside the CSV as
// <shape>.fold.x (float32, row-major: what Train sees) and <shape>.fold.y.
//
//	python scripts/bench/shapes.py /tmp/shapes wide tall big
//	MLSTACK_BOOST_SHAPES=/tmp/shapes go test -run '^$' -bench TrainShapes ./pkg/boost
//	MLSTACK_BOOST_SHAPES=/tmp/shapes go test -run '^TestTrainSpeedShapes$' -v -timeout 2h ./pkg/boost
//
// MLSTACK_BOOST_SHAPE_NAMES (e.g. "tall" or "wide,tall") limits both to
// some of the shapes, without reading the others' folds.

// shapesDir is where the shape CSVs are; benchmarks on shapes skip when
// it is not set.
func shapesDir(tb testing.TB) string {
	d := os.Getenv("MLSTACK_BOOST_SHAPES")
	if d == "" {
		tb.Skip("MLSTACK_BOOST_SHAPES is not set (a folder with scripts/bench/shapes.py's CSVs)")
	}
	return d
}

// shapeNames are the shapes to run: MLSTACK_BOOST_SHAPE_NAMES
// (comma-separated), or all three.
func shapeNames() []string {
	if s := os.Getenv("MLSTACK_BOOST_SHAPE_NAMES"); s != "" {
		return strings.Split(s, ",")
	}
	return []string{"wide", "tall", "big"}
}

// shapeParams are the pipeline benchmark's model parameters, one thread
// as each fold gets on two cores.
func shapeParams() *Params {
	return &Params{NEstimators: 100, MaxDepth: 4, LearningRate: 0.1, Subsample: 0.9, ColsampleBytree: 0.9, NJobs: 1, TreeMethod: Hist}
}

// shapeFold returns the cached fold matrix of shape name, making it first
// if needed.
func shapeFold(tb testing.TB, dir, name string) (*mat.Dense, []float64) {
	tb.Helper()
	prefix := filepath.Join(dir, name+".fold")
	if x, y, err := readFold(prefix); err == nil {
		return x, y
	}
	ctx := context.Background()
	f, err := frame.ReadFile(ctx, filepath.Join(dir, name+".csv"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	var keep []int
	for i := range f.Len() {
		if i%5 != 0 {
			keep = append(keep, i)
		}
	}
	pipe := clean.New(&clean.Impute{Strategy: clean.Median}, &clean.Encode{Method: clean.OneHot})
	pipe.Target = "target"
	cleaned, err := pipe.FitTransform(f.Take(keep))
	if err != nil {
		tb.Fatal(err)
	}
	X, y, _, err := cleaned.XY("target", &frame.ExportOptions{Positive: "1"})
	if err != nil {
		tb.Fatal(err)
	}
	X, y, err = resample.SMOTE{K: 5, Strategy: resample.Auto{}, Workers: 2}.Resample(ctx, X, y, rand.New(rand.NewPCG(42, 0x736d6f7465)))
	if err != nil {
		tb.Fatal(err)
	}
	if err := writeFold(prefix, X, y); err != nil {
		tb.Fatal(err)
	}
	return X, y
}

func writeFold(prefix string, X *mat.Dense, y []float64) error {
	r, c := X.Dims()
	bx := make([]byte, 0, r*c*4)
	for i := range r {
		for _, v := range X.RawRowView(i) {
			bx = binary.LittleEndian.AppendUint32(bx, math.Float32bits(float32(v)))
		}
	}
	by := make([]byte, 0, r*4)
	for _, v := range y {
		by = binary.LittleEndian.AppendUint32(by, math.Float32bits(float32(v)))
	}
	hdr := fmt.Appendf(nil, "%d %d\n", r, c)
	if err := os.WriteFile(prefix+".y", by, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(prefix+".x", bx, 0o644); err != nil {
		return err
	}
	return os.WriteFile(prefix+".dims", hdr, 0o644)
}

func readFold(prefix string) (*mat.Dense, []float64, error) {
	var r, c int
	hdr, err := os.ReadFile(prefix + ".dims")
	if err != nil {
		return nil, nil, err
	}
	if _, err := fmt.Sscanf(string(hdr), "%d %d", &r, &c); err != nil {
		return nil, nil, err
	}
	bx, err := os.ReadFile(prefix + ".x")
	if err != nil {
		return nil, nil, err
	}
	by, err := os.ReadFile(prefix + ".y")
	if err != nil {
		return nil, nil, err
	}
	if len(bx) != r*c*4 || len(by) != r*4 {
		return nil, nil, fmt.Errorf("%s: sizes do not match %d x %d", prefix, r, c)
	}
	x := make([]float64, r*c)
	for i := range x {
		x[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(bx[4*i:])))
	}
	y := make([]float64, r)
	for i := range y {
		y[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(by[4*i:])))
	}
	return mat.NewDense(r, c, x), y, nil
}

// BenchmarkTrainShapes trains the pipeline's model on one fold of each
// shape with one thread.
func BenchmarkTrainShapes(b *testing.B) {
	dir := shapesDir(b)
	for _, name := range shapeNames() {
		if _, err := os.Stat(filepath.Join(dir, name+".csv")); err != nil {
			continue
		}
		x, y := shapeFold(b, dir, name)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Train(context.Background(), x, y, nil, shapeParams()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// xgbFoldScript trains xgboost like shapeParams on a cached fold
// (argv[1] = prefix, argv[2] = nthread) and prints its wall and process
// CPU seconds (DMatrix plus training, as Train includes quantisation).
const xgbFoldScript = `
import sys, time
import numpy as np
import xgboost as xgb
prefix, threads = sys.argv[1], int(sys.argv[2])
r, c = map(int, open(prefix + ".dims").read().split())
X = np.fromfile(prefix + ".x", dtype=np.float32).reshape(r, c)
y = np.fromfile(prefix + ".y", dtype=np.float32)
params = {"objective": "binary:logistic", "tree_method": "hist", "max_depth": 4, "eta": 0.1,
          "subsample": 0.9, "colsample_bytree": 0.9, "max_bin": 256, "nthread": threads, "seed": 42}
t0, c0 = time.perf_counter(), time.process_time()
xgb.train(params, xgb.DMatrix(X, label=y, nthread=threads), 100)
print(time.perf_counter() - t0, time.process_time() - c0)
`

// TestTrainSpeedShapes times Train against xgboost on one fold of each
// shape with the same threads (1, as each of two parallel folds gets on
// two cores; MLSTACK_BOOST_THREADS overrides), alternating Go, xgboost,
// xgboost, Go and keeping each side's best wall and CPU time.
func TestTrainSpeedShapes(t *testing.T) {
	dir := shapesDir(t)
	py := testenv.Python(t)
	threads := 1
	if s := os.Getenv("MLSTACK_BOOST_THREADS"); s != "" {
		fmt.Sscan(s, &threads)
	}
	for _, name := range shapeNames() {
		if _, err := os.Stat(filepath.Join(dir, name+".csv")); err != nil {
			continue
		}
		x, y := shapeFold(t, dir, name)
		goBest, xgbBest := [2]float64{math.Inf(1), math.Inf(1)}, [2]float64{math.Inf(1), math.Inf(1)}
		runGo := func() {
			p := shapeParams()
			p.NJobs = threads
			t0, c0 := time.Now(), processCPU()
			if _, err := Train(context.Background(), x, y, nil, p); err != nil {
				t.Fatal(err)
			}
			goBest[0], goBest[1] = min(goBest[0], time.Since(t0).Seconds()), min(goBest[1], processCPU()-c0)
		}
		runXGB := func() {
			var wall, cpu float64
			out := testenv.RunInterpreter(t, py, xgbFoldScript, []string{filepath.Join(dir, name+".fold"), fmt.Sprint(threads)})
			if _, err := fmt.Sscan(string(out), &wall, &cpu); err != nil {
				t.Fatalf("xgboost printed %q: %v", out, err)
			}
			xgbBest[0], xgbBest[1] = min(xgbBest[0], wall), min(xgbBest[1], cpu)
		}
		runGo()
		runXGB()
		runXGB()
		runGo()
		r, c := x.Dims()
		t.Logf("%s (%d x %d, %d thread(s)): Go %.2f s (CPU %.2f s), xgboost %.2f s (CPU %.2f s): train_ratio_vs_xgboost=%.2f cpu_ratio=%.2f",
			name, r, c, threads, goBest[0], goBest[1], xgbBest[0], xgbBest[1], goBest[0]/xgbBest[0], goBest[1]/xgbBest[1])
	}
}

// processCPU is the user and system CPU time of this process so far.
func processCPU() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
