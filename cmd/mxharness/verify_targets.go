package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/mxharness/mxharness/steps"
)

func init() {
	verifyModes = append(verifyModes, newTargetsMode)
}

// targetsMode is verify --target / --targets: the suite against several
// running servers (MaxScale builds, mxharness serve in different profiles),
// one after the other, and the same matrix --container prints.
type targetsMode struct {
	flags targetFlags
	file  string
}

// targetSpec is one server of a matrix, as a --target flag or an entry of
// a --targets file gives it. Empty accounts take verify's flags (--user,
// --ro-user, --sql-user and their passwords); a nil Ledger takes --ledger.
type targetSpec struct {
	Name        string  `json:"name"`
	API         string  `json:"api"`
	SQL         string  `json:"sql"`
	SQLRConn    string  `json:"sql-rconn,omitempty"`
	Ledger      *string `json:"ledger,omitempty"`
	User        string  `json:"user,omitempty"`
	Password    string  `json:"password,omitempty"`
	ROUser      string  `json:"ro-user,omitempty"`
	ROPassword  string  `json:"ro-password,omitempty"`
	SQLUser     string  `json:"sql-user,omitempty"`
	SQLPassword string  `json:"sql-password,omitempty"`
}

// targetsFile is the --targets YAML file.
type targetsFile struct {
	Targets []targetSpec `json:"targets"`
}

// targetFlags is the repeatable --target NAME=API,SQL[,SQL_RCONN] flag,
// checked as it is parsed.
type targetFlags []targetSpec

func (f *targetFlags) String() string {
	if f == nil {
		return ""
	}
	names := make([]string, len(*f))
	for i, t := range *f {
		names[i] = t.Name
	}
	return strings.Join(names, ",")
}

func (f *targetFlags) Set(v string) error {
	name, addrs, ok := strings.Cut(v, "=")
	parts := strings.Split(addrs, ",")
	if !ok || name == "" || len(parts) < 2 || len(parts) > 3 {
		return errors.New("want NAME=API,SQL[,SQL_RCONN], e.g. mx24=http://127.0.0.1:8989,127.0.0.1:4006,127.0.0.1:4008")
	}
	t := targetSpec{Name: name, API: parts[0], SQL: parts[1]}
	if len(parts) == 3 {
		t.SQLRConn = parts[2]
	}
	*f = append(*f, t)
	return nil
}

func newTargetsMode(fs *flag.FlagSet) verifyMode {
	m := &targetsMode{}
	fs.Var(&m.flags, "target", "a running server `NAME=API,SQL[,SQL_RCONN]` of a matrix, repeatable: one run per target, then a table of the verdicts side by side (see docs/VERIFY.md)")
	fs.StringVar(&m.file, "targets", "", "YAML `FILE` listing the targets of a matrix (name, api, sql, sql-rconn, ledger, accounts); see docs/VERIFY.md")
	return m
}

func (m *targetsMode) chosen() bool { return len(m.flags) > 0 || m.file != "" }

// matrixTarget is one checked target of the matrix.
type matrixTarget struct {
	name   string
	ledger string
	target steps.Target
}

func (m *targetsMode) run(ctx context.Context, cfg verifyConfig, stdout, stderr io.Writer) int {
	if !cfg.ledgerSet {
		cfg.ledger = "" // a running server has no ledger by default, as with --api
	}
	targets, err := m.targets(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "mxharness verify: %v\n", err)
		return verifyUsage
	}
	// Every target must answer before the first run starts: a mistyped
	// third URL is one line now, not a message after two whole runs.
	unreachable := false
	for _, t := range targets {
		if err := checkTarget(ctx, t.target); err != nil {
			fmt.Fprintf(stderr, "mxharness verify: target %s: %v\n", t.name, err)
			unreachable = true
		}
	}
	if unreachable {
		return verifyUsage
	}
	if err := os.MkdirAll(cfg.matrixDir, 0o755); err != nil {
		fmt.Fprintf(stderr, "mxharness verify: %v\n", err)
		return verifyUsage
	}
	return runMatrix(ctx, cfg, len(targets), func(i int) matrixRun {
		c := cfg
		c.ledger = targets[i].ledger
		return runMatrixTarget(ctx, targets[i].name, targets[i].target, c, stderr)
	}, "no matrix", stdout, stderr)
}

// targets reads the --targets file, adds the --target flags after its
// entries and checks them all. A target's ledger is, in this order, its
// --ledger NAME=VERSION, the file's ledger field, --ledger VERSION, none.
func (m *targetsMode) targets(cfg verifyConfig) ([]matrixTarget, error) {
	var specs []targetSpec
	if m.file != "" {
		b, err := os.ReadFile(m.file)
		if err != nil {
			return nil, fmt.Errorf("--targets: %w", err)
		}
		var f targetsFile
		if err := yaml.UnmarshalStrict(b, &f); err != nil {
			return nil, fmt.Errorf("--targets %s: %s", m.file, yamlError(err))
		}
		if len(f.Targets) == 0 {
			return nil, fmt.Errorf("--targets %s: no targets (want a list under 'targets:', each with name, api and sql)", m.file)
		}
		specs = f.Targets
	}
	specs = append(specs, m.flags...)
	var names []string
	var out []matrixTarget
	for _, s := range specs {
		if slices.Contains(names, s.Name) {
			return nil, fmt.Errorf("two targets are called %q; give each its own name", s.Name)
		}
		names = append(names, s.Name)
		t, err := s.check(cfg)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if err := checkTargetLedgers(cfg, names); err != nil {
		return nil, err
	}
	return out, nil
}

// check checks one target's fields and makes it a matrixTarget, with
// verify's accounts where the spec gives none.
func (s targetSpec) check(cfg verifyConfig) (matrixTarget, error) {
	fail := func(format string, args ...any) (matrixTarget, error) {
		return matrixTarget{}, fmt.Errorf("target %q: "+format, append([]any{s.Name}, args...)...)
	}
	switch {
	case s.Name == "":
		return matrixTarget{}, errors.New("a target has no name")
	case !isHTTPURL(s.API):
		return fail("API %q is not an http(s) URL such as http://127.0.0.1:8989", s.API)
	case s.SQL == "":
		return fail("no SQL listener (HOST:PORT of RW-Split-Router)")
	}
	for _, addr := range []string{s.SQL, s.SQLRConn} {
		if _, _, err := net.SplitHostPort(addr); addr != "" && err != nil {
			return fail("SQL listener %q is not HOST:PORT", addr)
		}
	}
	c := cfg
	if s.Ledger != nil {
		id, err := ledgerID(*s.Ledger)
		if err != nil {
			return fail("%v", err)
		}
		c.ledger = id
	}
	c.apiURL, c.sqlAddr, c.sqlRConnAddr = s.API, s.SQL, s.SQLRConn
	for _, a := range []struct {
		to   *string
		from string
	}{
		{&c.user, s.User}, {&c.password, s.Password}, {&c.roUser, s.ROUser}, {&c.roPassword, s.ROPassword},
		{&c.sqlUser, s.SQLUser}, {&c.sqlPassword, s.SQLPassword},
	} {
		if a.from != "" {
			*a.to = a.from
		}
	}
	if (c.roUser == "") != (c.roPassword == "") {
		return fail("ro-user and ro-password go together")
	}
	t := urlTarget(c)
	t.Name = s.Name
	return matrixTarget{name: s.Name, ledger: c.ledgerFor(s.Name), target: t}, nil
}

// yamlError keeps what a user of the file needs from the YAML decoder's
// error: the line and the mistake, without the decoder's layers.
func yamlError(err error) string {
	msg := err.Error()
	for _, layer := range []string{"error converting YAML to JSON: ", "error unmarshaling JSON: ", "while decoding JSON: ", "yaml: "} {
		msg = strings.ReplaceAll(msg, layer, "")
	}
	return msg
}
