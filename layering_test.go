package mlstack_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The layers of the module, from the top: programs (cmd/..., ingest) use
// the library (pkg/...), which uses the small internal helpers and outside
// libraries. An arrow never runs back up, and the heavy or
// environment-specific dependencies stay where they belong. The rules
// hold for what a package's own files import; its tests may use more
// (internal/testenv starts the real servers for them).
const module = "github.com/mlstack/mlstack"

// layerRules says, for an importing package (by path prefix relative to
// the module), which imports are wrong, and why.
var layerRules = []struct {
	name  string
	from  func(pkg string) bool // the importing packages the rule covers
	wrong func(imp string) bool // an import the rule refuses
}{
	{
		name:  "nothing imports a program (cmd/..., ingest)",
		from:  func(string) bool { return true },
		wrong: func(imp string) bool { return under(imp, "cmd") || under(imp, "ingest") },
	},
	{
		name:  "the library (pkg/...) never imports the stack supervisor or the test harness",
		from:  func(p string) bool { return under(p, "pkg") },
		wrong: func(imp string) bool { return under(imp, "internal/stack") || under(imp, "internal/testenv") },
	},
	{
		name:  "internal helpers sit below the library (internal/... never imports pkg/...)",
		from:  func(p string) bool { return under(p, "internal") },
		wrong: func(imp string) bool { return under(imp, "pkg") },
	},
	{
		name: "the small internal helpers (retry, redact, csvscan, progress, filekind) are leaves: the standard library only",
		from: func(p string) bool {
			for _, leaf := range []string{"internal/retry", "internal/redact", "internal/csvscan", "internal/progress", "internal/filekind"} {
				if under(p, leaf) {
					return true
				}
			}
			return false
		},
		wrong: func(imp string) bool { first, _, _ := strings.Cut(imp, "/"); return strings.Contains(first, ".") },
	},
	{
		name: "only pkg/notebook imports GoNB (everything else runs outside a kernel)",
		from: func(p string) bool { return !under(p, "pkg/notebook") },
		wrong: func(imp string) bool {
			return strings.HasPrefix(imp, "github.com/janpfeifer/gonb")
		},
	},
	{
		name: "pkg/experiment and its config never import a trainer (trainers register by import; programs choose them)",
		from: func(p string) bool { return p == module+"/pkg/experiment" || under(p, "pkg/experiment/config") },
		wrong: func(imp string) bool {
			return under(imp, "pkg/experiment/classification") || under(imp, "pkg/experiment/regression") ||
				under(imp, "pkg/experiment/detection") || under(imp, "pkg/experiment/boosted")
		},
	},
	{
		name:  "the config package sits below the run (pkg/experiment/config never imports pkg/experiment)",
		from:  func(p string) bool { return under(p, "pkg/experiment/config") },
		wrong: func(imp string) bool { return imp == module+"/pkg/experiment" },
	},
	{
		name:  "only the detection trainer imports pkg/detect (so only it links GoMLX)",
		from:  func(p string) bool { return under(p, "pkg/experiment") && !under(p, "pkg/experiment/detection") },
		wrong: func(imp string) bool { return under(imp, "pkg/detect") },
	},
	{
		name:  "only pkg/detect imports GoMLX directly",
		from:  func(p string) bool { return !under(p, "pkg/detect") },
		wrong: func(imp string) bool { return strings.HasPrefix(imp, "github.com/gomlx/") },
	},
}

// under reports whether the import path p is the module's package rel or
// below it.
func under(p, rel string) bool {
	full := module + "/" + rel
	return p == full || strings.HasPrefix(p, full+"/")
}

// TestLayering fails on an import that runs against the layers above; a
// new wrong arrow is named with the rule it breaks.
func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "./...").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	n := 0
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
		for _, r := range layerRules {
			if !r.from(p.ImportPath) {
				continue
			}
			for _, imp := range p.Imports {
				if r.wrong(imp) {
					t.Errorf("%s imports %s: %s", p.ImportPath, imp, r.name)
				}
			}
		}
	}
	if n < 20 {
		t.Fatalf("go list found %d packages; the layering check would prove nothing", n)
	}
}

// goList runs go list with args in the module's root and returns its
// output lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list %v: %v\n%s", args, err, ee.Stderr)
		}
		t.Fatalf("go list %v: %v", args, err)
	}
	return strings.Fields(string(out))
}

// Trainers are registered by import, so a program links the trainers it
// imports and nothing more: one that imports the classification trainer
// only links no GoMLX, which the detection trainer (and train, which
// imports every trainer) does.
func TestTrainersLinkWhatTheyImport(t *testing.T) {
	gomlx := func(deps []string) bool {
		return slices.ContainsFunc(deps, func(p string) bool { return strings.HasPrefix(p, "github.com/gomlx/") })
	}
	if deps := goList(t, "-deps", "./testdata/classificationonly"); !slices.Contains(deps, module+"/pkg/experiment/classification") || gomlx(deps) {
		t.Errorf("a program importing the classification trainer only links GoMLX, or not the trainer: %v", deps)
	}
	for _, p := range []string{"./pkg/experiment/regression", "./pkg/experiment", "./pkg/experiment/config", "./pkg/experiment/boosted"} {
		if gomlx(goList(t, "-deps", p)) {
			t.Errorf("%s links GoMLX", p)
		}
	}
	for _, p := range []string{"./pkg/experiment/detection", "./cmd/train"} {
		if !gomlx(goList(t, "-deps", p)) {
			t.Errorf("%s does not link GoMLX: the check above would prove nothing", p)
		}
	}
}

// The trainer registry works for a trainer outside the module:
// testdata/externaltrainer is a module of its own (mlstack by a replace
// directive) whose trainer registers itself, decodes its params with the
// config decoder and runs through experiment.Run.
func TestExternalTrainer(t *testing.T) {
	cmd := exec.Command("go", "test", "-count=1", "./...")
	cmd.Dir = "testdata/externaltrainer"
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test in %s: %v\n%s", cmd.Dir, err, out)
	}
	if !strings.Contains(string(out), "ok  \texample.com/externaltrainer") {
		t.Fatalf("go test in %s ran no test:\n%s", cmd.Dir, out)
	}
}
