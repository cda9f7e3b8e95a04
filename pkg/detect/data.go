package detect

import (
	"github.com/mlstack/mlstack/pkg/dataset"
)

// ErrNoImages is returned when the train split of a dataset has no
// images (it is dataset.ErrNoImages).
var ErrNoImages = dataset.ErrNoImages

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

// LoadYOLO reads the YOLO dataset in dir with dataset.ReadYOLO, whose
// rules (the same ingest checks a dataset by) it keeps: the splits present
// (train, valid or val, test), the .jpg, .jpeg and .png images, and their
// label rows as boxes clipped to the image. An image without a label file
// has no objects.
func LoadYOLO(dir string) (*Dataset, error) {
	y, err := dataset.ReadYOLO(dir)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Dir: y.Dir, Names: y.Names, Splits: map[string][]Sample{}}
	for split, imgs := range y.Splits {
		samples := make([]Sample, len(imgs))
		for i, im := range imgs {
			samples[i].Image = im.Path
			for _, l := range im.Labels {
				samples[i].Objects = append(samples[i].Objects, Object{Class: l.Class, Box: Box{l.X1, l.Y1, l.X2, l.Y2}, Score: 1})
			}
		}
		ds.Splits[split] = samples
	}
	return ds, nil
}
