package steps

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/features"
)

// features/README.md traces documentation statements to scenarios as
// "file:line" (or ":line" for the same file as before). Every reference must
// point at a Scenario line, so the trace stays true when features change.
func TestReadmeReferencesPointAtScenarios(t *testing.T) {
	readme, err := os.ReadFile("../features/README.md")
	if err != nil {
		t.Fatal(err)
	}
	ref := regexp.MustCompile(`(?:\b([a-z][a-z-]+)|\B):(\d+)\b`)
	lines := map[string][]string{}
	file, n := "", 0
	for _, row := range strings.Split(string(readme), "\n") {
		if !strings.HasPrefix(row, "| ") {
			continue
		}
		cells := strings.Split(row, "|")
		scenarios := cells[len(cells)-2] // the last column
		for _, m := range ref.FindAllStringSubmatch(scenarios, -1) {
			if m[1] != "" {
				file = m[1]
			}
			if file == "" {
				continue
			}
			if _, ok := lines[file]; !ok {
				b, err := features.FS.ReadFile(file + ".feature")
				if err != nil {
					continue // not a feature reference (e.g. a doc line range)
				}
				lines[file] = strings.Split(string(b), "\n")
			}
			no, _ := strconv.Atoi(m[2])
			if no < 1 || no > len(lines[file]) || !strings.HasPrefix(strings.TrimSpace(lines[file][no-1]), "Scenario") {
				t.Errorf("README: %s:%d is not a Scenario line", file, no)
			}
			n++
		}
	}
	if n < 100 {
		t.Errorf("README: only %d scenario references found", n)
	}
}
