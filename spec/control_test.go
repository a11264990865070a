package spec

import "testing"

func TestLoadControl(t *testing.T) {
	doc, err := LoadControl()
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Servers[0].URL; got != "/sim/v1" {
		t.Errorf("server URL = %q, want /sim/v1", got)
	}
	again, err := LoadControl()
	if err != nil || again != doc {
		t.Errorf("LoadControl is not loaded once: %p, %p, %v", doc, again, err)
	}
}
