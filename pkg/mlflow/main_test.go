package mlflow_test

import (
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
