// Command benchread times frame.ReadFile on a CSV file and reports its
// memory, for scripts/bench-read.sh and docs/BENCHMARKS.md.
//
//	benchread -gen -rows 2200000 -out /tmp/numeric.csv   # write the numeric benchmark file
//	benchread /tmp/numeric.csv                            # read it once
//
// Reading prints one line of key=value pairs: the wall time of ReadFile,
// the process's peak resident set (getrusage, the figure /usr/bin/time
// reports as %M) and the peak of the Go heap's live objects (sampled every
// millisecond), each also as a multiple of the file size.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/frame/internal/synth"
)

func main() {
	gen := flag.Bool("gen", false, "write the numeric benchmark file to -out and exit")
	out := flag.String("out", "", "file to generate")
	rows := flag.Int("rows", 2_200_000, "rows to generate")
	cpuprof := flag.String("cpuprofile", "", "write a CPU profile of the read here")
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
	if err := read(flag.Arg(0), *cpuprof); err != nil {
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

func read(path, cpuprof string) error {
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
	return nil
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
