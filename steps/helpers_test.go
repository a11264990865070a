package steps

import (
	"strconv"
	"testing/fstest"
)

// mapFS builds an in-memory file system from path → content.
func mapFS(files map[string]string) fstest.MapFS {
	out := fstest.MapFS{}
	for p, c := range files {
		out[p] = &fstest.MapFile{Data: []byte(c)}
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
