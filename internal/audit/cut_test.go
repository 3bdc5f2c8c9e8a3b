package audit

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestMayBeCut: long text is read unless it is whole and holds a
// responseStatus key for every auditID key of an audit event; text the
// client wrote (the user agent) can write neither key, at any depth.
func TestMayBeCut(t *testing.T) {
	event := func(ua string) string {
		b, _ := json.Marshal(ua)
		return `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a1","stage":"ResponseComplete","requestURI":"/api","verb":"get",` +
			`"user":{},"sourceIPs":["203.0.113.1"],"userAgent":` + string(b) + `,"responseStatus":{"metadata":{},"code":200}}`
	}
	record := func(ev string) string {
		b, _ := json.Marshal(map[string]any{"category": "kube-audit", "properties": map[string]any{"log": ev}})
		return string(b)
	}
	csv := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	pad := strings.Repeat("A", 6000)
	forged := pad + `","auditID":"x","responseStatus":{"code":200},"x":"\"responseStatus\":{}`
	whole, cut := event(pad), event(forged)[:5000]
	for name, tt := range map[string]struct {
		text string
		may  bool
	}{
		"short":                                         {`{"a":1}`, false},
		"whole event":                                   {whole, false},
		"whole record":                                  {record(whole), false},
		"whole record, CSV":                             {csv(record(whole)), false},
		"whole event, CSV":                              {csv(whole), false},
		"two whole records":                             {record(whole) + "\n" + record(whole), false},
		"event cut":                                     {cut, true},
		"record of a cut event":                         {record(cut), true},
		"record of a cut event, CSV":                    {csv(record(cut)), true},
		"record cut":                                    {record(whole)[:5000], true},
		"whole then cut record":                         {record(whole) + "\n" + record(cut), true},
		"whole then cut record, CSV":                    {csv(record(whole) + "\n" + record(cut)), true},
		"whole event with forged key":                   {event(forged), false},
		"no auditID":                                    {strings.Replace(whole, `"auditID"`, `"id"`, 1), true},
		"event cut in its status":                       {whole[:strings.Index(whole, `,"code":200`)], true},
		"record of an event cut in its status":          {record(whole[:strings.Index(whole, `,"code":200`)]), true},
		"batch, the first event cut in its status":      {`{"records":[` + record(whole[:strings.Index(whole, `,"code":200`)]) + "," + record(whole) + `]}`, true},
		"record of an event cut after its code's colon": {record(whole[:strings.Index(whole, `200}`)]), true},
		"record of an event cut inside its code":        {record(whole[:strings.Index(whole, `200}`)+2]), true},
		"record of an event cut after its code":         {record(whole[:strings.Index(whole, `200}`)+3]), true},
		"code as a string":                              {strings.Replace(whole, `"code":200`, `"code":"200"`, 1), false},
		"record, code as a string":                      {record(strings.Replace(whole, `"code":200`, `"code":"200"`, 1)), false},
		"record, CSV, code as a string":                 {csv(record(strings.Replace(whole, `"code":200`, `"code":"200"`, 1))), false},
	} {
		assert.Equal(t, tt.may, mayBeCut([]byte(tt.text)), name)
	}

	// Any bytes: no panic.
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte(`auditIDresponseStatuslog\"":{}[], `)
	for range 2000 {
		b := make([]byte, MayBeCut+r.IntN(64))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		mayBeCut(b)
	}
}
