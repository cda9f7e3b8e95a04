package stack

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Jupyter describes a JupyterLab server with the GoNB kernel.
type Jupyter struct {
	Venv    string   // virtualenv holding jupyterlab (scripts/setup-python.sh)
	GoTools string   // directory with gonb, goimports, gopls (scripts/setup-gonb.sh)
	Addr    string   // e.g. 127.0.0.1:8888
	Root    string   // directory served (the repository)
	Token   string   // login token, passed as JUPYTER_TOKEN (never argv)
	DataDir string   // JUPYTER_DATA_DIR: where the GoNB kernel spec is installed
	Env     []string // extra variables for the server and its kernels
}

// Environ returns the process environment the server and its GoNB kernels
// need: the Go tools and the venv on PATH, JUPYTER_DATA_DIR, and Env.
func (j Jupyter) Environ() []string {
	path := j.GoTools + ":" + filepath.Join(j.Venv, "bin") + ":" + os.Getenv("PATH")
	if goBin, err := exec.LookPath("go"); err == nil {
		path = filepath.Dir(goBin) + ":" + path
	}
	env := append(os.Environ(), j.Env...)
	return append(env, "PATH="+path, "JUPYTER_DATA_DIR="+j.DataDir)
}

// InstallKernel installs the GoNB kernel spec into DataDir (idempotent)
// with Root's scripts/gonb-kernel.sh, the install `make notebooks` uses
// too: Root is in every kernel's go.work, so any notebook imports pkg/.
func (j Jupyter) InstallKernel(ctx context.Context) error {
	if err := privateDir(j.DataDir); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(j.Root, "scripts", "gonb-kernel.sh"), j.Root)
	cmd.Env = append(j.Environ(), "MLSTACK_GOTOOLS="+j.GoTools)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("jupyter: scripts/gonb-kernel.sh: %w\n%s", err, out)
	}
	return nil
}

// Start installs the kernel, runs JupyterLab and waits until it answers.
func (j Jupyter) Start(ctx context.Context, logPath string, detach bool) (*Process, error) {
	if err := CheckPort("jupyter", j.Addr); err != nil {
		return nil, err
	}
	if err := j.InstallKernel(ctx); err != nil {
		return nil, err
	}
	cmd, err := j.command()
	if err != nil {
		return nil, err
	}
	p, err := start("jupyter", cmd, logPath, detach)
	if err != nil {
		return nil, err
	}
	if err := p.waitHealthy(ctx, 120*time.Second, httpOK("http://"+j.Addr+"/api")); err != nil {
		p.Stop(5 * time.Second)
		return nil, err
	}
	return p, nil
}

// command is the server's command. The token goes in the environment,
// which Jupyter Server reads (IdentityProvider.token defaults to
// $JUPYTER_TOKEN): the command line is visible to every user (ps) and is
// written to the log. For a token it did not generate, Jupyter logs
// "?token=...", not the token.
func (j Jupyter) command() (*exec.Cmd, error) {
	host, port, err := net.SplitHostPort(j.Addr)
	if err != nil {
		return nil, fmt.Errorf("jupyter: address %q: %w", j.Addr, err)
	}
	cmd := exec.Command(filepath.Join(j.Venv, "bin", "jupyter"), "lab", "--no-browser",
		"--ServerApp.ip="+host, "--ServerApp.port="+port, "--ServerApp.port_retries=0",
		"--ServerApp.root_dir="+j.Root, "--ServerApp.allow_root=True")
	cmd.Dir = j.Root
	cmd.Env = append(j.Environ(), "JUPYTER_TOKEN="+j.Token)
	return cmd, nil
}
