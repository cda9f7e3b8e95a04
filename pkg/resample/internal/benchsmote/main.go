// Command benchsmote prepares the matrices of scripts/bench-smote.sh and
// times pkg/resample and pkg/neighbors on them.
//
//	benchsmote -csv tall.csv -out /tmp/d/tall     # clean all rows, write the matrix
//	benchsmote -csv big.csv -out /tmp/d/big -fold  # also the minority rows of a training fold
//	benchsmote -data /tmp/d/tall                  # time SMOTE{K: 5}.Resample once
//	benchsmote -data /tmp/d/big.fold -knn          # time the 5 nearest neighbours of every row once
//
// Cleaning is the benchmark pipeline's (scripts/bench/pipeline.yaml):
// median imputation of the numeric columns, then one-hot encoding of the
// categorical ones, fitted on all rows; the label column is "target" with
// positive class 1. A matrix PREFIX is three files: PREFIX.x (float64, row
// major, little endian), PREFIX.y (float64 labels) and PREFIX.shape
// ("rows cols"). -fold writes PREFIX.fold.*: the positive rows of the
// first training fold of RepeatedStratifiedKFold(5 × 2, seed 42), the
// class SMOTE searches in that fold.
//
// Timings print as key=value lines: go_smote_seconds, go_knn_seconds (wall
// time of the call only, not of reading).
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"syscall"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/cv"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/neighbors"
	"github.com/mlstack/mlstack/pkg/resample"
)

func main() {
	csvPath := flag.String("csv", "", "CSV table to clean and write")
	out := flag.String("out", "", "prefix of the written matrix")
	fold := flag.Bool("fold", false, "with -csv: also write the minority rows of the first training fold")
	data := flag.String("data", "", "prefix of the matrix to time on")
	knn := flag.Bool("knn", false, "with -data: time neighbors (k=5, each row excluding itself) instead of SMOTE")
	algorithm := flag.String("algorithm", "auto", "neighbour search: auto, kd_tree, ball_tree or brute")
	workers := flag.Int("workers", 0, "goroutines; 0 means GOMAXPROCS")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed call here")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	var err error
	switch {
	case *csvPath != "" && *out != "":
		err = prepare(*csvPath, *out, *fold)
	case *data != "":
		err = timeIt(*data, *knn, neighbors.Algorithm(*algorithm), *workers)
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "benchsmote:", err)
		os.Exit(1)
	}
}

func prepare(path, out string, fold bool) error {
	ctx := context.Background()
	f, err := frame.ReadFile(ctx, path, nil)
	if err != nil {
		return err
	}
	p := clean.New(&clean.Impute{Strategy: clean.Median}, &clean.Encode{Method: clean.OneHot})
	p.Target = "target"
	cleaned, err := p.FitTransform(f)
	if err != nil {
		return err
	}
	X, y, _, err := cleaned.XY("target", &frame.ExportOptions{Positive: "1"})
	if err != nil {
		return err
	}
	if err := write(out, X, y); err != nil {
		return err
	}
	if !fold {
		return nil
	}
	splits, err := cv.RepeatedStratifiedKFold{NSplits: 5, NRepeats: 2, Seed: 42}.Split(y)
	if err != nil {
		return err
	}
	var rows []int
	for _, i := range splits[0].Train {
		if y[i] == 1 {
			rows = append(rows, i)
		}
	}
	_, d := X.Dims()
	m := mat.NewDense(len(rows), d, nil)
	ym := make([]float64, len(rows))
	for r, i := range rows {
		m.SetRow(r, X.RawRowView(i))
		ym[r] = 1
	}
	return write(out+".fold", m, ym)
}

func write(prefix string, X *mat.Dense, y []float64) error {
	n, d := X.Dims()
	if err := os.WriteFile(prefix+".shape", fmt.Appendf(nil, "%d %d\n", n, d), 0o644); err != nil {
		return err
	}
	if err := writeFloats(prefix+".x", X.RawMatrix().Data); err != nil {
		return err
	}
	return writeFloats(prefix+".y", y)
}

func writeFloats(path string, v []float64) error {
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(fh)
	var b [8]byte
	for _, x := range v {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
		w.Write(b[:])
	}
	if err := w.Flush(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

func read(prefix string) (*mat.Dense, []float64, error) {
	shape, err := os.ReadFile(prefix + ".shape")
	if err != nil {
		return nil, nil, err
	}
	var n, d int
	if _, err := fmt.Sscan(string(shape), &n, &d); err != nil {
		return nil, nil, fmt.Errorf("%s.shape: %w", prefix, err)
	}
	x, err := readFloats(prefix+".x", n*d)
	if err != nil {
		return nil, nil, err
	}
	y, err := readFloats(prefix+".y", n)
	if err != nil {
		return nil, nil, err
	}
	return mat.NewDense(n, d, x), y, nil
}

func readFloats(path string, n int) ([]float64, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b := make([]byte, 8*n)
	if _, err := io.ReadFull(bufio.NewReader(fh), b); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return v, nil
}

func timeIt(prefix string, knn bool, alg neighbors.Algorithm, workers int) error {
	X, y, err := read(prefix)
	if err != nil {
		return err
	}
	ctx := context.Background()
	if knn {
		c0 := cpuSeconds()
		t0 := time.Now()
		ix, err := neighbors.Fit(ctx, X, &neighbors.Options{Algorithm: alg, Workers: workers})
		if err != nil {
			return err
		}
		if _, err := ix.KNeighbors(ctx, nil, 5); err != nil {
			return err
		}
		fmt.Printf("go_knn_seconds=%.4f\ngo_knn_cpu_seconds=%.4f\ngo_knn_algorithm=%s\n", time.Since(t0).Seconds(), cpuSeconds()-c0, ix.Algorithm())
		return nil
	}
	c0 := cpuSeconds()
	t0 := time.Now()
	Xr, _, err := resample.SMOTE{K: 5, Algorithm: alg, Workers: workers}.Resample(ctx, X, y, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		return err
	}
	n, _ := Xr.Dims()
	fmt.Printf("go_smote_seconds=%.4f\ngo_smote_cpu_seconds=%.4f\ngo_smote_rows=%d\n", time.Since(t0).Seconds(), cpuSeconds()-c0, n)
	return nil
}

// cpuSeconds is the user and system CPU time of the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
