package lookup

import "slices"

// An Index finds the rows whose pattern a text may match, by the literal
// prefix of the pattern (Glob.Literal): a row whose pattern starts with
// "kube-probe/" is looked at only for texts that start with "kube-probe/",
// and a row whose pattern starts with a star for every text. An index of
// ends (NewEndIndex) does the same with the literal a pattern ends with
// (Glob.End), for patterns that start with a star. A look-up costs one map
// probe per distinct literal length, however many rows there are; only
// rows that share a literal share a bucket.
type Index struct {
	fold    bool
	end     bool // literals are the ends of texts, not their starts
	buckets map[string][]int32
	lengths []int // distinct literal lengths, ascending
	scratch []byte
}

// NewIndex returns an empty index of starts; fold says the patterns are
// folded (Fold), so texts are folded before they are looked up.
func NewIndex(fold bool) *Index {
	return &Index{fold: fold, buckets: map[string][]int32{}}
}

// NewEndIndex returns an empty index of ends.
func NewEndIndex(fold bool) *Index {
	return &Index{fold: fold, end: true, buckets: map[string][]int32{}}
}

// MaxUnindexed is how many rows of one lookup may be looked at for every
// text: rows whose every pattern starts and ends with a star. Each costs a
// glob match per result, so a file of 100,000 of them would cost
// milliseconds per result; the rows past this many are left out, with a
// warning, which costs their suppression or their tags, never a row.
const MaxUnindexed = 1000

// Add files row id under literal. Ids must be added in ascending order.
func (x *Index) Add(literal string, id int32) {
	if i, found := slices.BinarySearch(x.lengths, len(literal)); !found {
		x.lengths = slices.Insert(x.lengths, i, len(literal))
	}
	x.buckets[literal] = append(x.buckets[literal], id)
}

// Each calls fn with each bucket of row ids, ascending, whose literal text
// starts with, until fn returns false. The text need not be folded.
func (x *Index) Each(text []byte, fn func(ids []int32) bool) {
	if len(x.lengths) == 0 {
		return
	}
	longest := min(len(text), x.lengths[len(x.lengths)-1])
	if x.end {
		text = text[len(text)-longest:]
	} else {
		text = text[:longest]
	}
	if x.fold {
		x.scratch = Fold(x.scratch[:0], text)
		text = x.scratch
	}
	for _, n := range x.lengths {
		if n > len(text) {
			return
		}
		key := text[:n]
		if x.end {
			key = text[len(text)-n:]
		}
		if ids, ok := x.buckets[string(key)]; ok && !fn(ids) {
			return
		}
	}
}
