package dataset

import (
	"bufio"
	"fmt"
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

// CheckYOLO reads dir/data.yaml (names as a list or an index map, nc
// matching) and checks every label file of the splits: each row is
// "class cx cy w h" or a polygon "class x1 y1 ...", class in [0, nc),
// coordinates in [0, 1]. Errors name the file and line.
func CheckYOLO(dir string) (YOLOSummary, error) {
	var sum YOLOSummary
	b, err := os.ReadFile(filepath.Join(dir, "data.yaml"))
	if err != nil {
		return sum, fmt.Errorf("dataset: %w", err)
	}
	var y struct {
		NC    int `yaml:"nc"`
		Names any `yaml:"names"`
	}
	if err := yaml.Unmarshal(b, &y); err != nil {
		return sum, fmt.Errorf("dataset: data.yaml: %w", err)
	}
	switch n := y.Names.(type) {
	case []any:
		for _, v := range n {
			sum.Names = append(sum.Names, fmt.Sprint(v))
		}
	case map[string]any, map[int]any:
		m := anyMap(n)
		sum.Names = make([]string, len(m))
		for k, v := range m {
			if k < 0 || k >= len(sum.Names) {
				return sum, fmt.Errorf("dataset: data.yaml: names: index %d out of range", k)
			}
			sum.Names[k] = fmt.Sprint(v)
		}
	}
	if len(sum.Names) == 0 {
		return sum, fmt.Errorf("dataset: %s: data.yaml has no class names", dir)
	}
	if y.NC != 0 && y.NC != len(sum.Names) {
		return sum, fmt.Errorf("dataset: data.yaml: nc is %d but names has %d entries", y.NC, len(sum.Names))
	}
	sum.Splits = map[string]SplitSummary{}
	for _, s := range yoloSplits {
		for _, d := range []string{s.dir, s.alt} {
			if d == "" {
				continue
			}
			imgs, err := os.ReadDir(filepath.Join(dir, d, "images"))
			if err != nil {
				continue
			}
			var ss SplitSummary
			for _, e := range imgs {
				switch strings.ToLower(filepath.Ext(e.Name())) {
				case ".jpg", ".jpeg", ".png", ".bmp", ".webp":
					ss.Images++
				}
			}
			labels, _ := os.ReadDir(filepath.Join(dir, d, "labels"))
			for _, e := range labels {
				if e.IsDir() || filepath.Ext(e.Name()) != ".txt" {
					continue
				}
				n, err := checkLabels(filepath.Join(dir, d, "labels", e.Name()), len(sum.Names))
				if err != nil {
					return sum, err
				}
				ss.Labels++
				ss.Boxes += n
			}
			sum.Splits[s.dir] = ss
			break
		}
	}
	if sum.Splits["train"].Images == 0 {
		return sum, fmt.Errorf("dataset: %s: no images in train/images", dir)
	}
	return sum, nil
}

// anyMap returns the entries of a names map keyed by index.
func anyMap(v any) map[int]any {
	out := map[int]any{}
	switch m := v.(type) {
	case map[int]any:
		return m
	case map[string]any:
		for k, x := range m {
			i, err := strconv.Atoi(k)
			if err != nil {
				i = -1
			}
			out[i] = x
		}
	}
	return out
}

func checkLabels(path string, nc int) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n, line := 0, 0
	for sc.Scan() {
		line++
		fs := strings.Fields(sc.Text())
		if len(fs) == 0 {
			continue
		}
		c, err := strconv.Atoi(fs[0])
		if err != nil || c < 0 || c >= nc {
			return 0, fmt.Errorf("dataset: %s:%d: class %q is not in 0..%d", path, line, fs[0], nc-1)
		}
		if len(fs) != 5 && (len(fs) < 7 || len(fs)%2 == 0) {
			return 0, fmt.Errorf("dataset: %s:%d: want class cx cy w h (or a polygon), got %d fields", path, line, len(fs))
		}
		for _, s := range fs[1:] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || !(v >= -0.01 && v <= 1.01) {
				return 0, fmt.Errorf("dataset: %s:%d: coordinate %q is not in [0, 1]", path, line, s)
			}
		}
		n++
	}
	return n, sc.Err()
}
