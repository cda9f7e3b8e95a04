package dataset_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/dataset/roboflowtest"
)

// facesExport zips testdata/faces_yolo as Roboflow exports it, with a
// data.yaml whose paths only held on the exporter's machine.
func facesExport(t *testing.T, extra map[string][]byte) []byte {
	t.Helper()
	root := filepath.Join("..", "..", "testdata", "faces_yolo")
	files := map[string][]byte{
		"data.yaml":           []byte("train: /home/someone/faces/train/images\nval: ../valid/images\ntest: ../test/images\n\nnc: 1\nnames: ['face']\nroboflow:\n  workspace: acme\n  project: faces\n  version: 3\n"),
		"README.roboflow.txt": []byte("exported\n"),
	}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(p) == "data.yaml" {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range extra {
		files[k] = v
	}
	return roboflowtest.Zip(files)
}

func TestParseRoboflowSource(t *testing.T) {
	cases := []struct {
		in      string
		ws, prj string
		ver     int
		format  string
		err     error
	}{
		{"roboflow:acme/faces/3", "acme", "faces", 3, "yolov8", nil},
		{"roboflow:acme/faces/3/yolov5pytorch", "acme", "faces", 3, "yolov5pytorch", nil},
		{"roboflow:acme/faces", "", "", 0, "", dataset.ErrBadSource},
		{"roboflow:acme/faces/x", "", "", 0, "", dataset.ErrBadSource},
		{"roboflow:acme/faces/0", "", "", 0, "", dataset.ErrBadSource},
		{"roboflow:acme/../3", "", "", 0, "", dataset.ErrBadSource},
		{"roboflow:acme/fa ces/3", "", "", 0, "", dataset.ErrBadSource},
		{"roboflow:acme/faces/3/yolov8/extra", "", "", 0, "", dataset.ErrBadSource},
	}
	for i, c := range cases {
		s, err := dataset.ParseSource(c.in)
		if !errors.Is(err, c.err) {
			t.Errorf("case %d: ParseSource(%q) error %v, want %v", i, c.in, err, c.err)
			continue
		}
		if c.err == nil && (s.Kind != dataset.KindRoboflow || s.Workspace != c.ws || s.Project != c.prj || s.Version != c.ver || s.Format != c.format) {
			t.Errorf("case %d: ParseSource(%q) = %+v", i, c.in, s)
		}
	}
}

func roboflowOpts(t *testing.T, srv *roboflowtest.Server, key string) *dataset.FetchOptions {
	return &dataset.FetchOptions{
		Dir: t.TempDir(), RoboflowEndpoint: srv.API.URL, RoboflowPoll: 10 * time.Millisecond, RetryWait: time.Millisecond,
		Getenv: func(k string) string {
			if k == "ROBOFLOW_API_KEY" {
				return key
			}
			return ""
		},
	}
}

func TestFetchRoboflow(t *testing.T) {
	srv := roboflowtest.New()
	defer srv.Close()
	srv.Exports["acme/faces/3/yolov8"] = facesExport(t, nil)
	srv.Pending = 2
	src, _ := dataset.ParseSource("roboflow:acme/faces/3")
	ds, err := dataset.FetchDataset(context.Background(), src, roboflowOpts(t, srv, srv.Key))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := srv.Calls, 3; got != want {
		t.Errorf("API calls = %d, want %d (two 202 answers, then 200)", got, want)
	}
	if got, want := filepath.Base(ds.Dir), "faces-3"; got != want {
		t.Errorf("dir %s, want %s", got, want)
	}
	y, err := os.ReadFile(filepath.Join(ds.Dir, "data.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"train: train/images\n", "val: valid/images\n", "names: ['face']", "workspace: acme"} {
		if !strings.Contains(string(y), want) {
			t.Errorf("data.yaml lacks %q:\n%s", want, y)
		}
	}
	for _, bad := range []string{"/home/someone", "test:", "../"} {
		if strings.Contains(string(y), bad) {
			t.Errorf("data.yaml still has %q:\n%s", bad, y)
		}
	}
	// Counted from testdata/faces_yolo: 4+5 images, 18 train and 25 valid boxes.
	s := ds.YOLO
	if len(s.Names) != 1 || s.Names[0] != "face" || s.Splits["train"].Images != 4 || s.Splits["valid"].Images != 5 ||
		s.Splits["train"].Boxes != 18 || s.Splits["valid"].Boxes != 25 {
		t.Errorf("summary %+v", s)
	}
	if len(ds.Files) != 20 { // data.yaml, README, 9 images, 9 labels
		t.Errorf("%d files: %v", len(ds.Files), ds.Files)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(ds.Dir), "roboflow.zip")); !os.IsNotExist(err) {
		t.Errorf("the zip was kept: %v", err)
	}
}

func TestFetchRoboflowErrors(t *testing.T) {
	srv := roboflowtest.New()
	defer srv.Close()
	srv.Exports["acme/faces/3/yolov8"] = facesExport(t, nil)
	srv.Exports["acme/evil/1/yolov8"] = roboflowtest.Zip(map[string][]byte{"data.yaml": []byte("names: [a]\n"), "../escape.txt": []byte("x")})
	srv.Exports["acme/nolabels/1/yolov8"] = roboflowtest.Zip(map[string][]byte{"README.txt": []byte("x")})
	cases := []struct {
		src, key string
		err      error
		msg      string
	}{
		{"roboflow:acme/faces/3", "wrong-key", dataset.ErrUnauthorized, "HTTP 401"},
		{"roboflow:acme/faces/9", "", dataset.ErrNotFound, "no version acme/faces/9 with format yolov8"},
		{"roboflow:acme/faces/3/coco", "", dataset.ErrNotFound, "HTTP 404"},
		{"roboflow:acme/faces/3", "-", dataset.ErrNoRoboflowKey, "ROBOFLOW_API_KEY"},
		{"roboflow:acme/evil/1", "", dataset.ErrUnsafeArchive, "../escape.txt"},
		{"roboflow:acme/nolabels/1", "", nil, "no data.yaml"},
	}
	for i, c := range cases {
		key := c.key
		switch key {
		case "":
			key = srv.Key
		case "-":
			key = ""
		}
		src, err := dataset.ParseSource(c.src)
		if err != nil {
			t.Fatal(err)
		}
		_, err = dataset.FetchDataset(context.Background(), src, roboflowOpts(t, srv, key))
		if err == nil || (c.err != nil && !errors.Is(err, c.err)) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("case %d %s: error %v, want %v containing %q", i, c.src, err, c.err, c.msg)
			continue
		}
		if strings.Contains(err.Error(), srv.Key) || strings.Contains(err.Error(), "wrong-key") {
			t.Errorf("case %d: the error shows the API key: %v", i, err)
		}
	}
	// Fetch (CSV) refuses the image source.
	src, _ := dataset.ParseSource("roboflow:acme/faces/3")
	if _, err := dataset.Fetch(context.Background(), src, roboflowOpts(t, srv, srv.Key)); !errors.Is(err, dataset.ErrNotTabular) {
		t.Errorf("Fetch(roboflow:) = %v, want ErrNotTabular", err)
	}
}

func TestFetchRoboflowStillGenerating(t *testing.T) {
	srv := roboflowtest.New()
	defer srv.Close()
	srv.Exports["acme/faces/3/yolov8"] = facesExport(t, nil)
	srv.Pending = 1000
	o := roboflowOpts(t, srv, srv.Key)
	o.RoboflowMaxWait = 50 * time.Millisecond
	src, _ := dataset.ParseSource("roboflow:acme/faces/3")
	_, err := dataset.FetchDataset(context.Background(), src, o)
	if err == nil || !strings.Contains(err.Error(), "still being generated") {
		t.Fatalf("error %v, want still being generated", err)
	}
}
