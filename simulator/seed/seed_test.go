package seed

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// recorder is a registry that records what it is asked to create and fails
// on the session number failAt (1-based; 0 never).
type recorder struct {
	created []Session
	failAt  int
}

func (r *recorder) CreateSynthetic(s Session) (string, error) {
	if len(r.created)+1 == r.failAt {
		return "", errors.New("registry full")
	}
	r.created = append(r.created, s)
	return strconv.Itoa(len(r.created)), nil
}

func TestNames(t *testing.T) {
	if got := Names(); !slices.Equal(got, []string{"demo"}) {
		t.Errorf("Names() = %v, want [demo]", got)
	}
}

func TestApply(t *testing.T) {
	tests := []struct {
		name    string
		seed    string
		failAt  int
		want    int
		wantErr string
	}{
		{"demo", "demo", 0, 12, ""},
		{"unknown", "nope", 0, 0, `unknown seed "nope" (known: demo)`},
		{"registry error", "demo", 3, 2, "seed demo: session 3 of 12: registry full"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := &recorder{failAt: tc.failAt}
			err := Apply(reg, tc.seed)
			if (err == nil) != (tc.wantErr == "") || (err != nil && err.Error() != tc.wantErr) {
				t.Fatalf("Apply(%q) = %v, want error %q", tc.seed, err, tc.wantErr)
			}
			if len(reg.created) != tc.want {
				t.Errorf("created %d sessions, want %d", len(reg.created), tc.want)
			}
		})
	}
}

// TestDemoIsRealistic checks the promises of the demo set's description, so
// that editing the data cannot silently break them.
func TestDemoIsRealistic(t *testing.T) {
	set, ok := Lookup("demo")
	if !ok {
		t.Fatal("no demo seed")
	}
	services := map[string]int{}
	clients := map[string]bool{}
	var busy, filtered, logInfo, noAttrs int
	for i, s := range set.Sessions {
		services[s.Service]++
		if s.User == "" || s.Remote == "" || s.Port < 1024 || s.Port > 65535 || s.Age <= 0 {
			t.Errorf("session %d: incomplete %+v", i+1, s)
		}
		if s.ConnectionAttributes == nil {
			noAttrs++
		} else {
			clients[s.ConnectionAttributes["_client_name"]] = true
		}
		if s.Busy {
			busy++
		}
		if len(s.Filters) > 0 {
			filtered++
		}
		if s.Parameters["log_info"] {
			logInfo++
		}
		for k := range s.Parameters {
			if !strings.HasPrefix(k, "log_") || k == "log_debug" {
				t.Errorf("session %d: parameter %q is not a release build's", i+1, k)
			}
		}
	}
	if len(set.Sessions) != 12 || services["RW-Split-Router"] == 0 || services["Read-Connection-Router"] == 0 {
		t.Errorf("sessions per service = %v, want 12 across both", services)
	}
	for _, c := range []string{"libmariadb", "libmysql", "MariaDB Connector/J", "MariaDB connector/Node", "Go-MySQL-Driver"} {
		if !clients[c] {
			t.Errorf("no session from client %q", c)
		}
	}
	if busy == 0 || filtered == 0 || logInfo == 0 || noAttrs == 0 {
		t.Errorf("busy %d, with filters %d, log_info %d, without attributes %d: want each > 0",
			busy, filtered, logInfo, noAttrs)
	}
	again, _ := Lookup("demo")
	again.Sessions[0].ConnectionAttributes["_client_name"] = "changed"
	if fresh, _ := Lookup("demo"); fresh.Sessions[0].ConnectionAttributes["_client_name"] == "changed" {
		t.Error("Lookup returns shared data that callers can modify")
	}
}
