package detect

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kubefingerprint/kubefingerprint/internal/allowlist"
	"github.com/kubefingerprint/kubefingerprint/internal/audit"
)

// Allowlists are the allowlist lookups one run honours, in order: a row is
// suppressed by the first that covers it.
type Allowlists struct {
	lists []*allowlist.List
	// Show keeps covered rows, marked with the lookup row that covers them
	// (filter=show), instead of dropping them.
	Show bool
}

// Add appends a list.
func (a *Allowlists) Add(l *allowlist.List) { a.lists = append(a.lists, l) }

// match returns the index of the first list that covers ev and the line
// of its row, or -1.
func (a *Allowlists) match(ev *audit.Event) (list, line int) {
	for i, l := range a.lists {
		if line, ok := l.Match(ev); ok {
			return i, line
		}
	}
	return -1, 0
}

// appendWhere renders where a row is covered: <file>:<line>.
func (a *Allowlists) appendWhere(dst []byte, list, line int) []byte {
	dst = append(dst, a.lists[list].Name...)
	return strconv.AppendInt(append(dst, ':'), int64(line), 10)
}

// summary describes the suppressed counts for the closing message.
func (a *Allowlists) summary(counts []int) string {
	if len(a.lists) == 0 {
		return "; no allowlist lookup applied"
	}
	var b strings.Builder
	if a.Show {
		b.WriteString("; rows an allowlist covers, kept and marked in the allowlisted field (filter=show):")
	} else {
		b.WriteString("; rows suppressed by allowlist:")
	}
	for i, l := range a.lists {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, " %d by %s (%d rows)", counts[i], l.Name, l.Len())
	}
	return b.String()
}
