package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Problem is one way a request or response departs from the contract.
type Problem struct {
	// Path is the JSON pointer of the offending value in the body ("" for
	// the status, a header or a parameter).
	Path string
	// Rule is what was broken: a schema keyword (`required`, `pattern`,
	// `type`, `additionalProperties`, …), or `status`, `header <name>`,
	// `parameter <name>`, `content-type`, `security`, `route`.
	Rule string
	// Message is the validator's explanation.
	Message string
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Rule + ": " + p.Message
	}
	return p.Path + ": " + p.Rule + ": " + p.Message
}

// ValidationError lists every problem found in one request or response.
type ValidationError struct {
	// Operation is the operationId ("" if the request has no route).
	Operation string
	// What is "request" or "response <status>".
	What     string
	Problems []Problem
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	op := e.Operation
	if op == "" {
		op = "(no operation)"
	}
	return fmt.Sprintf("%s %s: %s", op, e.What, strings.Join(parts, "; "))
}

// FindOperation returns the operationId that r routes to.
func FindOperation(r *http.Request) (string, error) {
	route, _, err := findRoute(r)
	if err != nil {
		return "", err
	}
	return route.Operation.OperationID, nil
}

func findRoute(r *http.Request) (*routers.Route, map[string]string, error) {
	router, err := NewRouter()
	if err != nil {
		return nil, nil, err
	}
	route, params, err := router.FindRoute(r)
	if err != nil {
		return nil, nil, &ValidationError{What: "request", Problems: []Problem{{
			Rule: "route", Message: fmt.Sprintf("%s %s: %v", r.Method, r.URL.Path, err),
		}}}
	}
	return route, params, nil
}

// ValidateRequest checks r against the contract: route, parameters,
// headers, credentials (present for one of the security schemes) and body.
// The body is read and put back, so r can still be sent or served.
func ValidateRequest(ctx context.Context, r *http.Request) error {
	route, params, err := findRoute(r)
	if err != nil {
		return err
	}
	in := routable(r)
	if r.Body != nil && r.Body != http.NoBody {
		data, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return fmt.Errorf("read request body: %w", err)
		}
		// in is r or a shallow copy of it: either way the validator reads
		// in.Body, and r gets a fresh reader over the same bytes after.
		in.Body = io.NopCloser(bytes.NewReader(data))
		defer func() { r.Body = io.NopCloser(bytes.NewReader(data)) }()
	}
	err = openapi3filter.ValidateRequest(ctx, &openapi3filter.RequestValidationInput{
		Request: in, PathParams: params, Route: route,
		Options: &openapi3filter.Options{MultiError: true, AuthenticationFunc: credentialsPresent},
	})
	return problems(route.Operation.OperationID, "request", err)
}

// ValidateResponse checks a response to r (status, headers, body) against
// the contract. A status the operation does not document is a problem. When
// r asks for a sparse fieldset (`fields[…]`), members of `attributes` and
// `relationships` may be missing, as MaxScale documents, but whatever is
// present must still match its schema.
func ValidateResponse(ctx context.Context, r *http.Request, status int, header http.Header, body []byte) error {
	route, params, err := findRoute(r)
	if err != nil {
		return err
	}
	in := routable(r)
	sparse := status/100 == 2 && sparseFields(r)
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, ExcludeResponseBody: sparse}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: in, PathParams: params, Route: route, Options: opts,
		},
		Status: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)), Options: opts,
	}
	what := fmt.Sprintf("response %d", status)
	op := route.Operation.OperationID
	if err := openapi3filter.ValidateResponse(ctx, input); err != nil || !sparse {
		return problems(op, what, err)
	}
	return problems(op, what, validateSparse(route.Operation, status, header, body))
}

// credentialsPresent checks that the request carries credentials of the
// scheme asked for. Whether they are valid is for the server to say.
func credentialsPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header
	scheme := in.SecurityScheme
	switch {
	case scheme.Type == "http" && strings.EqualFold(scheme.Scheme, "basic"):
		if hasAuthScheme(h, "Basic") {
			return nil
		}
	case scheme.Type == "http" && strings.EqualFold(scheme.Scheme, "bearer"):
		if hasAuthScheme(h, "Bearer") {
			return nil
		}
	case scheme.Type == "apiKey" && scheme.In == "cookie":
		if _, err := in.RequestValidationInput.Request.Cookie(scheme.Name); err == nil {
			return nil
		}
	}
	return fmt.Errorf("no %s credentials", in.SecuritySchemeName)
}

func hasAuthScheme(h http.Header, scheme string) bool {
	v := h.Get("Authorization")
	return len(v) > len(scheme) && strings.EqualFold(v[:len(scheme)+1], scheme+" ")
}

// sparseFields reports whether r asks for a sparse fieldset that MaxScale
// applies (a non-empty fields[<type>]; keys are case-insensitive).
func sparseFields(r *http.Request) bool {
	for k, vs := range r.URL.Query() {
		if strings.HasPrefix(strings.ToLower(k), "fields[") && len(vs) > 0 && vs[0] != "" {
			return true
		}
	}
	return false
}

// validateSparse checks a body against the response schema with the
// members of attributes and relationships made optional.
func validateSparse(op *openapi3.Operation, status int, header http.Header, body []byte) error {
	resp := op.Responses.Status(status)
	if resp == nil || resp.Value == nil {
		return nil
	}
	if len(resp.Value.Content) == 0 {
		return nil
	}
	ct := header.Get("Content-Type")
	mt := resp.Value.Content.Get(ct)
	if mt == nil {
		return &Problem{Rule: "content-type", Message: fmt.Sprintf("response header Content-Type has unexpected value: %q", ct)}
	}
	if mt.Schema == nil {
		return nil
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return &Problem{Rule: "json", Message: err.Error()}
	}
	return relaxed(mt.Schema.Value).VisitJSON(value, openapi3.MultiErrors(), openapi3.VisitAsResponse())
}

func (p *Problem) Error() string { return p.String() }

// problems turns kin-openapi's error tree into a *ValidationError.
func problems(op, what string, err error) error {
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return err
	}
	out := &ValidationError{Operation: op, What: what}
	collect(err, "", &out.Problems)
	return out
}

func collect(err error, rule string, into *[]Problem) {
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, x := range e {
			collect(x, rule, into)
		}
	case *Problem:
		*into = append(*into, *e)
	case *openapi3filter.SecurityRequirementsError:
		msgs := make([]string, len(e.Errors))
		for i, x := range e.Errors {
			msgs[i] = x.Error()
		}
		*into = append(*into, Problem{Rule: "security", Message: strings.Join(msgs, " | ")})
	case *openapi3filter.RequestError:
		r := rule
		switch {
		case e.Parameter != nil:
			r = "parameter " + e.Parameter.Name
		case e.RequestBody != nil && r == "":
			r = "body"
		}
		if e.Err == nil {
			*into = append(*into, Problem{Rule: r, Message: e.Reason})
			return
		}
		collect(e.Err, r, into)
	case *openapi3filter.ResponseError:
		r := responseRule(e.Reason)
		if e.Err == nil {
			msg := e.Reason
			if r == "status" {
				msg = "not a documented status of this operation"
			}
			*into = append(*into, Problem{Rule: r, Message: msg})
			return
		}
		if r == "response" {
			r = rule
		}
		collect(e.Err, r, into)
	case *openapi3.SchemaError:
		*into = append(*into, schemaProblem(e, rule))
	default:
		if inner := errors.Unwrap(err); inner != nil {
			collect(inner, rule, into)
			return
		}
		r := rule
		if r == "" {
			r = "contract"
		}
		*into = append(*into, Problem{Rule: r, Message: err.Error()})
	}
}

// schemaProblem describes a schema violation: the JSON pointer of the value
// and the keyword it broke, prefixed with where (a parameter or header) if
// it is not in the body.
func schemaProblem(e *openapi3.SchemaError, where string) Problem {
	path := ""
	if ptr := e.JSONPointer(); len(ptr) > 0 {
		path = "/" + strings.Join(ptr, "/")
	}
	keyword := e.SchemaField
	if keyword == "properties" && strings.Contains(e.Reason, "unsupported") {
		keyword = "additionalProperties"
	}
	rule := keyword
	if where != "" && where != "body" {
		rule = where + ": " + keyword
	}
	msg := e.Reason
	if msg == "" && e.Origin != nil {
		msg = e.Origin.Error()
	}
	return Problem{Path: path, Rule: rule, Message: msg}
}

// responseRule names the rule of a response error that has no schema error
// under it.
func responseRule(reason string) string {
	switch {
	case strings.Contains(reason, "status is not supported"):
		return "status"
	case strings.Contains(reason, "Content-Type"):
		return "content-type"
	}
	if m := headerName.FindStringSubmatch(reason); m != nil {
		return "header " + m[1]
	}
	return "response"
}

var headerName = regexp.MustCompile(`header "([^"]+)"`)

// relaxedSchemas caches relaxed copies of response schemas.
var relaxedSchemas sync.Map // *openapi3.Schema -> *openapi3.Schema

// relaxed returns a copy of s in which `attributes` and `relationships`
// are optional and nothing below them is required: what a sparse fieldset
// leaves of a resource. not-schemas are kept as they are, since relaxing a
// negated requirement would make it stricter.
func relaxed(s *openapi3.Schema) *openapi3.Schema {
	if v, ok := relaxedSchemas.Load(s); ok {
		return v.(*openapi3.Schema)
	}
	r := relax(s, false)
	v, _ := relaxedSchemas.LoadOrStore(s, r)
	return v.(*openapi3.Schema)
}

func relax(s *openapi3.Schema, inside bool) *openapi3.Schema {
	if s == nil {
		return nil
	}
	c := *s
	if inside {
		c.Required = nil
	} else {
		c.Required = nil
		for _, name := range s.Required {
			if name != "attributes" && name != "relationships" {
				c.Required = append(c.Required, name)
			}
		}
	}
	if s.Properties != nil {
		c.Properties = make(openapi3.Schemas, len(s.Properties))
		for name, p := range s.Properties {
			c.Properties[name] = relaxRef(p, inside || name == "attributes" || name == "relationships")
		}
	}
	c.Items = relaxRef(s.Items, inside)
	c.AllOf = relaxRefs(s.AllOf, inside)
	c.AnyOf = relaxRefs(s.AnyOf, inside)
	c.OneOf = relaxRefs(s.OneOf, inside)
	if s.AdditionalProperties.Schema != nil {
		c.AdditionalProperties.Schema = relaxRef(s.AdditionalProperties.Schema, inside)
	}
	return &c
}

func relaxRef(r *openapi3.SchemaRef, inside bool) *openapi3.SchemaRef {
	if r == nil {
		return nil
	}
	return &openapi3.SchemaRef{Value: relax(r.Value, inside)}
}

func relaxRefs(rs openapi3.SchemaRefs, inside bool) openapi3.SchemaRefs {
	if rs == nil {
		return nil
	}
	out := make(openapi3.SchemaRefs, len(rs))
	for i, r := range rs {
		out[i] = relaxRef(r, inside)
	}
	return out
}
