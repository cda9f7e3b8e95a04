package detect

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrNoImages is returned when a dataset split has no images.
var ErrNoImages = errors.New("no images")

// Dataset is a YOLO-format dataset on disk.
type Dataset struct {
	Dir    string   // the folder holding data.yaml
	Names  []string // class names; len(Names) is the number of classes
	Splits map[string][]Sample
}

// Sample is one image with its labels.
type Sample struct {
	Image   string   // path of the image file
	Objects []Object // ground truth, Score 1
}

// Split names, as Roboflow exports them.
var SplitNames = []string{"train", "valid", "test"}

var imageExts = []string{".jpg", ".jpeg", ".png"}

// dataYAML is the part of data.yaml we read; the train/val/test paths are
// not trusted (exporters write absolute or ../ paths): the splits are
// found beside data.yaml.
type dataYAML struct {
	NC    int `yaml:"nc"`
	Names any `yaml:"names"` // a list, or a map of index to name (Ultralytics)
}

// LoadYOLO reads the YOLO dataset in dir: data.yaml (class names) and
// SPLIT/images + SPLIT/labels for the splits present (train, valid or val,
// test). An image without a label file has no objects.
func LoadYOLO(dir string) (*Dataset, error) {
	b, err := os.ReadFile(filepath.Join(dir, "data.yaml"))
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	var y dataYAML
	if err := yaml.Unmarshal(b, &y); err != nil {
		return nil, fmt.Errorf("detect: %s: %w", filepath.Join(dir, "data.yaml"), err)
	}
	ds := &Dataset{Dir: dir, Splits: map[string][]Sample{}}
	switch n := y.Names.(type) {
	case []any:
		for _, v := range n {
			ds.Names = append(ds.Names, fmt.Sprint(v))
		}
	case map[string]any:
		ds.Names = make([]string, len(n))
		for k, v := range n {
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(n) {
				return nil, fmt.Errorf("detect: data.yaml: names: bad index %q", k)
			}
			ds.Names[i] = fmt.Sprint(v)
		}
	case map[int]any:
		ds.Names = make([]string, len(n))
		for i, v := range n {
			if i < 0 || i >= len(n) {
				return nil, fmt.Errorf("detect: data.yaml: names: bad index %d", i)
			}
			ds.Names[i] = fmt.Sprint(v)
		}
	}
	if len(ds.Names) == 0 {
		return nil, fmt.Errorf("detect: %s: no class names (want names: [a, b, ...])", filepath.Join(dir, "data.yaml"))
	}
	if y.NC != 0 && y.NC != len(ds.Names) {
		return nil, fmt.Errorf("detect: data.yaml: nc is %d but names has %d entries", y.NC, len(ds.Names))
	}
	for _, split := range []string{"train", "valid", "val", "test"} {
		imgDir := filepath.Join(dir, split, "images")
		if _, err := os.Stat(imgDir); err != nil {
			continue
		}
		samples, err := loadSplit(imgDir, filepath.Join(dir, split, "labels"), len(ds.Names))
		if err != nil {
			return nil, err
		}
		if split == "val" {
			split = "valid"
		}
		ds.Splits[split] = samples
	}
	if len(ds.Splits["train"]) == 0 {
		return nil, fmt.Errorf("detect: %s: train/images: %w", dir, ErrNoImages)
	}
	return ds, nil
}

func loadSplit(imgDir, labelDir string, nc int) ([]Sample, error) {
	entries, err := os.ReadDir(imgDir)
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	var out []Sample
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || !slices.Contains(imageExts, ext) {
			continue
		}
		s := Sample{Image: filepath.Join(imgDir, e.Name())}
		lp := filepath.Join(labelDir, strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))+".txt")
		objs, err := ReadLabels(lp, nc)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		s.Objects = objs
		out = append(out, s)
	}
	return out, nil
}

// ReadLabels reads a YOLO label file: one object per line, "class cx cy w
// h" normalised, or a polygon "class x1 y1 x2 y2 ..." (read as its
// bounding box). Classes must be in [0, nc).
func ReadLabels(path string, nc int) ([]Object, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Object
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		bad := func(msg string) error { return fmt.Errorf("detect: %s:%d: %s", path, line, msg) }
		cls, err := strconv.Atoi(fields[0])
		if err != nil || cls < 0 || cls >= nc {
			return nil, bad(fmt.Sprintf("class %q is not in 0..%d", fields[0], nc-1))
		}
		vals := make([]float64, len(fields)-1)
		for i, s := range fields[1:] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || badNumber(v) {
				return nil, bad(fmt.Sprintf("bad number %q", s))
			}
			vals[i] = v
		}
		var b Box
		switch {
		case len(vals) == 4:
			b = BoxFromCenter(vals[0], vals[1], vals[2], vals[3])
		case len(vals) >= 6 && len(vals)%2 == 0:
			b = Box{X1: 2, Y1: 2, X2: -1, Y2: -1}
			for i := 0; i < len(vals); i += 2 {
				b.X1, b.X2 = min(b.X1, vals[i]), max(b.X2, vals[i])
				b.Y1, b.Y2 = min(b.Y1, vals[i+1]), max(b.Y2, vals[i+1])
			}
		default:
			return nil, bad(fmt.Sprintf("want class cx cy w h (or a polygon), got %d values", len(vals)))
		}
		b = b.Clip()
		if b.Area() <= 0 {
			return nil, bad("empty box")
		}
		out = append(out, Object{Class: cls, Box: b, Score: 1})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("detect: %s: %w", path, err)
	}
	return out, nil
}

func badNumber(v float64) bool { return v != v || v > 1e6 || v < -1e6 }
