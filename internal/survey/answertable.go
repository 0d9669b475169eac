package survey

import "math"

// AnswerTable holds the responses of a diagnostic as columns, for scoring:
// one small integer per respondent and item, and one code per respondent
// and background question. At 150,000 respondents a column of answers
// takes 300 KB, where the same answers as a map per response take hundreds
// of megabytes.
type AnswerTable struct {
	// IDs are the response ids, one per respondent.
	IDs []string

	itemIndex map[string]int
	items     [][]int16
	bgIndex   map[string]int
	bg        []*CodedColumn
}

// Skipped marks an item the respondent did not answer in an AnswerTable.
const Skipped = math.MinInt16

// CodedColumn holds the answers to one background question: Of[i] is the
// index in Values of respondent i's answer, or -1 when not answered.
type CodedColumn struct {
	Values []string
	Of     []int32
	index  map[string]int32
}

// Get returns respondent i's answer, "" when not answered.
func (c *CodedColumn) Get(i int) string {
	if c == nil || c.Of[i] < 0 {
		return ""
	}
	return c.Values[c.Of[i]]
}

// NewAnswerTable returns an empty table with a column for each item and
// background question; answers to other ids are left out when set.
// capacity is the expected number of respondents.
func NewAnswerTable(items, background []string, capacity int) *AnswerTable {
	t := &AnswerTable{IDs: make([]string, 0, capacity), itemIndex: make(map[string]int, len(items)), bgIndex: make(map[string]int, len(background))}
	for _, id := range items {
		if _, ok := t.itemIndex[id]; !ok {
			t.itemIndex[id] = len(t.items)
			t.items = append(t.items, make([]int16, 0, capacity))
		}
	}
	for _, id := range background {
		if _, ok := t.bgIndex[id]; !ok {
			t.bgIndex[id] = len(t.bg)
			t.bg = append(t.bg, &CodedColumn{Of: make([]int32, 0, capacity), index: map[string]int32{}})
		}
	}
	return t
}

// Len is the number of respondents.
func (t *AnswerTable) Len() int { return len(t.IDs) }

// Item returns the column of an item: the answer on the scale, DontKnow or
// Skipped per respondent; nil when the table has no such column.
func (t *AnswerTable) Item(id string) []int16 {
	if i, ok := t.itemIndex[id]; ok {
		return t.items[i]
	}
	return nil
}

// Background returns the column of a background question, nil when the
// table has none.
func (t *AnswerTable) Background(id string) *CodedColumn {
	if i, ok := t.bgIndex[id]; ok {
		return t.bg[i]
	}
	return nil
}

// StartRow adds a respondent with every item skipped and every background
// question unanswered; SetAnswer and SetBackground then fill it in.
func (t *AnswerTable) StartRow(id string) {
	t.IDs = append(t.IDs, id)
	for c := range t.items {
		t.items[c] = append(t.items[c], Skipped)
	}
	for _, col := range t.bg {
		col.Of = append(col.Of, -1)
	}
}

// SetAnswer sets the last respondent's answer to an item; an unknown item
// is ignored. A value beyond the range of a column is stored as its
// largest value, which lies outside every scale.
func (t *AnswerTable) SetAnswer(item []byte, v int) {
	t.SetAnswerAt(t.ItemColumn(item), v)
}

// ItemColumn returns the number of an item's column for SetAnswerAt, -1
// when the table has none.
func (t *AnswerTable) ItemColumn(item []byte) int {
	if c, ok := t.itemIndex[string(item)]; ok {
		return c
	}
	return -1
}

// SetAnswerAt is SetAnswer by column number; -1 is ignored.
func (t *AnswerTable) SetAnswerAt(c, v int) {
	if c < 0 {
		return
	}
	if v > math.MaxInt16 || v <= Skipped {
		v = math.MaxInt16
	}
	t.items[c][len(t.items[c])-1] = int16(v)
}

// SetBackground sets the last respondent's answer to a background
// question; an unknown question is ignored, and an empty answer is none.
func (t *AnswerTable) SetBackground(question, v []byte) {
	b, ok := t.bgIndex[string(question)]
	if !ok || len(v) == 0 {
		return
	}
	col := t.bg[b]
	k, ok := col.index[string(v)]
	if !ok {
		k = int32(len(col.Values))
		s := string(v)
		col.Values = append(col.Values, s)
		col.index[s] = k
	}
	col.Of[len(col.Of)-1] = k
}

// TableOf puts responses into a table with the given columns.
func TableOf(rs []Response, items, background []string) *AnswerTable {
	t := NewAnswerTable(items, background, len(rs))
	for _, r := range rs {
		t.StartRow(r.ID)
		for _, id := range items {
			if v, ok := r.Answers[id]; ok {
				t.SetAnswer([]byte(id), v)
			}
		}
		for _, id := range background {
			t.SetBackground([]byte(id), []byte(r.Background[id]))
		}
	}
	return t
}
