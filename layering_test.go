package mlstack_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
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
