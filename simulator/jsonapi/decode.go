package jsonapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Decode parses one JSON document into the tree convention: map[string]any,
// []any, string, bool, nil, int64 and float64. A number containing `.`, `e`
// or `E` is a real (float64), any other number an integer (int64), which is
// how jansson tells them apart. An integer outside int64 is an error, as in
// jansson ("too big integer"). Trailing data after the document is an error.
func Decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode json: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("decode json: trailing data after the document")
	}
	return convertTree(v)
}

// convertTree replaces json.Number leaves in place with int64 or float64.
func convertTree(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		return convertNumber(x)
	case map[string]any:
		for k, el := range x {
			c, err := convertTree(el)
			if err != nil {
				return nil, err
			}
			x[k] = c
		}
	case []any:
		for i, el := range x {
			c, err := convertTree(el)
			if err != nil {
				return nil, err
			}
			x[i] = c
		}
	}
	return v, nil
}

func convertNumber(n json.Number) (any, error) {
	s := string(n)
	if strings.ContainsAny(s, ".eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("decode json: real %s: %w", s, err)
		}
		return f, nil
	}
	i, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("decode json: integer %s: %w", s, err)
	}
	return i, nil
}
