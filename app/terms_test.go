package app

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/audit"
	"github.com/kubefingerprint/kubefingerprint/internal/audit/audittest"
	"github.com/kubefingerprint/kubefingerprint/internal/corpus"
	"github.com/kubefingerprint/kubefingerprint/internal/golden"
)

// Splunk's default segmentation (segmenters.conf, [default]): major
// breakers split an event into segments; within a segment, each minor
// breaker indexes the token from the segment's start to it and from the
// last minor breaker to it. The lexicon is case-insensitive.
var (
	majorBreakers = []string{"[", "]", "<", ">", "(", ")", "{", "}", "|", "!", ";", ",", "'", `"`, "*", "\n", "\r", " ", "\t",
		"&", "?", "+", "%21", "%26", "%2526", "%3B", "%7C", "%20", "%2B", "%3D", "--", "%2520", "%5D", "%5B", "%3A", "%0A", "%2C", "%28", "%29"}
	minorBreakers = "/:=@.-$#%\\_"
)

// lexicon is the set of terms Splunk indexes for raw.
func lexicon(raw string) map[string]bool {
	text := strings.ToLower(raw)
	for _, b := range majorBreakers {
		text = strings.ReplaceAll(text, strings.ToLower(b), " ")
	}
	lex := map[string]bool{}
	for _, seg := range strings.Fields(text) {
		lex[seg] = true
		last := -1
		for i := 0; i < len(seg); i++ {
			if strings.IndexByte(minorBreakers, seg[i]) < 0 {
				continue
			}
			lex[seg[:i]] = true
			lex[seg[last+1:i]] = true
			last = i
		}
		lex[seg[last+1:]] = true
	}
	return lex
}

// terms reads a terms macro: one parenthesised OR of terms, each a word,
// a quoted word, or a word with a trailing wildcard.
func terms(t *testing.T, def string) []string {
	t.Helper()
	require.True(t, strings.HasPrefix(def, "(") && strings.HasSuffix(def, ")"), def)
	var out []string
	for i, f := range strings.Fields(def[1 : len(def)-1]) {
		if i%2 == 1 {
			require.Equal(t, "OR", f, def)
			continue
		}
		out = append(out, strings.Trim(f, `"`))
	}
	return out
}

// matches reports whether the index hands Splunk's search an event with
// lexicon lex for one of the terms: the term is a term of the lexicon, or
// a prefix of one for a trailing wildcard.
func matches(lex map[string]bool, ts []string) bool {
	for _, term := range ts {
		term = strings.ToLower(term)
		if p, ok := strings.CutSuffix(term, "*"); ok {
			for tok := range lex {
				if strings.HasPrefix(tok, p) {
					return true
				}
			}
		} else if lex[term] {
			return true
		}
	}
	return false
}

// termEvents are Splunk events of every shape and corpus at hand: the
// shape fixtures, the samples, the public reference data, generated
// scans in every provider's shape whole and padded and cut by TRUNCATE,
// and the realistic generated AKS stream; each text one event.
func termEvents(t *testing.T) map[string][]string {
	events := map[string][]string{}
	add := func(name string, texts ...string) { events[name] = append(events[name], texts...) }
	files, _ := filepath.Glob("../internal/audit/testdata/shapes/*.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		add("shapes", string(b))
	}
	samples, _ := filepath.Glob("../samples/*")
	for _, f := range samples {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		add("samples", string(b))
		add("samples", strings.Split(strings.TrimSpace(string(b)), "\n")...)
	}
	ref, _ := filepath.Glob(filepath.Join(golden.Refdata(t, "audit"), "*", "*"))
	for _, f := range ref {
		if fi, err := os.Stat(f); err != nil || fi.IsDir() {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		add("refdata", string(b))
		add("refdata", strings.Split(string(b), "\n")...)
	}
	rng := rand.New(rand.NewPCG(20, 3))
	rid := audittest.ResourceID("RG", "AKS-1")
	for n := range 300 {
		e := audittest.Probe(rng, n)
		shapes := map[string]string{
			"bare": e.JSON(), "AKS record": audittest.Record("kube-audit", e.JSON(), rid, e.Time),
			"Event Hub": audittest.EventHub(audittest.Record("kube-audit", e.JSON(), rid, e.Time)),
			"AKSAudit":  e.TableRow(rid, false), "AKSAudit strings": e.TableRow(rid, true),
			"GKE": e.GKEEntry("gke-1"), "GKE Pub/Sub": audittest.PubSub(e.GKEEntry("gke-1")),
			"CloudWatch": audittest.Envelope("eks-1", e.JSON()), "Firehose": audittest.Firehose(audittest.Envelope("eks-1", e.JSON())),
		}
		padded := e
		padded.UserAgent += strings.Repeat(" A", 10000)
		for name, text := range map[string]string{
			"bare": padded.JSON(), "AKS record": audittest.Record("kube-audit", padded.JSON(), rid, e.Time),
			"AKSAudit": padded.TableRow(rid, false), "GKE": padded.GKEEntry("gke-1"), "CloudWatch": audittest.Envelope("eks-1", padded.JSON()),
		} {
			shapes["padded "+name+" TRUNCATE"] = text[:10000]
			shapes["padded "+name+" AKS cut"] = text[:16<<10]
		}
		for name, text := range shapes {
			add("generated "+name, text)
		}
	}
	g := corpus.New(7)
	for range 20000 {
		add("realistic", g.Next().Raw)
	}
	return events
}

// TestTermsKeepEveryRow: every Splunk event of every shape and corpus that
// gives a row of the 401 rule holds a term of kubefingerprint_terms, and
// every one that gives a row with anonymous=true a term of
// kubefingerprint_terms_anonymous, as Splunk's default segmentation
// indexes it: the terms never make the index drop an event the command
// would report. It also says what share of each corpus the index hands
// the search.
func TestTermsKeepEveryRow(t *testing.T) {
	macros := readConf(t, "../default/macros.conf")
	modes := []struct {
		macro     string
		anonymous bool
	}{{"kubefingerprint_terms", false}, {"kubefingerprint_terms_anonymous", true}}
	events := termEvents(t)
	for _, mode := range modes {
		ts := terms(t, macros[mode.macro]["definition"])
		x := audit.NewExtractor([]int{401}, mode.anonymous)
		for name, texts := range events {
			read, rows := 0, 0
			for _, text := range texts {
				reported := 0
				x.Read(audit.NewDocument([]byte(text)), func(*audit.Event) { reported++ })
				kept := matches(lexicon(text), ts)
				if kept {
					read++
				}
				if reported > 0 {
					rows++
					if !kept {
						t.Errorf("%s: %s drops an event with %d rows: %.300q", mode.macro, name, reported, text)
					}
				}
			}
			t.Logf("%s, %s: %d events, %d with rows, %d read (%.1f%%)", mode.macro, name, len(texts), rows, read, 100*float64(read)/float64(len(texts)))
		}
	}
}

// TestLexicon holds the segmentation model to what segmenters.conf says.
func TestLexicon(t *testing.T) {
	lex := lexicon(`{"log":"{\"user\":{\"username\":\"system:anonymous\"},\"code\":401}","ip":"10.0.0.1"}`)
	for _, term := range []string{"system:anonymous", "system", "anonymous", "401", "10.0.0.1", "10", "10.0", "1", "log"} {
		assert.True(t, lex[term], term)
	}
	assert.False(t, lex["code:401"], "the colon after a quote starts a segment")
	assert.True(t, matches(lex, []string{"nope", "SYSTEM:ANONYMOUS"}), "case-insensitive")
	assert.False(t, matches(lexicon("09:00:40.401764Z"), []string{"401"}), "a token, not a substring")
	assert.True(t, matches(lexicon("H4sIAAAA+x"), []string{"H4sI*"}))
	assert.Equal(t, fmt.Sprint(terms(t, `(a OR "b:c" OR d*)`)), "[a b:c d*]")
}

// TestProviderMacroTerms: the terms the provider data macros select
// AKSAudit rows and GKE entries by (search-time fields would be lost to
// TRUNCATE or the 5,000-byte extraction limit: Type and serviceName come
// after what a client pads) are in every such event that gives a row,
// whole, padded or cut.
func TestProviderMacroTerms(t *testing.T) {
	events := termEvents(t)
	for _, tc := range []struct {
		shape string
		terms [][]string // each list must match
	}{
		{"AKSAudit", [][]string{{"AuditId"}}},
		{"GKE", [][]string{{"protoPayload"}, {"k8s.io", "io.k8s"}}},
	} {
		checked := 0
		for name, texts := range events {
			if !strings.Contains(name, tc.shape) {
				continue
			}
			x := audit.NewExtractor([]int{401}, true)
			for _, text := range texts {
				reported := 0
				x.Read(audit.NewDocument([]byte(text)), func(*audit.Event) { reported++ })
				if reported == 0 {
					continue
				}
				checked++
				raw := strings.ToLower(text)
				lex := lexicon(text)
				for _, any := range tc.terms {
					ok := false
					for _, term := range any {
						// A term with minor breakers: all its parts are
						// tokens, and it stands in the raw text.
						parts := strings.FieldsFunc(strings.ToLower(term), func(r rune) bool { return strings.ContainsRune(minorBreakers, r) })
						all := strings.Contains(raw, strings.ToLower(term))
						for _, p := range parts {
							all = all && lex[p]
						}
						ok = ok || all
					}
					assert.True(t, ok, "%s: %v missing from %.200q", name, any, text)
				}
			}
		}
		assert.Positive(t, checked, tc.shape)
	}
}
