package dataset

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// YOLOSummary describes a YOLO-format dataset.
type YOLOSummary struct {
	Names  []string                `json:"names"`
	Splits map[string]SplitSummary `json:"splits"`
}

// SplitSummary counts one split's files.
type SplitSummary struct {
	Images int `json:"images"`
	Labels int `json:"labels"` // label files
	Boxes  int `json:"boxes"`  // label rows
}

// yoloSplits maps the data.yaml key of each split to its folder names, as
// Roboflow and Ultralytics lay them out.
var yoloSplits = []struct{ key, dir, alt string }{
	{"train", "train", ""}, {"val", "valid", "val"}, {"test", "test", ""},
}

// RebuildDataYAML rewrites the train, val and test paths of dir/data.yaml
// to the image folders present beside it (train/images, valid/images,
// test/images, relative to data.yaml), dropping those absent and any
// "path" key; other keys (names, nc, roboflow, ...) are kept.
func RebuildDataYAML(dir string) error {
	p := filepath.Join(dir, "data.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("dataset: the archive has no data.yaml at its top: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return fmt.Errorf("dataset: %s: not a YAML mapping", p)
	}
	m := doc.Content[0]
	drop := map[string]bool{"path": true, "train": true, "val": true, "test": true}
	var kept []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !drop[m.Content[i].Value] {
			kept = append(kept, m.Content[i], m.Content[i+1])
		}
	}
	var paths []*yaml.Node
	for _, s := range yoloSplits {
		for _, d := range []string{s.dir, s.alt} {
			if d == "" {
				continue
			}
			if fi, err := os.Stat(filepath.Join(dir, d, "images")); err == nil && fi.IsDir() {
				paths = append(paths,
					&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s.key},
					&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: d + "/images"})
				break
			}
		}
	}
	if len(paths) == 0 {
		return fmt.Errorf("dataset: %s: no train/images, valid/images or test/images beside data.yaml", dir)
	}
	m.Content = append(paths, kept...)
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return err
	}
	return os.WriteFile(p, out, 0o644)
}

// MaxYOLOSlack is how far outside [0, 1] a label coordinate may be: the
// rounding slack of exporters. Coordinates are in [-MaxYOLOSlack,
// 1+MaxYOLOSlack].
const MaxYOLOSlack = 0.01

// ErrNoImages: the train split of a YOLO dataset has no image.
var ErrNoImages = errors.New("no images")

// YOLODataset is a YOLO-format dataset read by ReadYOLO.
type YOLODataset struct {
	Dir   string   // the folder holding data.yaml
	Names []string // class names; len(Names) is the number of classes
	// Splits holds the images of each split present, keyed "train",
	// "valid" (a val/ folder too) and "test", in file name order.
	Splits map[string][]YOLOImage
}

// YOLOImage is one image and its labels.
type YOLOImage struct {
	Path     string      // the image file
	HasLabel bool        // labels/STEM.txt exists
	Labels   []YOLOLabel // its rows, in order
}

// YOLOLabel is one object of a label file: its class and its bounding
// box in normalised image coordinates, clipped to [0, 1], of positive
// area.
type YOLOLabel struct {
	Class          int
	X1, Y1, X2, Y2 float64
}

// CheckYOLO checks the YOLO dataset in dir by the rules of ReadYOLO (it
// is ReadYOLO) and counts its splits.
func CheckYOLO(dir string) (YOLOSummary, error) {
	ds, err := ReadYOLO(dir)
	if err != nil {
		return YOLOSummary{}, err
	}
	sum := YOLOSummary{Names: ds.Names, Splits: map[string]SplitSummary{}}
	for split, imgs := range ds.Splits {
		var ss SplitSummary
		for _, im := range imgs {
			ss.Images++
			if im.HasLabel {
				ss.Labels++
			}
			ss.Boxes += len(im.Labels)
		}
		sum.Splits[split] = ss
	}
	return sum, nil
}

// ReadYOLO reads the YOLO dataset in dir. It is the one reader of a YOLO
// dataset: ingest checks a dataset with CheckYOLO, which is ReadYOLO
// counted, and the detection trainer (pkg/detect) trains on what ReadYOLO
// returns, so a dataset ingest accepts is one training reads, and the
// other way round. The rules:
//
//   - data.yaml holds names, as a list or as a map of index to name (an
//     index must be in 0..len(names)-1); nc, if present, must equal the
//     number of names.
//   - The splits are the folders beside data.yaml: train, valid (or val)
//     and test, each with images/ and labels/; the train/val/test paths
//     inside data.yaml are not trusted (exporters write absolute or ../
//     paths). train must hold at least one image (ErrNoImages).
//   - An image is a file of images/ ending in .jpg, .jpeg or .png (any
//     case): the formats the trainer decodes. Other files are ignored.
//   - An image's labels are labels/STEM.txt; an image without one has no
//     objects (a background image). A label file without an image is
//     ignored.
//   - A label row is "class cx cy w h" or a polygon "class x1 y1 x2 y2 x3
//     y3 ..." (read as its bounding box); blank lines are skipped. class is
//     an integer in [0, len(names)). Every coordinate is a number in
//     [-0.01, 1.01] — normalised, with the rounding slack exporters need —
//     and the box is clipped to [0, 1]; a box of no area after clipping is
//     an error.
//
// Errors name the file, and the line for a label row.
func ReadYOLO(dir string) (*YOLODataset, error) {
	names, err := readYOLONames(filepath.Join(dir, "data.yaml"))
	if err != nil {
		return nil, err
	}
	ds := &YOLODataset{Dir: dir, Names: names, Splits: map[string][]YOLOImage{}}
	for _, s := range yoloSplits {
		for _, d := range []string{s.dir, s.alt} {
			if d == "" {
				continue
			}
			imgs, err := readYOLOSplit(filepath.Join(dir, d), len(names))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			ds.Splits[s.dir] = imgs
			break
		}
	}
	if len(ds.Splits["train"]) == 0 {
		return nil, fmt.Errorf("dataset: %s: train/images: %w (want .jpg, .jpeg or .png files)", dir, ErrNoImages)
	}
	return ds, nil
}

// readYOLONames reads the class names of data.yaml at p.
func readYOLONames(p string) ([]string, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	var y struct {
		NC    int `yaml:"nc"`
		Names any `yaml:"names"`
	}
	if err := yaml.Unmarshal(b, &y); err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", p, err)
	}
	var names []string
	switch n := y.Names.(type) {
	case []any:
		for _, v := range n {
			names = append(names, fmt.Sprint(v))
		}
	case map[string]any, map[any]any:
		m := anyMap(n)
		names = make([]string, len(m))
		for k, v := range m {
			if k < 0 || k >= len(names) {
				return nil, fmt.Errorf("dataset: %s: names: index out of range 0..%d", p, len(names)-1)
			}
			names[k] = fmt.Sprint(v)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("dataset: %s: no class names (want names: [a, b, ...])", p)
	}
	if y.NC != 0 && y.NC != len(names) {
		return nil, fmt.Errorf("dataset: %s: nc is %d but names has %d entries", p, y.NC, len(names))
	}
	return names, nil
}

// anyMap returns the entries of a names map keyed by index (-1 for a key
// that is not an integer). YAML decodes {0: a, 1: b} (Ultralytics) as a
// map[any]any with int keys and {"0": a} as a map[string]any.
func anyMap(v any) map[int]any {
	out := map[int]any{}
	put := func(k, x any) {
		i := -1
		switch k := k.(type) {
		case int:
			i = k
		case string:
			if n, err := strconv.Atoi(k); err == nil {
				i = n
			}
		}
		out[i] = x
	}
	switch m := v.(type) {
	case map[any]any:
		for k, x := range m {
			put(k, x)
		}
	case map[string]any:
		for k, x := range m {
			put(k, x)
		}
	}
	return out
}

// readYOLOSplit reads the images of the split folder dir and their
// labels; an error wrapping fs.ErrNotExist means dir/images is absent.
func readYOLOSplit(dir string, nc int) ([]YOLOImage, error) {
	entries, err := os.ReadDir(filepath.Join(dir, "images"))
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	var out []YOLOImage
	for _, e := range entries {
		if e.IsDir() || !IsYOLOImage(e.Name()) {
			continue
		}
		im := YOLOImage{Path: filepath.Join(dir, "images", e.Name())}
		lp := filepath.Join(dir, "labels", strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))+".txt")
		im.Labels, err = readYOLOLabels(lp, nc)
		switch {
		case err == nil:
			im.HasLabel = true
		case !errors.Is(err, fs.ErrNotExist):
			return nil, err
		}
		out = append(out, im)
	}
	return out, nil
}

// IsYOLOImage reports whether a file name is an image of a YOLO dataset:
// .jpg, .jpeg or .png, in any case.
func IsYOLOImage(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg", ".png":
		return true
	}
	return false
}

// readYOLOLabels reads one label file by the rules of ReadYOLO.
func readYOLOLabels(path string, nc int) ([]YOLOLabel, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []YOLOLabel
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		l, err := parseYOLORow(fields, nc)
		if err != nil {
			return nil, fmt.Errorf("dataset: %s:%d: %w", path, line, err)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", path, err)
	}
	return out, nil
}

// parseYOLORow parses the fields of one label row.
func parseYOLORow(fields []string, nc int) (YOLOLabel, error) {
	cls, err := strconv.Atoi(fields[0])
	if err != nil || cls < 0 || cls >= nc {
		return YOLOLabel{}, fmt.Errorf("class %q is not in 0..%d", fields[0], nc-1)
	}
	vals := fields[1:]
	if len(vals) != 4 && (len(vals) < 6 || len(vals)%2 != 0) {
		return YOLOLabel{}, fmt.Errorf("want class cx cy w h (or a polygon class x1 y1 x2 y2 x3 y3 ...), got %d fields", len(fields))
	}
	v := make([]float64, len(vals))
	for i, s := range vals {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || !(x >= -MaxYOLOSlack && x <= 1+MaxYOLOSlack) {
			return YOLOLabel{}, fmt.Errorf("coordinate %q is not a number in [0, 1]", s)
		}
		v[i] = x
	}
	l := YOLOLabel{Class: cls}
	if len(v) == 4 {
		l.X1, l.Y1, l.X2, l.Y2 = v[0]-v[2]/2, v[1]-v[3]/2, v[0]+v[2]/2, v[1]+v[3]/2
	} else {
		l.X1, l.Y1, l.X2, l.Y2 = v[0], v[1], v[0], v[1]
		for i := 2; i < len(v); i += 2 {
			l.X1, l.X2 = min(l.X1, v[i]), max(l.X2, v[i])
			l.Y1, l.Y2 = min(l.Y1, v[i+1]), max(l.Y2, v[i+1])
		}
	}
	clip := func(x float64) float64 { return min(1, max(0, x)) }
	l.X1, l.Y1, l.X2, l.Y2 = clip(l.X1), clip(l.Y1), clip(l.X2), clip(l.Y2)
	if !(l.X2 > l.X1 && l.Y2 > l.Y1) {
		return YOLOLabel{}, errors.New("empty box (no area inside the image)")
	}
	return l, nil
}
