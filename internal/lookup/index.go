package lookup

import "slices"

// An Index finds the rows whose pattern a text may match, by the literal
// prefix of the pattern (Glob.Literal): a row whose pattern starts with
// "kube-probe/" is looked at only for texts that start with "kube-probe/",
// and a row whose pattern starts with a star for every text. A look-up
// costs one map probe per distinct prefix length, however many rows there
// are; only rows that share a prefix share a bucket.
type Index struct {
	fold    bool
	buckets map[string][]int32
	lengths []int // distinct prefix lengths, ascending
	scratch []byte
}

// NewIndex returns an empty index; fold says the patterns are folded
// (Fold), so texts are folded before they are looked up.
func NewIndex(fold bool) *Index {
	return &Index{fold: fold, buckets: map[string][]int32{}}
}

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
	if x.fold {
		x.scratch = Fold(x.scratch[:0], text[:min(len(text), x.lengths[len(x.lengths)-1])])
		text = x.scratch
	}
	for _, n := range x.lengths {
		if n > len(text) {
			return
		}
		if ids, ok := x.buckets[string(text[:n])]; ok && !fn(ids) {
			return
		}
	}
}
