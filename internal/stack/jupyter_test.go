package stack

import (
	"slices"
	"strings"
	"testing"
)

// TestJupyterTokenNotInArgv: the token reaches Jupyter through its
// environment, never its command line (which ps shows to every user and
// start writes to the log).
func TestJupyterTokenNotInArgv(t *testing.T) {
	j := Jupyter{Venv: "/venv", GoTools: "/tools", Addr: "127.0.0.1:8888", Root: "/repo", Token: "tok-3c1a9e", DataDir: "/data"}
	cmd, err := j.command()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.Join(cmd.Args, " "), j.Token) {
		t.Errorf("token on the command line: %q", cmd.Args)
	}
	if !slices.Contains(cmd.Env, "JUPYTER_TOKEN="+j.Token) {
		t.Error("JUPYTER_TOKEN is not in the server's environment")
	}
}
