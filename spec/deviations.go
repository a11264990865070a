package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-openapi/jsonpointer"
)

// observedKey is the extension that records where MaxScale departs from its
// documentation: at the top level for cross-cutting differences (with an
// operations list) and on an operation for that operation's own.
const observedKey = "x-observed"

// allOperations in an x-observed operations list means every operation of
// the contract; an empty list means requests outside the contract (paths or
// methods it does not describe).
const allOperations = "*"

// Deviation is one recorded difference between MaxScale's documentation
// (which the contract states) and what a MaxScale version does.
type Deviation struct {
	// ID is stable and kebab-case; profiles and ledgers refer to it.
	ID string
	// Summary says what MaxScale does; Documented what its docs say.
	Summary    string
	Documented string
	// Operations are the operationIds it concerns; empty when it concerns
	// requests the contract does not describe.
	Operations []string
	Versions   []string
	// Cases are transcript numbers under observed-<version>/.
	Cases []string
	// Security marks a security flaw (never excused by MatchDeviation).
	Security bool
	// Status is the observed status when the difference is a response the
	// contract does not allow (0 otherwise); Statuses lists every such
	// status (Status is Statuses[0]).
	Status   int
	Statuses []int
	// EmptyBody: the observed response has no body. BodyPattern: the
	// observed body matches this regular expression.
	EmptyBody   bool
	BodyPattern string
	// Header names the one header the difference is about, if any.
	Header string
	// Absent lists documented properties that MaxScale leaves out of the
	// response document of the operations: JSON pointers (RFC 6901) into
	// the document, where a "*" token stands for any array index
	// ("/data/*/attributes/seconds_alive" in a collection). Each names a
	// property the contract requires (ExplainProblems).
	Absent []string

	body *regexp.Regexp
}

// observed is an x-observed entry as written in the YAML.
type observed struct {
	ID          string   `json:"id"`
	Summary     string   `json:"summary"`
	Documented  string   `json:"documented"`
	Operations  []string `json:"operations"`
	Cases       []string `json:"cases"`
	Versions    []string `json:"versions"`
	Security    bool     `json:"security"`
	Status      int      `json:"status"`
	Statuses    []int    `json:"statuses"`
	EmptyBody   bool     `json:"emptyBody"`
	BodyPattern string   `json:"bodyPattern"`
	Header      string   `json:"header"`
	Absent      []string `json:"absent"`
}

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Deviations returns the x-observed records of the sessions contract, sorted
// by ID.
func Deviations() ([]Deviation, error) {
	devs, err := loadDeviations()
	if err != nil {
		return nil, err
	}
	out := make([]Deviation, len(devs))
	for i, d := range devs {
		d.Operations, d.Versions, d.Cases, d.Statuses = slices.Clone(d.Operations), slices.Clone(d.Versions), slices.Clone(d.Cases), slices.Clone(d.Statuses)
		d.Absent = slices.Clone(d.Absent)
		out[i] = d
	}
	return out, nil
}

var loadDeviations = sync.OnceValues(func() ([]Deviation, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	return deviations(doc)
})

// MatchDeviation reports whether a response of operationID (""
// for a request the contract does not route) is exactly a recorded observed
// response: a deviation of that operation with that status and an empty body
// (if recorded so) or a body matching the recorded pattern. Security
// deviations never match: they are flaws to report, not answers to allow.
func MatchDeviation(operationID string, status int, body []byte) (Deviation, bool) {
	devs, err := loadDeviations()
	if err != nil {
		return Deviation{}, false
	}
	for _, d := range devs {
		if d.Security {
			continue
		}
		if operationID == "" && len(d.Operations) != 0 || operationID != "" && !slices.Contains(d.Operations, operationID) {
			continue
		}
		if d.Matches(status, body) {
			return d, true
		}
	}
	return Deviation{}, false
}

// ExplainProblems reports which recorded deviations explain every problem
// that validation found in a response of operationID: the deviation whose
// recorded response it is (as MatchDeviation), or else the deviations whose
// absent properties are exactly what the problems find missing (each
// problem a "required" at a pointer a deviation of that operation lists).
// Where several deviations would do, the first that prefer accepts is
// chosen, else the first by id; prefer may be nil. ok is false when a
// problem is left unexplained, or when there is no problem. Security
// deviations explain nothing.
func ExplainProblems(operationID string, status int, body []byte, problems []Problem, prefer func(id string) bool) (ids []string, ok bool) {
	devs, err := loadDeviations()
	if err != nil || len(problems) == 0 {
		return nil, false
	}
	pick := func(fits func(Deviation) bool) (string, bool) {
		first := ""
		for _, d := range devs {
			if d.Security || !fits(d) {
				continue
			}
			if prefer == nil || prefer(d.ID) {
				return d.ID, true
			}
			if first == "" {
				first = d.ID
			}
		}
		return first, first != ""
	}
	concerns := func(d Deviation) bool {
		return operationID == "" && len(d.Operations) == 0 || operationID != "" && slices.Contains(d.Operations, operationID)
	}
	if id, ok := pick(func(d Deviation) bool { return concerns(d) && d.Matches(status, body) }); ok {
		return []string{id}, true
	}
	if operationID == "" {
		return nil, false
	}
	for _, p := range problems {
		id, ok := pick(func(d Deviation) bool { return concerns(d) && d.leavesOut(p) })
		if !ok {
			return nil, false
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, true
}

// leavesOut reports whether p is a missing property that d records as
// absent.
func (d Deviation) leavesOut(p Problem) bool {
	return p.Rule == "required" && slices.ContainsFunc(d.Absent, func(ptr string) bool { return PointerMatches(ptr, p.Path) })
}

// PointerMatches reports whether the JSON pointer path is matched by
// pattern, a JSON pointer whose "*" tokens stand for any array index.
func PointerMatches(pattern, path string) bool {
	pt, ct := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(pt) != len(ct) {
		return false
	}
	for i := range pt {
		if pt[i] == ct[i] || pt[i] == "*" && isIndex(ct[i]) {
			continue
		}
		return false
	}
	return true
}

func isIndex(tok string) bool {
	if tok == "" || len(tok) > 1 && tok[0] == '0' {
		return false
	}
	return strings.Trim(tok, "0123456789") == ""
}

// Matches reports whether a response with this status and body is the
// response d records (whatever the operation).
func (d Deviation) Matches(status int, body []byte) bool {
	if !slices.Contains(d.Statuses, status) {
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return d.EmptyBody
	}
	return d.body != nil && d.body.Match(body)
}

// deviations reads and checks every x-observed record of doc.
func deviations(doc *openapi3.T) ([]Deviation, error) {
	ops := operationIDs(doc)
	var (
		out  []Deviation
		errs []error
	)
	add := func(where string, ext map[string]any, owner string) {
		raw, ok := ext[observedKey]
		if !ok {
			return
		}
		entries, err := decodeObserved(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: %w", where, observedKey, err))
			return
		}
		for i, e := range entries {
			d, err := e.deviation(owner, ops, doc)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %s[%d] (%s): %w", where, observedKey, i, e.ID, err))
				continue
			}
			out = append(out, d)
		}
	}
	add("top level", doc.Extensions, "")
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			add(method+" "+path, op.Extensions, op.OperationID)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	for i := 1; i < len(out); i++ {
		if out[i].ID == out[i-1].ID {
			errs = append(errs, fmt.Errorf("%s: id %q recorded twice", observedKey, out[i].ID))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

func decodeObserved(raw any) ([]observed, error) {
	data, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var entries []observed
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("want a list of records: %w", err)
	}
	return entries, nil
}

// deviation checks e and turns it into a Deviation; owner is the operationId
// the record is attached to ("" at the top level).
func (e observed) deviation(owner string, known []string, doc *openapi3.T) (Deviation, error) {
	var errs []error
	if !kebab.MatchString(e.ID) {
		errs = append(errs, fmt.Errorf("id %q is not kebab-case", e.ID))
	}
	if e.Summary == "" {
		errs = append(errs, errors.New("summary is empty"))
	}
	if len(e.Versions) == 0 {
		errs = append(errs, errors.New("versions is empty"))
	}
	if e.Operations == nil && owner == "" {
		errs = append(errs, errors.New(`a top-level record needs "operations" ([] for requests outside the contract, ["*"] for all)`))
	}
	ops := []string{}
	if owner != "" {
		ops = append(ops, owner)
	}
	for _, op := range e.Operations {
		switch {
		case op == allOperations:
			ops = append(ops, known...)
		case slices.Contains(known, op):
			ops = append(ops, op)
		default:
			errs = append(errs, fmt.Errorf("unknown operation %q", op))
		}
	}
	slices.Sort(ops)
	ops = slices.Compact(ops)
	statuses := slices.Clone(e.Statuses)
	if e.Status != 0 {
		if len(statuses) != 0 {
			errs = append(errs, errors.New("give status or statuses, not both"))
		}
		statuses = []int{e.Status}
	}
	for _, s := range statuses {
		if s < 100 || s > 599 {
			errs = append(errs, fmt.Errorf("status %d is not an HTTP status", s))
		}
	}
	var body *regexp.Regexp
	if e.BodyPattern != "" {
		var err error
		if body, err = regexp.Compile(e.BodyPattern); err != nil {
			errs = append(errs, fmt.Errorf("bodyPattern: %w", err))
		}
	}
	if len(statuses) != 0 && !e.EmptyBody && e.BodyPattern == "" {
		errs = append(errs, errors.New("a status record needs emptyBody or bodyPattern to say which response it is"))
	}
	if len(statuses) == 0 && (e.EmptyBody || e.BodyPattern != "") {
		errs = append(errs, errors.New("emptyBody and bodyPattern need a status"))
	}
	if len(e.Absent) != 0 {
		if len(statuses) != 0 {
			errs = append(errs, errors.New("absent concerns the documented response; give no status"))
		}
		errs = append(errs, checkAbsent(doc, ops, e.Absent)...)
	}
	if err := errors.Join(errs...); err != nil {
		return Deviation{}, err
	}
	d := Deviation{
		ID: e.ID, Summary: e.Summary, Documented: e.Documented,
		Operations: ops, Versions: e.Versions, Cases: e.Cases, Security: e.Security,
		Statuses: statuses, EmptyBody: e.EmptyBody, BodyPattern: e.BodyPattern, Header: e.Header,
		Absent: e.Absent, body: body,
	}
	if len(statuses) != 0 {
		d.Status = statuses[0]
	}
	if d.Cases == nil {
		d.Cases = []string{}
	}
	return d, nil
}

// checkAbsent checks the absent pointers of a record concerning ops: each
// names a property that the contract requires in a 2xx response of one of
// the operations, and each operation has a pointer into its document.
func checkAbsent(doc *openapi3.T, ops, absent []string) []error {
	if len(ops) == 0 || len(ops) == len(operationIDs(doc)) {
		return []error{errors.New(`absent needs the operations whose documents lack the properties (not [] or ["*"])`)}
	}
	var errs []error
	used := map[string]bool{}
	for _, ptr := range absent {
		found := false
		for _, op := range ops {
			for _, s := range successSchemas(doc, op) {
				if requiredAt(s, ptr) {
					found, used[op] = true, true
				}
			}
		}
		if !found {
			errs = append(errs, fmt.Errorf("absent %q is not a required property of a 2xx document of %v", ptr, ops))
		}
	}
	for _, op := range ops {
		if !used[op] {
			errs = append(errs, fmt.Errorf("absent names no property of the documents of %s", op))
		}
	}
	return errs
}

// successSchemas returns the JSON schemas of the 2xx responses of op.
func successSchemas(doc *openapi3.T, op string) []*openapi3.Schema {
	var out []*openapi3.Schema
	for _, item := range doc.Paths.Map() {
		for _, o := range item.Operations() {
			if o.OperationID != op || o.Responses == nil {
				continue
			}
			for code, r := range o.Responses.Map() {
				if n, err := strconv.Atoi(code); err != nil || n/100 != 2 || r.Value == nil {
					continue
				}
				for _, mt := range r.Value.Content {
					if mt.Schema != nil && mt.Schema.Value != nil {
						out = append(out, mt.Schema.Value)
					}
				}
			}
		}
	}
	return out
}

// requiredAt reports whether the pointer (with "*" for array items) leads
// through s's properties and items to a property its parent requires.
func requiredAt(s *openapi3.Schema, ptr string) bool {
	if !strings.HasPrefix(ptr, "/") {
		return false
	}
	toks := strings.Split(ptr[1:], "/")
	for i, tok := range toks {
		if s == nil {
			return false
		}
		if tok == "*" {
			if s.Items == nil {
				return false
			}
			s = s.Items.Value
			continue
		}
		tok = jsonpointer.Unescape(tok)
		p, ok := s.Properties[tok]
		if !ok || p.Value == nil {
			return false
		}
		if i == len(toks)-1 {
			return slices.Contains(s.Required, tok)
		}
		s = p.Value
	}
	return false
}
