package spec

import (
	_ "embed"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// controlYAML is the OpenAPI description of the simulator's control API
// (/sim/v1), which is not part of MaxScale and so lives apart from the
// sessions contract.
//
//go:embed control.yaml
var controlYAML []byte

// ControlYAML returns the control API's OpenAPI document as embedded. The
// caller must not modify the slice.
func ControlYAML() []byte { return controlYAML }

// LoadControl parses and validates the control API's OpenAPI document once.
// The returned document is shared and must be treated as read-only.
func LoadControl() (*openapi3.T, error) { return loadControlOnce() }

// ControlJSON returns the control API's OpenAPI document as JSON.
func ControlJSON() ([]byte, error) { return marshalJSON(LoadControl, "control.yaml") }

var loadControlOnce = sync.OnceValues(func() (*openapi3.T, error) {
	return parse("control.yaml", controlYAML)
})
