package jsonapi

import (
	"testing"
)

// The benchmarks below measure the ways the simulator can serialise a
// collection of 10,000 sessions: the body in memory (Marshal) or streamed
// to a connection-like writer (MarshalTo), and the ETag's compact dump
// through the hash (ETagOf) or built first (ETag(Marshal(…))).

func BenchmarkMarshal10000Sessions(b *testing.B) {
	benchEachLayout(b, func(doc any, pretty bool) int { return len(Marshal(doc, pretty)) })
}

func BenchmarkMarshalTo10000Sessions(b *testing.B) {
	benchEachLayout(b, func(doc any, pretty bool) int {
		var n countingWriter
		if err := MarshalTo(&n, doc, pretty); err != nil {
			b.Fatal(err)
		}
		return int(n)
	})
}

// benchEachLayout runs encode (which returns the bytes it produced) on
// 10,000 sessions, pretty and compact.
func benchEachLayout(b *testing.B, encode func(doc any, pretty bool) int) {
	doc := sessionFixture(b, 10000)
	for _, pretty := range []bool{true, false} {
		name := "compact"
		if pretty {
			name = "pretty"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := startCPU()
			defer cpu.report(b)
			for b.Loop() {
				b.SetBytes(int64(encode(doc, pretty)))
			}
		})
	}
}

func BenchmarkETag10000Sessions(b *testing.B) {
	doc := sessionFixture(b, 10000)
	for _, tc := range []struct {
		name string
		etag func(any) string
	}{
		{"ETagOf", ETagOf},
		{"ETag(Marshal)", func(doc any) string { return ETag(Marshal(doc, false)) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := startCPU()
			defer cpu.report(b)
			for b.Loop() {
				tc.etag(doc)
			}
		})
	}
}

// countingWriter discards what it is given and counts it.
type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

// BenchmarkMarshalFrozen10000Sessions: the same sessions as kept
// encodings (Frozen), as the simulator serves them: pretty output is
// indented from the compact encodings as it is written.
func BenchmarkMarshalFrozen10000Sessions(b *testing.B) {
	doc := sessionFixture(b, 10000)
	rows := doc["data"].([]any)
	for i, row := range rows {
		obj := row.(map[string]any)
		f := Freeze(func() map[string]any { return obj })
		f.markedMembers()
		rows[i] = f
	}
	b.Run("pretty", func(b *testing.B) {
		b.ReportAllocs()
		cpu := startCPU()
		defer cpu.report(b)
		for b.Loop() {
			var n countingWriter
			if err := MarshalTo(&n, doc, true); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(n))
		}
	})
}
