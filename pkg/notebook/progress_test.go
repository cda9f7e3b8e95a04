package notebook

import (
	"testing"
	"time"
)

func TestProgressHTML(t *testing.T) {
	got := progressHTML("cross-validation <5×2>", 3, 10, 1500*time.Millisecond)
	want := `<div class="mlstack-progress"><progress value="3" max="10" style="width:20em"></progress> cross-validation &lt;5×2&gt;: 3 of 10 (2s)</div>`
	if got != want {
		t.Errorf("progressHTML:\n got %s\nwant %s", got, want)
	}
	// Outside a notebook the reporter draws nothing and does not fail.
	p := Progress("x")
	p(1, 2)
	p(2, 2)
}
