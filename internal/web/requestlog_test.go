package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

// TestRespondentRequestsLeaveNoTimedLines plays a whole respondent, and a
// respondent who meets an outage, and reads the log as an administrator
// would: no line per respondent request, no response size, and the error
// line of the outage with a time no finer than the hour. Other routes keep
// their request line.
func TestRespondentRequestsLeaveNoTimedLines(t *testing.T) {
	st := storetest.Open(t, store.DialectSQLite)
	o := &outageStore{Store: st}
	f := newFixtureOn(t, st, o)
	b := f.browser(t)
	review := f.completeQuestionnaire(t, b, nil)
	action, form := formOf(t, review.body)
	if p := b.follow(b.post(action, form)); p.status != http.StatusOK {
		t.Fatalf("thanks page: %d", p.status)
	}
	second := f.browser(t)
	review = f.completeQuestionnaire(t, second, nil)
	action, form = formOf(t, review.body)
	o.down.Store(true)
	if p := second.post(action, form); p.status != http.StatusServiceUnavailable {
		t.Fatalf("submit during an outage: %d, want 503", p.status)
	}
	o.down.Store(false)
	if p := b.get("/healthz"); p.status != http.StatusOK {
		t.Fatalf("/healthz: %d", p.status)
	}

	var healthLogged, failureLogged bool
	for _, line := range strings.Split(strings.TrimSpace(f.logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		route, _ := rec["route"].(string)
		if route == "/healthz" && rec["msg"] == "request" {
			healthLogged = rec["bytes"] != nil
		}
		if !strings.HasPrefix(route, "/d/") {
			continue
		}
		if rec["msg"] == "request" {
			t.Errorf("a request line for a respondent route: %s", line)
		}
		if _, ok := rec["bytes"]; ok {
			t.Errorf("a response size for a respondent route: %s", line)
		}
		ts, err := time.Parse(time.RFC3339Nano, rec["time"].(string))
		if err != nil {
			t.Fatalf("time of %s: %v", line, err)
		}
		if !ts.Equal(ts.Truncate(time.Hour)) {
			t.Errorf("a respondent line with a time finer than the hour (%s): %s", rec["time"], line)
		}
		failureLogged = failureLogged || rec["msg"] == "request failed" || rec["msg"] == "store failed on respondent route"
	}
	if !healthLogged {
		t.Error("the request line of /healthz, with its size, is missing: the log is not captured")
	}
	if !failureLogged {
		t.Error("the outage on the respondent route was not logged")
	}
}
