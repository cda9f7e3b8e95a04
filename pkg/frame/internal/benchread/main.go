// Command benchread times frame.ReadFile on a CSV file and reports its
// memory, for scripts/bench-read.sh and docs/BENCHMARKS.md.
//
//	benchread -gen -rows 2200000 -out /tmp/numeric.csv   # write the numeric benchmark file
//	benchread /tmp/numeric.csv                            # read it once
//	benchread -fold target /tmp/shapes/big.csv            # and one fold's frame work
//
// Reading prints one line of key=value pairs: the wall time of ReadFile,
// the process's peak resident set (getrusage, the figure /usr/bin/time
// reports as %M) and the peak of the Go heap's live objects (sampled every
// millisecond), each also as a multiple of the file size. With -fold, it
// then does what pkg/experiment does with the frame in one fold of
// cross-validation, before resampling and training: Take the training rows
// (80%), fit the benchmark pipeline's cleaning (median imputation, one-hot
// encoding), export XY, Take the test rows, clean them and export their
// matrix; and prints the live heap's peak above the frame during that.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/frame/internal/synth"
)

func main() {
	gen := flag.Bool("gen", false, "write the numeric benchmark file to -out and exit")
	out := flag.String("out", "", "file to generate")
	rows := flag.Int("rows", 2_200_000, "rows to generate")
	cpuprof := flag.String("cpuprofile", "", "write a CPU profile of the read here")
	fold := flag.String("fold", "", "after reading, time one fold's frame work with this target column")
	flag.Parse()
	if *gen {
		if err := generate(*out, *rows); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: benchread [-cpuprofile F] FILE | benchread -gen [-rows N] -out FILE")
		os.Exit(2)
	}
	if err := read(flag.Arg(0), *cpuprof, *fold); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// generate writes the numeric benchmark file (synth.Numeric).
func generate(path string, rows int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := synth.Numeric(w, rows); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func read(path, cpuprof, target string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if cpuprof != "" {
		pf, err := os.Create(cpuprof)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	stop := watchHeap()
	t0 := time.Now()
	f, err := frame.ReadFile(context.Background(), path, nil)
	secs := time.Since(t0).Seconds()
	heap := stop()
	if err != nil {
		return err
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	rss := float64(ru.Maxrss) * 1024 // kilobytes on Linux
	size := float64(fi.Size())
	r, c := f.Shape()
	fmt.Printf("rows=%d cols=%d file_mb=%.1f read_s=%.3f peak_rss_mb=%.1f rss_per_file=%.2f peak_heap_mb=%.1f heap_per_file=%.2f\n",
		r, c, size/1e6, secs, rss/1e6, rss/size, float64(heap)/1e6, float64(heap)/size)
	if target == "" {
		return nil
	}
	runtime.GC()
	base := live()
	stop = watchHeap()
	t0 = time.Now()
	steps, err := foldWork(f, target)
	secs = time.Since(t0).Seconds()
	heap = stop()
	if err != nil {
		return err
	}
	fmt.Printf("frame_mb=%.1f fold_s=%.3f fold_peak_above_frame_mb=%.1f %s\n", float64(base)/1e6, secs, float64(heap-min(heap, base))/1e6, steps)
	return nil
}

// foldWork does one fold's frame work (see the command's documentation)
// and returns the live heap above f after each step.
func foldWork(f *frame.Frame, target string) (string, error) {
	rnd := rand.New(rand.NewPCG(1, 2))
	var train, test []int
	for i := range f.Len() {
		if rnd.IntN(5) == 0 {
			test = append(test, i)
		} else {
			train = append(train, i)
		}
	}
	base := live()
	var steps []string
	note := func(step string) {
		l := live()
		steps = append(steps, fmt.Sprintf("%s_mb=%.1f", step, (float64(l)-float64(base))/1e6))
	}
	tr := f.Take(train)
	note("take_train")
	pipe := clean.New(&clean.Impute{Strategy: clean.Median}, &clean.Encode{Method: clean.OneHot, Unknown: clean.UnknownIgnore})
	pipe.Target = target
	cleaned, err := pipe.FitTransform(tr)
	if err != nil {
		return "", err
	}
	note("clean_train")
	X, y, schema, err := cleaned.XY(target, nil)
	if err != nil {
		return "", err
	}
	note("xy_train")
	te := f.Take(test)
	ct, err := pipe.Transform(te)
	if err != nil {
		return "", err
	}
	Xt, err := schema.Matrix(ct)
	if err != nil {
		return "", err
	}
	note("test_matrix")
	runtime.KeepAlive(tr)
	runtime.KeepAlive(cleaned)
	runtime.KeepAlive(X)
	runtime.KeepAlive(y)
	runtime.KeepAlive(te)
	runtime.KeepAlive(ct)
	runtime.KeepAlive(Xt)
	return strings.Join(steps, " "), nil
}

// live returns the bytes of live heap objects, after a collection.
func live() uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// watchHeap samples the bytes of live and unswept heap objects every
// millisecond until the returned function is called, which returns the
// highest value seen.
func watchHeap() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		peak := read()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				done <- max(peak, read())
				return
			case <-t.C:
				peak = max(peak, read())
			}
		}
	}()
	return func() uint64 { close(stop); return <-done }
}
