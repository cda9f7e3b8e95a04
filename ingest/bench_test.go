package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/mlstack/mlstack/internal/testenv"
)

// TestIngestThroughput is the body of scripts/bench-ingest.sh: it writes a
// CSV of MLSTACK_BENCH_INGEST_MIB MiB in a temporary folder, then uploads
// it to the test MinIO with ingest (check, hash, idempotence stat, upload,
// manifest) and with two bare minio-go FPutObjects: "fput" with minio-go's
// defaults (the yardstick) and "fput_same_wire" sending what
// ingest's upload sends on loopback (unsigned payload, CRC32C trailers; see
// pkg/storage), which isolates ingest's own work. The order rotates each
// round; it prints the best time of each and the ratios, the last.
func TestIngestThroughput(t *testing.T) {
	mibs, _ := strconv.Atoi(os.Getenv("MLSTACK_BENCH_INGEST_MIB"))
	if mibs <= 0 {
		t.Skip("set MLSTACK_BENCH_INGEST_MIB (scripts/bench-ingest.sh does)")
	}
	m := testenv.MinIO(t)
	withEnv(t, minioEnv(m))
	path := filepath.Join(t.TempDir(), "bench.csv")
	size := writeBenchCSV(t, path, int64(mibs)<<20)
	c := m.Client(t)
	wire, err := minio.New(m.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(m.AccessKey, m.SecretKey, ""), TrailingHeaders: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const rounds = 3
	best := map[string]time.Duration{}
	note := func(name string, d time.Duration) {
		if b, ok := best[name]; !ok || d < b {
			best[name] = d
		}
		fmt.Printf("ingest %s: %.2fs (%.0f MB/s)\n", name, d.Seconds(), float64(size)/1e6/d.Seconds())
	}
	names := []string{"fput", "ingest", "fput_same_wire"}
	for r := range rounds {
		for i := range names {
			name := names[(i+r)%len(names)]
			bucket := m.Bucket(t)
			start := time.Now()
			switch name {
			case "fput":
				if _, err := c.FPutObject(ctx, bucket, "raw/bench.csv", path, minio.PutObjectOptions{}); err != nil {
					t.Fatal(err)
				}
			case "fput_same_wire":
				if _, err := wire.FPutObject(ctx, bucket, "raw/bench.csv", path, minio.PutObjectOptions{DisableContentSha256: true}); err != nil {
					t.Fatal(err)
				}
			case "ingest":
				code, _, errOut := run(t, "--source", path, "--bucket", bucket, "--progress", "log")
				if code != 0 {
					t.Fatalf("ingest: exit %d\n%s", code, errOut)
				}
				for _, l := range bytes.Split([]byte(errOut), []byte("\n")) {
					if bytes.HasPrefix(l, []byte("ingest: checked")) || bytes.HasPrefix(l, []byte("ingest: uploaded")) {
						fmt.Printf("  %s\n", l)
					}
				}
			}
			note(name, time.Since(start))
			if err := c.RemoveObject(ctx, bucket, "raw/bench.csv", minio.RemoveObjectOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	fmt.Printf("ingest size_bytes=%d fput_best_s=%.2f fput_same_wire_best_s=%.2f ingest_best_s=%.2f\n",
		size, best["fput"].Seconds(), best["fput_same_wire"].Seconds(), best["ingest"].Seconds())
	fmt.Printf("ingest throughput_ratio_vs_fput_same_wire=%.2f\n", best["fput_same_wire"].Seconds()/best["ingest"].Seconds())
	fmt.Printf("ingest throughput_ratio_vs_fput=%.2f\n", best["fput"].Seconds()/best["ingest"].Seconds())
}

// writeBenchCSV writes about size bytes of a numeric/categorical CSV.
func writeBenchCSV(t *testing.T, path string, size int64) int64 {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 4<<20)
	w.WriteString("id,age,income,score,ratio,segment,churn\n")
	var n int64 = 41
	line := make([]byte, 0, 128)
	segs := [][]byte{[]byte("north"), []byte("south"), []byte("east"), []byte("west")}
	for i := int64(0); n < size; i++ {
		line = strconv.AppendInt(line[:0], i, 10)
		line = append(line, ',')
		line = strconv.AppendInt(line, 18+i*7%60, 10)
		line = append(line, ',')
		line = strconv.AppendInt(line, 20000+i*7919%90000, 10)
		line = append(line, ',')
		line = strconv.AppendFloat(line, float64(i*31%1000)/10, 'f', 1, 64)
		line = append(line, ',', '0', '.')
		line = strconv.AppendInt(line, i*17%1000, 10)
		line = append(line, ',')
		line = append(line, segs[i%4]...)
		line = append(line, ',')
		line = append(line, bytes.Repeat([]byte("01"[i%2:i%2+1]), 1)...)
		line = append(line, '\n')
		w.Write(line)
		n += int64(len(line))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return n
}
