package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mxharness/mxharness/simulator"
	"github.com/mxharness/mxharness/simulator/config"
)

// PeersOptions configures RunPeers.
type PeersOptions struct {
	// Sessions are the data set sizes; GET one and PATCH run on the first.
	Sessions []int
	// Requests per case and server; LargeRequests for a case that reads
	// a collection of 1,000 sessions or more.
	Requests, LargeRequests int
	Concurrency             int
	// Rounds repeats every measurement; the table shows the medians.
	Rounds int
	// Prism is the command that serves the contract as a Prism mock on
	// the port it is given ({port}, {spec} are replaced); nil for none.
	Prism []string
	// MaxScale is a real MaxScale's REST API base URL; "" for none. It
	// is driven with at most MaxScaleRequests requests per case, in the
	// first round only, and never PATCHed unless MaxScalePatch: it may be
	// another run's target.
	MaxScale                       string
	MaxScaleUser, MaxScalePassword string
	MaxScaleRequests               int
	MaxScalePatch                  bool
	// MaxScaleSQL is the HOST:PORT of one of the MaxScale's SQL listeners;
	// when set, as many clients as the first data set has sessions connect
	// through it (as MaxScaleSQLUser) and stay connected while MaxScale is
	// measured, so that its collection is not empty.
	MaxScaleSQL                          string
	MaxScaleSQLUser, MaxScaleSQLPassword string
	// Log receives a line per measurement as it is made.
	Log io.Writer
}

// Peer names, in the table's order.
const (
	PeerBare     = "bare net/http"
	PeerSim      = "mxharness serve"
	PeerPrism    = "Prism 5.16"
	PeerMaxScale = "MaxScale"
)

// Row is one line of the table: a case on one server, medians over the
// rounds.
type Row struct {
	Case     string
	Sessions int // the sessions the server held
	Peer     string
	Sample   Sample // medians of PerSec, P50, P99; sums of Requests, Errors
	// Ratio is the median over the rounds of the server's req/s divided
	// by the bare handler's in the same round, for the simulator's data
	// set of the case.
	Ratio float64
}

// peerCase is one case on one server.
type peerCase struct {
	name     string
	peer     string
	base     string
	x        Exchange
	sessions int
	requests int
	rounds   int
	bare     *peerCase // the bare handler's run of the same case; nil for bare
	samples  []Sample
}

// RunPeers serves the same data sets from the bare handler and the
// simulator (in process, as `mxharness serve` runs it), and from Prism and
// a real MaxScale when configured, and drives each with the same
// closed-loop load: GET one session, GET all, GET with
// fields[sessions]=user,state, PATCH.
func RunPeers(ctx context.Context, o PeersOptions) ([]Row, error) {
	if len(o.Sessions) == 0 || o.Requests < 1 || o.Concurrency < 1 || o.Rounds < 1 {
		return nil, errors.New("bench-peers: need data set sizes, requests, concurrency and rounds")
	}
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", args...)
		}
	}
	var cases []*peerCase
	for i, n := range o.Sessions {
		sim, err := startSim(ctx, n)
		if err != nil {
			return nil, err
		}
		defer sim.Close()
		ids := sim.ids
		// The page where the data set holds it whole.
		exchanges := sessionExchanges("/v1", ids[len(ids)/2], i == 0, n >= pageRows)
		bare := BareHandler{}
		for _, x := range exchanges {
			rep, err := Capture(ctx, sim.url, x)
			if err != nil {
				return nil, err
			}
			bare[x.Key()] = rep
		}
		bareURL, stop, err := ServeLoopback(bare)
		if err != nil {
			return nil, err
		}
		defer stop()
		for _, x := range exchanges {
			requests := o.Requests
			if x.Method == http.MethodGet && !strings.Contains(x.Path, "/sessions/") && !strings.Contains(x.Path, pageQuery) && n >= 1000 {
				requests = o.LargeRequests
			}
			b := &peerCase{name: caseName(x), peer: PeerBare, base: bareURL, x: x, sessions: n, requests: requests, rounds: o.Rounds}
			s := *b
			s.peer, s.base, s.bare = PeerSim, sim.url, b
			cases = append(cases, b, &s)
		}
	}
	// The other servers hold their own data: they are measured beside the
	// first data set's bare handler.
	firstBare := func(name string) *peerCase {
		for _, c := range cases {
			if c.peer == PeerBare && c.name == name {
				return c
			}
		}
		return nil
	}
	if len(o.Prism) > 0 {
		prism, err := StartPrism(ctx, o.Prism)
		if err != nil {
			return nil, err
		}
		defer prism.Stop()
		logf("prism: %s", prism.URL)
		// Prism mocks the contract's paths, which have no /v1 prefix, and
		// answers the same example whatever the id.
		n, _ := countSessions(ctx, prism.URL, "/sessions", "", "")
		for _, x := range sessionExchanges("", "1", true, false) {
			c := &peerCase{name: caseName(x), peer: PeerPrism, base: prism.URL, x: x, sessions: n,
				requests: o.Requests, rounds: o.Rounds, bare: firstBare(caseName(x))}
			cases = append(cases, c)
		}
	}
	if o.MaxScale != "" {
		base := strings.TrimSuffix(o.MaxScale, "/")
		if o.MaxScaleSQL != "" {
			listed := func() int {
				n, _ := countSessions(ctx, base, "/v1/sessions", o.MaxScaleUser, o.MaxScalePassword)
				return n
			}
			disconnect, err := openClients(ctx, o.MaxScaleSQL, o.MaxScaleSQLUser, o.MaxScaleSQLPassword, o.Sessions[0], listed)
			if err != nil {
				return nil, fmt.Errorf("bench-peers: MaxScale's sessions: %w", err)
			}
			defer disconnect()
		}
		n, ids := countSessions(ctx, base, "/v1/sessions", o.MaxScaleUser, o.MaxScalePassword)
		if n < 0 {
			return nil, fmt.Errorf("bench-peers: MaxScale at %s does not list its sessions", base)
		}
		one := ""
		if len(ids) > 0 {
			one = ids[0]
		}
		for _, x := range sessionExchanges("/v1", one, one != "", false) {
			if x.Method == http.MethodPatch && !o.MaxScalePatch {
				continue
			}
			c := &peerCase{name: caseName(x), peer: PeerMaxScale, base: base, x: x, sessions: n,
				requests: min(o.Requests, o.MaxScaleRequests), rounds: 1, bare: firstBare(caseName(x))}
			cases = append(cases, c)
		}
	}
	sortByCase(cases)

	for round := range o.Rounds {
		for _, c := range cases {
			if round >= c.rounds || ctx.Err() != nil {
				continue
			}
			d := Driver{Concurrency: o.Concurrency, User: "admin", Password: "mariadb"}
			if c.peer == PeerMaxScale {
				d.User, d.Password = o.MaxScaleUser, o.MaxScalePassword
			}
			s := d.Drive(ctx, c.base, c.x, c.requests)
			c.samples = append(c.samples, s)
			logf("round %d  %-34s %-16s %6d sessions  %9.1f req/s  p50 %-10v p99 %-10v status %d  errors %d %s",
				round+1, c.name, c.peer, c.sessions, s.PerSec, s.P50.Round(time.Microsecond),
				s.P99.Round(time.Microsecond), s.Status, s.Errors, s.FirstError)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows := make([]Row, 0, len(cases))
	for _, c := range cases {
		rows = append(rows, c.row())
	}
	return rows, nil
}

// row takes the medians over c's rounds.
func (c *peerCase) row() Row {
	r := Row{Case: c.name, Sessions: c.sessions, Peer: c.peer}
	var perSec, ratios []float64
	var p50, p99 []time.Duration
	for i, s := range c.samples {
		r.Sample.Requests += s.Requests
		r.Sample.Errors += s.Errors
		if r.Sample.FirstError == "" {
			r.Sample.FirstError = s.FirstError
		}
		r.Sample.Status, r.Sample.Bytes = s.Status, s.Bytes
		perSec = append(perSec, s.PerSec)
		p50, p99 = append(p50, s.P50), append(p99, s.P99)
		if c.bare != nil && i < len(c.bare.samples) && c.bare.samples[i].PerSec > 0 {
			ratios = append(ratios, s.PerSec/c.bare.samples[i].PerSec)
		}
	}
	r.Sample.PerSec = Median(perSec)
	r.Sample.P50, r.Sample.P99 = Median(p50), Median(p99)
	r.Ratio = Median(ratios)
	if c.peer == PeerBare {
		r.Ratio = 1
	}
	return r
}

// Median is the middle of xs (the lower of the two middles when len(xs)
// is even), or zero for none.
func Median[T int64 | float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return xs[(len(xs)-1)/2]
}

// sortByCase keeps each case's servers together, in the order the
// cases were made, bare handler first.
func sortByCase(cases []*peerCase) {
	order := map[*peerCase]int{}
	for i, c := range cases {
		if c.bare == nil {
			order[c] = i
		}
	}
	group := func(c *peerCase) int {
		if c.bare != nil {
			return order[c.bare]
		}
		return order[c]
	}
	slices.SortStableFunc(cases, func(a, b *peerCase) int { return group(a) - group(b) })
}

// sessionExchanges are the cases: GET all and GET with fields, GET one
// session and PATCH it when withOne, and GET a page of 100 (the fourth)
// when withPage.
func sessionExchanges(prefix, id string, withOne, withPage bool) []Exchange {
	var xs []Exchange
	if withOne {
		xs = append(xs, Exchange{Method: http.MethodGet, Path: prefix + "/sessions/" + id})
	}
	xs = append(xs,
		Exchange{Method: http.MethodGet, Path: prefix + "/sessions"},
		Exchange{Method: http.MethodGet, Path: prefix + "/sessions?fields%5Bsessions%5D=user,state"})
	if withPage {
		xs = append(xs, Exchange{Method: http.MethodGet, Path: prefix + "/sessions?" + pageQuery})
	}
	if withOne {
		xs = append(xs, Exchange{Method: http.MethodPatch, Path: prefix + "/sessions/" + id,
			Body: `{"data":{"attributes":{"parameters":{"log_info":true}}}}`})
	}
	return xs
}

// pageQuery asks for the fourth page of 100 sessions: the page a GUI
// polls, past the first rows.
const pageQuery, pageRows = "page%5Bsize%5D=100&page%5Bnumber%5D=3", 400

// caseName is an exchange's row name, the same for every server.
func caseName(x Exchange) string {
	switch {
	case x.Method == http.MethodPatch:
		return "PATCH one session"
	case strings.Contains(x.Path, "fields"):
		return "GET all, fields[sessions]=user,state"
	case strings.Contains(x.Path, pageQuery):
		return "GET all, page[size]=100"
	case strings.Contains(x.Path, "/sessions/"):
		return "GET one session"
	}
	return "GET all"
}

// simRun is a simulator started for a data set.
type simRun struct {
	url string
	ids []string
	run *simulator.Running
}

func (s *simRun) Close() { _ = s.run.Close() }

// startSim starts the simulator on loopback as `mxharness serve` does,
// with n synthetic sessions.
func startSim(ctx context.Context, n int) (*simRun, error) {
	cfg := config.Default()
	cfg.API.Address = "127.0.0.1:0"
	for i := range cfg.Services {
		cfg.Services[i].Listener = "127.0.0.1:0"
	}
	run, err := simulator.Start(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s := &simRun{url: run.APIURL, run: run}
	for _, ss := range SyntheticSessions(n) {
		id, err := run.Server.Registry().CreateSynthetic(ss)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.ids = append(s.ids, id)
	}
	return s, nil
}

// Capture is what a bare handler must send to answer x as the server at
// base does: its status, header and body.
func Capture(ctx context.Context, base string, x Exchange) (BareReply, error) {
	req, err := http.NewRequestWithContext(ctx, x.Method, base+x.Path, strings.NewReader(x.Body))
	if err != nil {
		return BareReply{}, err
	}
	req.SetBasicAuth("admin", "mariadb")
	if x.Body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return BareReply{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	header := resp.Header.Clone()
	for _, k := range []string{"Content-Length", "Transfer-Encoding", "Connection"} {
		delete(header, k) // net/http's own, for the body it is given
	}
	return BareReply{Status: resp.StatusCode, Header: header, Body: body}, err
}

// countSessions lists a server's sessions: how many and their ids; -1
// when the listing fails.
func countSessions(ctx context.Context, base, path, user, password string) (int, []string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return -1, nil
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	} else {
		req.SetBasicAuth("admin", "mariadb")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1, nil
	}
	defer resp.Body.Close()
	var list struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&list) != nil {
		return -1, nil
	}
	ids := make([]string, len(list.Data))
	for i, d := range list.Data {
		ids[i] = d.ID
	}
	return len(ids), ids
}

// ServeLoopback serves h on a free loopback port until stop.
func ServeLoopback(h http.Handler) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// Table prints rows as a markdown table.
func Table(w io.Writer, rows []Row) {
	fmt.Fprintln(w, "| request | sessions | server | requests | req/s | % of bare req/s | p50 | p99 | status | body bytes | errors |")
	fmt.Fprintln(w, "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		s := r.Sample
		fmt.Fprintf(w, "| %s | %d | %s | %d | %.0f | %.1f %% | %s | %s | %d | %d | %d |\n",
			r.Case, r.Sessions, r.Peer, s.Requests, s.PerSec, 100*r.Ratio, ms(s.P50), ms(s.P99), s.Status, s.Bytes, s.Errors)
	}
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}
