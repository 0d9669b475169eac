package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// ResponseTable loads the responses of a diagnostic into an answer table
// with the given item and background columns, ordered by id like
// Responses. Rows are streamed and their JSON read straight into the
// columns: no map per response is made, so a diagnostic of 150,000
// respondents takes tens of megabytes rather than hundreds.
func (s *Store) ResponseTable(ctx context.Context, diagnosticID string, items, background []string) (*survey.AnswerTable, error) {
	n, err := s.CountResponses(ctx, diagnosticID)
	if err != nil {
		return nil, err
	}
	rows, err := s.read.NewSelect().Model((*responseRow)(nil)).Column("id", "background", "answers").
		Where("diagnostic_id = ?", diagnosticID).Order("id").Rows(ctx)
	if err != nil {
		return nil, dbError(err, "load responses")
	}
	defer rows.Close()
	t := survey.NewAnswerTable(items, background, n)
	var id string
	var bg, ans sql.RawBytes
	var keys keyCache
	for rows.Next() {
		if err := rows.Scan(&id, &bg, &ans); err != nil {
			return nil, dbError(err, "load responses")
		}
		t.StartRow(id)
		if err := eachMember(bg, func(k, v []byte) error {
			if len(v) < 2 || v[0] != '"' {
				return errNotAString
			}
			t.SetBackground(k, v[1:len(v)-1])
			return nil
		}); err != nil {
			return nil, survey.Wrap(survey.CodeInternal, err, "load responses")
		}
		pos := 0
		if err := eachMember(ans, func(k, v []byte) error {
			x, err := atoi(v)
			if err != nil {
				return err
			}
			t.SetAnswerAt(keys.column(t, pos, k), x)
			pos++
			return nil
		}); err != nil {
			return nil, survey.Wrap(survey.CodeInternal, err, "load responses")
		}
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(err, "load responses")
	}
	return t, nil
}

// keyCache remembers the item keys of the previous row by position. The
// store writes every answer object with its keys sorted, so most rows have
// the keys of the row before: comparing bytes is cheaper than hashing them.
type keyCache struct {
	keys [][]byte
	cols []int
}

func (c *keyCache) column(t *survey.AnswerTable, pos int, key []byte) int {
	if pos < len(c.keys) && bytes.Equal(c.keys[pos], key) {
		return c.cols[pos]
	}
	col := t.ItemColumn(key)
	if pos < len(c.keys) {
		c.keys[pos] = append(c.keys[pos][:0], key...)
		c.cols[pos] = col
	} else if pos == len(c.keys) {
		c.keys = append(c.keys, slices.Clone(key))
		c.cols = append(c.cols, col)
	}
	return col
}

// atoi reads a JSON integer.
func atoi(b []byte) (int, error) {
	digits := b
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		digits = b[1:]
	}
	if len(digits) == 0 || len(digits) > 9 {
		return strconv.Atoi(string(b))
	}
	n := 0
	for _, c := range digits {
		if c < '0' || c > '9' {
			return strconv.Atoi(string(b))
		}
		n = 10*n + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
}

type jsonError string

func (e jsonError) Error() string { return string(e) }

const (
	errNotAString    = jsonError("a background answer is not a string")
	errNotAnObject   = jsonError("not a JSON object")
	errEscapedMember = jsonError("escaped JSON member")
)

// eachMember calls fn with the key (without quotes) and the raw value of
// each member of a flat JSON object as the store writes them: string keys,
// and string or number values. A key or string value with an escape, which
// no id the service makes contains, falls back to encoding/json.
func eachMember(data []byte, fn func(k, v []byte) error) error {
	err := scanMembers(data, fn)
	if err != errEscapedMember {
		return err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	for k, v := range m {
		if len(v) > 0 && v[0] == '"' {
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			// Unescaped, between the quotes the callers strip.
			v = []byte(`"` + s + `"`)
		}
		if err := fn([]byte(k), v); err != nil {
			return err
		}
	}
	return nil
}

func scanMembers(d []byte, fn func(k, v []byte) error) error {
	i := skipSpace(d, 0)
	if i >= len(d) || d[i] != '{' {
		return errNotAnObject
	}
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == '}' {
		return nil
	}
	for {
		if i >= len(d) || d[i] != '"' {
			return errNotAnObject
		}
		ks := i + 1
		ke, err := stringEnd(d, ks)
		if err != nil {
			return err
		}
		i = skipSpace(d, ke+1)
		if i >= len(d) || d[i] != ':' {
			return errNotAnObject
		}
		i = skipSpace(d, i+1)
		vs := i
		if i < len(d) && d[i] == '"' {
			ve, err := stringEnd(d, i+1)
			if err != nil {
				return err
			}
			i = ve + 1
		} else {
			for i < len(d) && d[i] != ',' && d[i] != '}' && d[i] != ' ' && d[i] != '\t' && d[i] != '\n' && d[i] != '\r' {
				i++
			}
		}
		if err := fn(d[ks:ke], d[vs:i]); err != nil {
			return err
		}
		i = skipSpace(d, i)
		if i >= len(d) {
			return errNotAnObject
		}
		if d[i] == '}' {
			return nil
		}
		if d[i] != ',' {
			return errNotAnObject
		}
		i = skipSpace(d, i+1)
	}
}

// stringEnd returns the index of the quote that ends the string starting
// at i.
func stringEnd(d []byte, i int) (int, error) {
	for ; i < len(d); i++ {
		switch d[i] {
		case '"':
			return i, nil
		case '\\':
			return 0, errEscapedMember
		}
	}
	return 0, errNotAnObject
}

func skipSpace(d []byte, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r') {
		i++
	}
	return i
}
