package storage_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/storage"
)

func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "storage-example-")
	defer os.RemoveAll(dir)
	st, _ := storage.NewLocal(dir) // storage.FromEnv() picks S3 when an endpoint is set
	if err := st.EnsureBucket(ctx, "data-bucket"); err != nil {
		fmt.Println(err)
		return
	}
	info, err := st.Put(ctx, "data-bucket", "raw/tiny.csv", strings.NewReader("x,y\n1,a\n2,b\n"), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(info.URI(), info.Size, info.ContentType, info.SHA256[:12])
	f, err := frame.Open(ctx, info.URI(), &frame.ReadOptions{Opener: storage.Opener(st)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Shape())
	// Output:
	// s3://data-bucket/raw/tiny.csv 12 text/csv 01331cf653a1
	// 2 2
}
