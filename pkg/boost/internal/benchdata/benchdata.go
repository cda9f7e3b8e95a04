// Package benchdata reads the synthetic data files the boost benchmark
// programs share (benchboost -gen writes them, scripts/bench-boost.sh and
// scripts/bench-shap.sh pass them to xgboost too): PREFIX.x holds rows x
// cols little-endian float32 features, row after row, and PREFIX.y rows
// float32 labels.
package benchdata

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"

	"gonum.org/v1/gonum/mat"
)

// Load reads the first rows rows of the files at prefix; fewer rows in
// the files is an error.
func Load(prefix string, rows, cols int) (*mat.Dense, []float64, error) {
	bx, err := os.ReadFile(prefix + ".x")
	if err != nil {
		return nil, nil, err
	}
	by, err := os.ReadFile(prefix + ".y")
	if err != nil {
		return nil, nil, err
	}
	if len(bx) < rows*cols*4 || len(by) < rows*4 {
		return nil, nil, fmt.Errorf("data files hold fewer than %d rows", rows)
	}
	x := make([]float64, rows*cols)
	for i := range x {
		x[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(bx[4*i:])))
	}
	y := make([]float64, rows)
	for i := range y {
		y[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(by[4*i:])))
	}
	return mat.NewDense(rows, cols, x), y, nil
}
