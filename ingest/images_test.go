package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/dataset/roboflowtest"
)

// TestRoboflowIngest: a roboflow: source goes through the export API (one
// 202, then 200), is checked as a YOLO dataset and lands in the store with
// a manifest; the API key never reaches the manifest or the output.
func TestRoboflowIngest(t *testing.T) {
	srv := roboflowtest.New()
	defer srv.Close()
	srv.Pending = 1
	root := filepath.Join("..", "testdata", "faces_yolo")
	files := map[string][]byte{}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			files[filepath.ToSlash(rel)], _ = os.ReadFile(p)
		}
		return err
	})
	files["data.yaml"] = []byte("train: /abs/elsewhere/train/images\nval: ../valid/images\nnc: 1\nnames: ['face']\n")
	srv.Exports["acme/faces/3/yolov8"] = roboflowtest.Zip(files)
	store := t.TempDir()
	withEnv(t, map[string]string{"ROBOFLOW_API_KEY": srv.Key, "ROBOFLOW_API_URL": srv.API.URL})
	code, stdout, stderr := run(t, "--source", "roboflow:acme/faces/3", "--store", "file://"+store, "--progress", "log")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if strings.Contains(stdout+stderr, srv.Key) {
		t.Errorf("output shows the API key:\n%s\n%s", stdout, stderr)
	}
	b, err := os.ReadFile(filepath.Join(store, "data-bucket", "raw", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), srv.Key) {
		t.Errorf("manifest shows the API key")
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	// testdata/faces_yolo: data.yaml + 4 train and 5 valid images with labels.
	if len(m.Files) != 19 || m.YOLO == nil || m.YOLO.Splits["train"].Boxes != 18 || m.YOLO.Splits["valid"].Images != 5 {
		t.Errorf("manifest: %d files, yolo %+v", len(m.Files), m.YOLO)
	}
	y, err := os.ReadFile(filepath.Join(store, "data-bucket", "raw", "faces-3", "data.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(y), "train: train/images") || strings.Contains(string(y), "/abs/") {
		t.Errorf("data.yaml in the store:\n%s", y)
	}
	if _, err := os.Stat(filepath.Join(store, "data-bucket", "raw", "faces-3", "valid", "labels", "2008_002470.txt")); err != nil {
		t.Error(err)
	}

	// A refused key: exit 1, a clear message, nothing uploaded.
	withEnv(t, map[string]string{"ROBOFLOW_API_KEY": "nope", "ROBOFLOW_API_URL": srv.API.URL})
	store2 := t.TempDir()
	code, _, stderr = run(t, "--source", "roboflow:acme/faces/3", "--store", "file://"+store2, "--progress", "log")
	if code != 1 || !strings.Contains(stderr, "HTTP 401") || strings.Contains(stderr, "nope") {
		t.Errorf("bad key: exit %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(store2, "data-bucket", "raw", "manifest.json")); err == nil {
		t.Error("a manifest was written after a failure")
	}
}
