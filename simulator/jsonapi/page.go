package jsonapi

import "strconv"

// pageParams reads page[size] and page[number] like MaxScale (strtol,
// trailing junk ignored): paging applies only when size > 0 and number
// (default 0) >= 0.
func pageParams(q Query) (size, number int64, ok bool) {
	sizeText, present := q.Get("page[size]")
	if !present {
		return 0, 0, false
	}
	size, _ = strtol(sizeText)
	numberText, _ := q.Get("page[number]")
	number, _ = strtol(numberText)
	return size, number, size > 0 && number >= 0
}

// paginate cuts `data` to page number (0-based) of the given size, adds
// `meta.total` (rows before cutting) and, unless the document already has
// paging links, the links self/first/last/next/prev built from links.self.
// Only a document whose `data` is an array is touched; when all rows fit
// on one page they are left uncut but links and meta are still added.
// Arithmetic is int64 with wrap-around, like MaxScale's.
func paginate(doc map[string]any, size, number int64) map[string]any {
	var total int64
	var cut func(lo, hi int64) any // rows lo…hi-1
	switch rows := doc["data"].(type) {
	case *Rows: // cut without making the rows
		total = int64(rows.Len())
		cut = func(lo, hi int64) any { return rows.slice(int(lo), int(hi)) }
	default:
		arr, ok := asArray(rows)
		if !ok {
			return doc
		}
		total = int64(len(arr))
		cut = func(lo, hi int64) any { return append([]any{}, arr[lo:hi]...) }
	}
	out := withMember(doc, "data", doc["data"])
	if total > size {
		start, end := number*size, (number+1)*size
		lo, hi := max(start, 0), min(end, total)
		if start > end || lo > hi { // wrapped around, or past the end: an empty page
			lo, hi = 0, 0
		}
		out["data"] = cut(lo, hi)
	}
	if links, ok := AsObject(doc["links"]); ok && !hasPagingLinks(links) {
		if self, ok := links["self"].(string); ok {
			base := self + "?page%5Bsize%5D=" + strconv.FormatInt(size, 10) + "&page%5Bnumber%5D="
			link := func(n int64) string { return base + strconv.FormatInt(n, 10) }
			newLinks := withMember(links, "self", link(number))
			if (number+1)*size < total {
				newLinks["next"] = link(number + 1)
			}
			newLinks["first"] = link(0)
			newLinks["last"] = link((total+size-1)/size - 1)
			if number > 0 && number*size < total {
				newLinks["prev"] = link(number - 1)
			}
			out["links"] = newLinks
		}
	}
	meta, present := doc["meta"]
	if !present {
		out["meta"] = map[string]any{"total": total}
	} else if m, ok := AsObject(meta); ok {
		out["meta"] = withMember(m, "total", total)
	}
	return out
}

func hasPagingLinks(links map[string]any) bool {
	for _, k := range []string{"next", "prev", "last", "first"} {
		if _, ok := links[k]; ok {
			return true
		}
	}
	return false
}

// PageSize returns the page[size] of q when paging applies (pageParams).
func (q Query) PageSize() (int64, bool) {
	size, _, ok := pageParams(q)
	return size, ok
}
