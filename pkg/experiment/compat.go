package experiment

// What data.go (LoadData) uses from package config, under the names it had
// when the config types lived here, so data.go compiles unchanged.

import (
	"github.com/mlstack/mlstack/pkg/experiment/config"
	"github.com/mlstack/mlstack/pkg/frame"
)

// DataConfig is the data section of a config (see config.DataConfig).
type DataConfig = config.DataConfig

// ReadOptions are the options LoadData reads d.Source with: the default
// missing-value tokens plus d.Missing. Models keep them, to read scoring
// data the same way.
func ReadOptions(d DataConfig) *frame.ReadOptions { return readOptions(d) }
