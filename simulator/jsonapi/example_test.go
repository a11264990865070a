package jsonapi_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/mxharness/mxharness/simulator/jsonapi"
)

// Example shows the order of operations of a GET handler in the
// maxscale-24.02 profile.
func Example() {
	start := time.Date(2026, time.November, 26, 19, 13, 19, 0, time.UTC)
	lastMod := jsonapi.NewLastModified(start) // one per simulator
	var pending jsonapi.ErrorBuffer           // one per simulator

	get := func(rawQuery string, cond jsonapi.Conditions) {
		// 1. The handler builds the document (nil for an empty body).
		doc := map[string]any{
			"data": []any{
				map[string]any{"id": "1", "type": "sessions", "attributes": map[string]any{"user": "maxuser", "idle": 0.7}},
				map[string]any{"id": "2", "type": "sessions", "attributes": map[string]any{"user": "other", "idle": 10.0}},
			},
			"links": map[string]any{"self": "http://127.0.0.1:8989/v1/sessions/"},
		}
		// 2. ETag of the unshaped body; conditions checked after the handler.
		etag := jsonapi.ETag(jsonapi.Marshal(doc, false))
		q := jsonapi.ParseQuery(rawQuery)
		switch cond.EvaluateMaxScale(jsonapi.Validators{ETag: etag, LastModified: lastMod.Get("sessions")}) {
		case jsonapi.PreconditionFailed:
			fmt.Println("412, empty body")
			return
		case jsonapi.NotModified:
			fmt.Println("304, empty body")
			return
		case jsonapi.AsIs:
			fmt.Printf("200 without ETag/Last-Modified: %s\n", jsonapi.Marshal(doc, jsonapi.Pretty(q)))
			return
		}
		// 3. Proceed: ETag and Last-Modified headers, then filter, page, fields.
		shaped, logged, err := jsonapi.Shape(doc, q, jsonapi.Options{})
		pending.Add(logged...)
		if e := (*jsonapi.Error)(nil); errors.As(err, &e) {
			details := pending.Take(e.Details...)
			fmt.Printf("%d: %s\n", e.Status, jsonapi.Marshal(jsonapi.ErrorDocument(details), false))
			return
		}
		fmt.Printf("200 ETag+Last-Modified: %s\n", jsonapi.Marshal(shaped, jsonapi.Pretty(q)))
	}

	get("filter=/attributes/user=%22maxuser%22&fields[sessions]=idle&pretty=false", jsonapi.Conditions{})
	get("page[size]=1&page[number]=1&fields[sessions]=user&pretty=no", jsonapi.Conditions{})
	get("filter=id", jsonapi.Conditions{IfModifiedSince: jsonapi.HTTPDate(start)})
	get("filter=id&pretty=0", jsonapi.Conditions{})
	get("filter[attributes.user]=maxuser", jsonapi.Conditions{})
	// Output:
	// 200 ETag+Last-Modified: {"data":[{"attributes":{"idle":0.69999999999999996},"id":"1","type":"sessions"}],"links":{"self":"http://127.0.0.1:8989/v1/sessions/"}}
	// 200 ETag+Last-Modified: {"data":[{"attributes":{"user":"other"},"id":"2","type":"sessions"}],"links":{"first":"http://127.0.0.1:8989/v1/sessions/?page%5Bsize%5D=1&page%5Bnumber%5D=0","last":"http://127.0.0.1:8989/v1/sessions/?page%5Bsize%5D=1&page%5Bnumber%5D=1","prev":"http://127.0.0.1:8989/v1/sessions/?page%5Bsize%5D=1&page%5Bnumber%5D=0","self":"http://127.0.0.1:8989/v1/sessions/?page%5Bsize%5D=1&page%5Bnumber%5D=1"},"meta":{"total":2}}
	// 304, empty body
	// 200 ETag+Last-Modified: {"data":[{"attributes":{"idle":0.69999999999999996,"user":"maxuser"},"id":"1","type":"sessions"},{"attributes":{"idle":10.0,"user":"other"},"id":"2","type":"sessions"}],"links":{"self":"http://127.0.0.1:8989/v1/sessions/"}}
	// 400: {"errors":[{"detail":"Invalid filter expression: id"},{"detail":"Not a valid filter expression: maxuser"}]}
}
