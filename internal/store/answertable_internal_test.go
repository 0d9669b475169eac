package store

import (
	"encoding/json"
	"maps"
	"testing"
)

// eachMember reads what encoding/json reads, for the objects the store
// writes and for what PostgreSQL's jsonb gives back.
func TestEachMemberAgreesWithEncodingJSON(t *testing.T) {
	for _, text := range []string{
		`{}`, ` { } `, `{"a":1}`, `{"a": 1, "b": -2}`, `{"f1_1":5,"f1_2":0,"o1":3}`,
		`{"role":"uitvoering","unit_id":"u1"}`, `{"unit_id": "quote \" and \\ backslash"}`,
		`{"x":"\u003ctab\u003e\t"}`, `{"a":"één"}`, `{"n":123456789012}`,
	} {
		var want map[string]any
		if err := json.Unmarshal([]byte(text), &want); err != nil {
			t.Fatal(err)
		}
		got := map[string]any{}
		err := eachMember([]byte(text), func(k, v []byte) error {
			if v[0] == '"' {
				got[string(k)] = string(v[1 : len(v)-1])
				return nil
			}
			n, err := atoi(v)
			got[string(k)] = float64(n)
			return err
		})
		if err != nil || !maps.Equal(got, want) {
			t.Errorf("%s: got %v (%v), want %v", text, got, err, want)
		}
	}
	for _, bad := range []string{``, `[]`, `{"a":1`, `{"a" 1}`, `{a:1}`, `{"a":1,}`} {
		if err := eachMember([]byte(bad), func(k, v []byte) error { return nil }); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
