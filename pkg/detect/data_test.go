package detect

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/mlstack/mlstack/pkg/dataset"
)

// TestYOLORulesAgree holds ingest's check (dataset.CheckYOLO) and
// training's load (LoadYOLO) to one rule set: on every case, the
// boundaries included, both accept or both refuse, and when they accept
// they count the same images and boxes. Before they shared
// dataset.ReadYOLO, ingest took a zero-width box that training refused,
// and training took coordinates up to ±1e6 that ingest refused.
func TestYOLORulesAgree(t *testing.T) {
	const yamlOK = "names: [face, hand]\n"
	tests := []struct {
		name  string
		yaml  string
		files map[string]string // path under the dataset → content
		ok    bool
		boxes int
	}{
		{"box", yamlOK, label("0 0.5 0.5 0.2 0.2"), true, 1},
		{"two rows and a blank line", yamlOK, label("0 0.5 0.5 0.2 0.2\n\n1 0.2 0.2 0.1 0.1\n"), true, 2},
		{"no label file", yamlOK, map[string]string{"train/images/a.jpg": "x"}, true, 0},
		{"empty label file", yamlOK, label(""), true, 0},
		{"upper-case .PNG", yamlOK, map[string]string{"train/images/a.PNG": "x", "train/labels/a.txt": "0 0.5 0.5 0.2 0.2"}, true, 1},
		{"coordinate at -0.01", yamlOK, label("0 -0.01 0.5 0.2 0.2"), true, 1},
		{"coordinate at 1.01", yamlOK, label("0 0.5 1.01 0.2 0.2"), true, 1},
		{"coordinate below -0.01", yamlOK, label("0 -0.0101 0.5 0.2 0.2"), false, 0},
		{"coordinate above 1.01", yamlOK, label("0 0.5 1.0101 0.2 0.2"), false, 0},
		{"coordinate 1.5", yamlOK, label("0 1.5 0.5 0.2 0.2"), false, 0},
		{"coordinate 1e6", yamlOK, label("0 1e6 0.5 0.2 0.2"), false, 0},
		{"coordinate NaN", yamlOK, label("0 NaN 0.5 0.2 0.2"), false, 0},
		{"coordinate Inf", yamlOK, label("0 0.5 Inf 0.2 0.2"), false, 0},
		{"coordinate not a number", yamlOK, label("0 0.5 x 0.2 0.2"), false, 0},
		{"zero width", yamlOK, label("0 0.5 0.5 0 0.2"), false, 0},
		{"negative height", yamlOK, label("0 0.5 0.5 0.2 -0.01"), false, 0},
		{"box outside the image after clipping", yamlOK, label("0 1.01 0.5 0.01 0.2"), false, 0},
		{"class nc", yamlOK, label("2 0.5 0.5 0.2 0.2"), false, 0},
		{"class -1", yamlOK, label("-1 0.5 0.5 0.2 0.2"), false, 0},
		{"class not an integer", yamlOK, label("0.0 0.5 0.5 0.2 0.2"), false, 0},
		{"three values", yamlOK, label("0 0.5 0.5 0.2"), false, 0},
		{"polygon of 3 points", yamlOK, label("1 0.1 0.1 0.4 0.1 0.2 0.5"), true, 1},
		{"polygon of an odd count", yamlOK, label("1 0.1 0.1 0.4 0.1 0.2"), false, 0},
		{"flat polygon", yamlOK, label("1 0.1 0.1 0.4 0.1 0.3 0.1"), false, 0},
		{"only a .bmp image", yamlOK, map[string]string{"train/images/a.bmp": "x"}, false, 0},
		{"no train split", yamlOK, map[string]string{"valid/images/a.jpg": "x"}, false, 0},
		{"val folder", yamlOK, map[string]string{"train/images/a.jpg": "x", "val/images/b.jpg": "x", "val/labels/b.txt": "1 0.5 0.5 0.2 0.2"}, true, 1},
		{"label file without an image is ignored", yamlOK, map[string]string{"train/images/a.jpg": "x", "train/labels/b.txt": "9 9 9"}, true, 0},
		{"names as a map", "names: {0: face, 1: hand}\nnc: 2\n", label("1 0.5 0.5 0.2 0.2"), true, 1},
		{"names as a map with quoted keys", "names: {\"0\": face, \"1\": hand}\n", label("1 0.5 0.5 0.2 0.2"), true, 1},
		{"names map index out of range", "names: {0: face, 2: hand}\n", label("0 0.5 0.5 0.2 0.2"), false, 0},
		{"nc disagrees", "names: [face]\nnc: 2\n", label("0 0.5 0.5 0.2 0.2"), false, 0},
		{"no names", "nc: 1\n", label("0 0.5 0.5 0.2 0.2"), false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{"data.yaml": tt.yaml}
			for p, c := range tt.files {
				files[p] = c
			}
			for p, c := range files {
				p = filepath.Join(dir, filepath.FromSlash(p))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			sum, checkErr := dataset.CheckYOLO(dir)
			ds, loadErr := LoadYOLO(dir)
			if (checkErr == nil) != tt.ok || (loadErr == nil) != tt.ok {
				t.Fatalf("CheckYOLO: %v; LoadYOLO: %v; want ok=%v", checkErr, loadErr, tt.ok)
			}
			if !tt.ok {
				if checkErr.Error() != loadErr.Error() {
					t.Errorf("different errors:\ncheck: %v\nload:  %v", checkErr, loadErr)
				}
				return
			}
			boxes, images := 0, 0
			for split, samples := range ds.Splits {
				images += len(samples)
				for _, s := range samples {
					boxes += len(s.Objects)
					for _, o := range s.Objects {
						if b := o.Box; !(0 <= b.X1 && b.X1 < b.X2 && b.X2 <= 1 && 0 <= b.Y1 && b.Y1 < b.Y2 && b.Y2 <= 1) {
							t.Errorf("box %+v is not a non-empty box inside the unit square", b)
						}
					}
				}
				if ss := sum.Splits[split]; ss.Images != len(samples) {
					t.Errorf("%s: CheckYOLO counts %d images, LoadYOLO %d", split, ss.Images, len(samples))
				}
			}
			checked := 0
			for _, ss := range sum.Splits {
				checked += ss.Boxes
			}
			if boxes != tt.boxes || checked != tt.boxes {
				t.Errorf("boxes: LoadYOLO %d, CheckYOLO %d, want %d", boxes, checked, tt.boxes)
			}
		})
	}
}

// label is a dataset of one train image, a.jpg, with the label file text.
func label(text string) map[string]string {
	return map[string]string{"train/images/a.jpg": "x", "train/labels/a.txt": text}
}

func TestLoadYOLONoImages(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "data.yaml"), []byte("names: [a]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadYOLO(dir); !errors.Is(err, ErrNoImages) {
		t.Errorf("err = %v, want ErrNoImages", err)
	}
}
