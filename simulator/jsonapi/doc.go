// Package jsonapi implements MaxScale 24.02's common JSON:API response
// machinery for the simulator: serialisation (Marshal, Decode), query
// parsing, sparse fieldsets, row filters, paging, ETags and conditional
// requests. It holds no HTTP server; the only state is the LastModified
// table, which is safe for concurrent use.
//
// JSON trees follow the project convention: map[string]any, []any, string,
// bool, nil, int64 (integers) and float64 (reals). The distinction between
// integers and reals matters: MaxScale prints reals with 17 significant
// digits and compares them type-strictly in filter expressions.
package jsonapi
