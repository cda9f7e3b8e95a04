package dataset_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/frame"
)

var checkCases = []string{
	"a,b\n1,2\n3,4\n",
	"a,b\r\n1,2\r\n\r\n3,4",
	"a,b\n1,2\n3\n4,5\n",
	"a,b\n1,2\n3,4,5\n",
	"a,b\n1,\"x\ny\"\n3,4\n5\n",
	"a,b\n1,\"x\"\"y\"\n3,4\n",
	"a,b\n1,x\"y\n3,4\n",
	"a,b\n1,\"x\"y\n3,4\n",
	"a,b\n1,2\n   \n3,4\n",
	"a,b\n1,\"unterminated\n3,4\n",
	"a\n1\n  \n2\n",
	"a\n1\n\r\n2\n\n\n3",
	"a,b\n" + strings.Repeat("1,2\n", 1000) + "1,2,3\n",
	"a,b,c\n" + strings.Repeat("10,200,3\n123456,7,8\n", 50) + "1,2\n",
	"a,b\n" + strings.Repeat("x", 300) + "," + strings.Repeat("y", 13) + "\n1\n",
}

// checkAgrees checks that the streaming check of a large file agrees with
// frame.ReadCSV on content: same rows, same error and line.
func checkAgrees(t *testing.T, content string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.csv")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	want, werr := dataset.CheckCSV(ctx, p, &dataset.CheckOptions{Name: "x.csv"})
	got, gerr := dataset.CheckCSV(ctx, p, &dataset.CheckOptions{Name: "x.csv", FullParse: 1, Head: 1})
	var wpe, gpe *frame.ParseError
	errors.As(werr, &wpe)
	errors.As(gerr, &gpe)
	switch {
	case (werr == nil) != (gerr == nil):
		t.Errorf("%q: frame error %v, scanner error %v", content, werr, gerr)
	case werr != nil && (wpe == nil || gpe == nil || wpe.Line != gpe.Line || errors.Unwrap(wpe) != errors.Unwrap(gpe) && !errors.Is(gpe, frame.ErrRaggedRow)):
		t.Errorf("%q: frame error %v, scanner error %v", content, werr, gerr)
	case werr == nil && want.Rows != got.Rows:
		t.Errorf("%q: frame rows %d, scanner rows %d", content, want.Rows, got.Rows)
	}
}

func TestCheckCSVScanner(t *testing.T) {
	for _, c := range checkCases {
		checkAgrees(t, c)
	}
	// Every line length and position of a bad line relative to the
	// scanner's eight-byte words.
	for width := 1; width <= 20; width++ {
		for bad := 1; bad <= 9; bad++ {
			var b strings.Builder
			b.WriteString("a,b\n")
			for i := range 12 {
				v := strings.Repeat("7", width)
				if i == bad {
					b.WriteString(v + "\n")
					continue
				}
				b.WriteString(v + "," + strconv.Itoa(i) + "\n")
			}
			checkAgrees(t, b.String())
		}
	}
}

// FuzzCheckCSV compares the streaming check with frame.ReadCSV.
func FuzzCheckCSV(f *testing.F) {
	for _, c := range checkCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, content string) {
		if !strings.HasPrefix(content, "a,b\n") {
			content = "a,b\n" + content // the header is read by frame in both paths
		}
		checkAgrees(t, content)
	})
}

func BenchmarkCheckCSV(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("id,age,income,score,segment,churn\n")
	for i := 0; buf.Len() < 64<<20; i++ {
		buf.WriteString(strconv.Itoa(i) + "," + strconv.Itoa(18+i%60) + "," + strconv.Itoa(20000+i*7919%90000) + ",0." + strconv.Itoa(i%1000) + ",north," + strconv.Itoa(i%2) + "\n")
	}
	p := filepath.Join(b.TempDir(), "bench.csv")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if _, err := dataset.CheckCSV(context.Background(), p, nil); err != nil {
			b.Fatal(err)
		}
	}
}
