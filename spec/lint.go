package spec

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

// LintError is one mistake in a contract file, in the contract's terms:
// the line it is on, the rule it breaks and what is wrong, with none of
// the YAML decoder's or kin-openapi's internals.
type LintError struct {
	Line    int    // 1-based; the line of the nearest element named
	Rule    string // yaml, document, openapi-version, required, structure, schema, example, x-observed
	Message string
}

func (e *LintError) Error() string {
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Rule, e.Message)
}

// Lint parses and validates any OpenAPI 3.0 contract: the document itself,
// its examples against their schemas, and its x-observed records. It is what
// `mxharness spec lint FILE` runs; the error is a *LintError.
func Lint(data []byte) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return &LintError{Line: yamlLine(err.Error()), Rule: "yaml", Message: "not YAML or JSON: " + yamlMessage(err.Error())}
	}
	if len(root.Content) == 0 {
		return &LintError{Line: 1, Rule: "document", Message: "the file is empty; want an OpenAPI 3.0 document (openapi, info, paths)"}
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return &LintError{Line: top.Line, Rule: "document", Message: fmt.Sprintf("the document is %s, not a mapping; want an OpenAPI 3.0 document (openapi, info, paths)", kindName(top))}
	}
	version := child(top, "openapi")
	switch {
	case version == nil:
		return &LintError{Line: top.Line, Rule: "required", Message: "no openapi field; want openapi: 3.0.3"}
	case version.Kind != yaml.ScalarNode || version.Tag != "!!str" || !strings.HasPrefix(version.Value, "3.0."):
		return &LintError{Line: version.Line, Rule: "openapi-version", Message: fmt.Sprintf("openapi is %s; want a 3.0.x version as a string, such as 3.0.3", strconv.Quote(version.Value))}
	}
	for _, field := range []string{"info", "paths"} {
		if child(top, field) == nil {
			return &LintError{Line: top.Line, Rule: "required", Message: "no " + field + " field"}
		}
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return &LintError{Line: yamlLine(err.Error()), Rule: "structure", Message: yamlMessage(err.Error())}
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		return validationError(top, err.Error())
	}
	if _, err := deviations(doc); err != nil {
		line := top.Line
		if n := child(top, observedKey); n != nil {
			line = n.Line
		}
		return &LintError{Line: line, Rule: "x-observed", Message: firstLine(err.Error())}
	}
	return nil
}

// kin-openapi names where a validation error is as a chain of prefixes:
// "invalid paths: invalid path /sessions/{id}: invalid operation GET: ...",
// "invalid components: schema \"X\": ...".
var (
	pathPrefix      = regexp.MustCompile(`^invalid paths: (?:invalid path ([^:]+): )?`)
	operationPrefix = regexp.MustCompile(`^invalid operation ([A-Z]+): `)
	componentPrefix = regexp.MustCompile(`^invalid components: (schema|parameter|response|requestBody|header|example|securityScheme) "([^"]+)": `)
	componentKeys   = map[string]string{"schema": "schemas", "parameter": "parameters", "response": "responses", "requestBody": "requestBodies", "header": "headers", "example": "examples", "securityScheme": "securitySchemes"}
)

// validationError turns kin-openapi's validation error into the element it
// is about (an operation, a component), its line and the mistake.
func validationError(top *yaml.Node, msg string) *LintError {
	msg = firstLine(msg)
	el, where := element{node: top, line: top.Line}, ""
	if m := pathPrefix.FindStringSubmatch(msg); m != nil {
		msg = msg[len(m[0]):]
		el = el.descend("paths")
		if m[1] != "" {
			el, where = el.descend(m[1]), m[1]
			if o := operationPrefix.FindStringSubmatch(msg); o != nil {
				msg = msg[len(o[0]):]
				el, where = el.descend(strings.ToLower(o[1])), o[1]+" "+where
			}
		}
	} else if m := componentPrefix.FindStringSubmatch(msg); m != nil {
		msg = msg[len(m[0]):]
		el, where = el.descend("components").descend(componentKeys[m[1]]).descend(m[2]), "components "+m[1]+" "+m[2]
	}
	rule := "schema"
	if strings.HasPrefix(msg, "invalid example") {
		rule = "example"
		msg = strings.TrimPrefix(strings.TrimPrefix(msg, "invalid example"), ": ")
	}
	msg = strings.ReplaceAll(msg, "Error at ", "at ")
	if where != "" {
		msg = where + ": " + msg
	}
	return &LintError{Line: el.line, Rule: rule, Message: msg}
}

// element is a node of the document and the line it is named on (its
// key's line), which is where a reader looks for it.
type element struct {
	node *yaml.Node
	line int
}

// descend is the element key of the mapping e, or e itself when it has
// none, so that a line is always found (the nearest element named).
func (e element) descend(key string) element {
	if e.node == nil || e.node.Kind != yaml.MappingNode {
		return e
	}
	for i := 0; i+1 < len(e.node.Content); i += 2 {
		if e.node.Content[i].Value == key {
			return element{node: e.node.Content[i+1], line: e.node.Content[i].Line}
		}
	}
	return e
}

// child is the value of key in the mapping n, or nil.
func child(n *yaml.Node, key string) *yaml.Node {
	if e := (element{node: n}).descend(key); e.node != n {
		return e.node
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value (" + strings.TrimPrefix(n.Tag, "!!") + ")"
	}
	return "not a mapping"
}

var yamlLineRE = regexp.MustCompile(`line (\d+): `)

// yamlLine is the line a YAML decoder's message names, or 1.
func yamlLine(msg string) int {
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 1
}

// yamlMessage is the mistake of a YAML decoder's message, without its
// layers ("failed to unmarshal data: yaml error: yaml: line 3: ...").
func yamlMessage(msg string) string {
	msg = firstLine(msg)
	if i := strings.LastIndex(msg, "yaml: "); i >= 0 {
		msg = msg[i+len("yaml: "):]
	}
	if loc := yamlLineRE.FindStringIndex(msg); loc != nil {
		msg = msg[loc[1]:]
	}
	return msg
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
