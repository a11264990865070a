package control

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"time"
)

// maxBody bounds request bodies; control requests are small.
const maxBody = 1 << 20

// resourceDocument is the JSON:API-style request body {"data":{"type",
// "attributes"}} of the control API.
type resourceDocument[T any] struct {
	Data *struct {
		Type       *string `json:"type"`
		Attributes *T      `json:"attributes"`
	} `json:"data"`
}

// decodeResource decodes the request body strictly and returns its
// attributes (nil when absent). wantType, when not "", is the only data.type
// accepted. Every failure wraps ErrInvalid with a detail for the client.
func decodeResource[T any](r *http.Request, wantType string) (*T, error) {
	var doc resourceDocument[T]
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, bodyError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, invalidf("invalid request body: data after the JSON document")
	}
	if doc.Data == nil {
		return nil, invalidf(`invalid request body: no "data" object`)
	}
	if t := doc.Data.Type; t != nil && wantType != "" && *t != wantType {
		return nil, invalidf("invalid request body: data.type is %q, want %q", *t, wantType)
	}
	return doc.Data.Attributes, nil
}

// bodyError turns a decoding error into a detail that names the JSON field
// and the JSON type expected, not Go's types.
func bodyError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var maxErr *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return invalidf("missing request body")
	case errors.As(err, &typeErr):
		return invalidf("invalid request body: %s must be %s, not a JSON %s",
			typeErr.Field, jsonKind(typeErr.Type), typeErr.Value)
	case errors.As(err, &maxErr):
		return invalidf("request body larger than %d bytes", maxErr.Limit)
	default:
		return invalidf("invalid request body: %v", err)
	}
}

func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "an integer"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice:
		return "an array"
	default:
		return "a " + t.String()
	}
}

// parseDuration parses a Go duration string given as attribute name.
func parseDuration(name, s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, invalidf("%s %q is not a duration such as 250ms, 90s or 1h30m", name, s)
	}
	return d, nil
}

// parseID checks a path id: a positive decimal integer without sign or
// leading zeros, as the control spec's pattern says.
func parseID(kind, s string) (string, error) {
	if n, err := strconv.ParseUint(s, 10, 63); err != nil || n == 0 || strconv.FormatUint(n, 10) != s {
		return "", invalidf("%s id %q is not a positive integer", kind, s)
	}
	return s, nil
}

// baseURL is the scheme and host the client used, as MaxScale builds its
// links from the Host header.
func baseURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}
