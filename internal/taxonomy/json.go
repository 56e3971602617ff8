package taxonomy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// MaxJSONBytes bounds a JSON import; 700 tags with descriptions are ~100 KB.
const MaxJSONBytes = 32 << 20

// jsonTag is the export shape: [{"name", "description", "archived", "children"}].
type jsonTag struct {
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Archived    bool      `json:"archived"`
	Children    []jsonTag `json:"children,omitempty"`
}

// ParseJSON reads a nested taxonomy:
//
//	[{"name": "Editor", "description": "…", "archived": false, "children": [ … ]}]
//
// name is required; description, archived and children may be missing or null
// (missing values are left as they are by Plan). Unknown keys are refused, so a typo
// such as "childern" is not silently ignored. Errors are *Error with Line 0 and the
// JSON path of the offending value in Column, such as "[3].children[0].name". Rows
// come out parent first.
func ParseJSON(r io.Reader) ([]ImportRow, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxJSONBytes+1))
	if err != nil {
		return nil, &Error{Msg: "reading: " + err.Error()}
	}
	if len(data) > MaxJSONBytes {
		return nil, &Error{Msg: fmt.Sprintf("the file is larger than %d MB", MaxJSONBytes>>20)}
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // numbers are always wrong here; don't let them become float noise
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, jsonSyntaxErr(data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &Error{Msg: fmt.Sprintf("unexpected data after the top-level array (%s)", where(data, int(dec.InputOffset())))}
	}
	list, ok := doc.([]any)
	if !ok {
		return nil, &Error{Msg: "the file must be a JSON array of tags, such as [{\"name\": \"Editor\", \"children\": []}]"}
	}
	p := jsonParser{}
	if err := p.list(list, "", nil); err != nil {
		return nil, err
	}
	return p.rows, nil
}

type jsonParser struct {
	rows []ImportRow
}

// list reads the sibling array at JSON path at, whose parent path is parent.
func (p *jsonParser) list(items []any, at string, parent []string) error {
	seen := map[string]string{} // fold(name) -> JSON path of the first sibling
	for i, it := range items {
		here := fmt.Sprintf("%s[%d]", at, i)
		obj, ok := it.(map[string]any)
		if !ok {
			return &Error{Column: here, Msg: "must be an object with a name"}
		}
		for _, k := range sortedKeys(obj) {
			switch k {
			case "name", "description", "archived", "children":
			default:
				return &Error{Column: here + "." + clip(k), Msg: "unknown field (known: name, description, archived, children)"}
			}
		}
		nameAt := here + ".name"
		rawName, ok := obj["name"]
		if !ok || rawName == nil {
			return &Error{Column: nameAt, Msg: "is required"}
		}
		name, ok := rawName.(string)
		if !ok {
			return &Error{Column: nameAt, Msg: "must be a string"}
		}
		name = strings.TrimSpace(name)
		if err := CheckName(name); err != nil {
			if errors.Is(err, ErrEmptyName) {
				return &Error{Column: nameAt, Msg: "is empty"}
			}
			return &Error{Column: nameAt, Msg: strings.TrimPrefix(err.Error(), ErrBadName.Error()+": ")}
		}
		if first, dup := seen[fold(name)]; dup {
			return &Error{Column: nameAt, Msg: fmt.Sprintf("%q is also at %s", clip(name), first)}
		}
		seen[fold(name)] = here
		if len(p.rows) >= MaxImportTags {
			return &Error{Column: here, Msg: fmt.Sprintf("more than %d tags; split the file", MaxImportTags)}
		}
		row := ImportRow{Path: append(append(make([]string, 0, len(parent)+1), parent...), name)}
		if v := obj["description"]; v != nil {
			s, ok := v.(string)
			if !ok {
				return &Error{Column: here + ".description", Msg: "must be a string"}
			}
			row.Description, row.HasDescription = strings.TrimSpace(s), true
		}
		if v := obj["archived"]; v != nil {
			b, ok := v.(bool)
			if !ok {
				return &Error{Column: here + ".archived", Msg: "must be true or false"}
			}
			row.Archived, row.HasArchived = b, true
		}
		p.rows = append(p.rows, row)
		if v := obj["children"]; v != nil {
			kids, ok := v.([]any)
			if !ok {
				return &Error{Column: here + ".children", Msg: "must be an array of tags"}
			}
			if err := p.list(kids, here+".children", row.Path); err != nil {
				return err
			}
		}
	}
	return nil
}

// sortedKeys makes "first unknown key" deterministic despite map order.
func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

// jsonSyntaxErr reports a decode failure with a line:column a person can find.
func jsonSyntaxErr(data []byte, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		// Offset counts the bytes read including the offending one; point at it.
		return &Error{Msg: fmt.Sprintf("not valid JSON at %s: %v", where(data, int(se.Offset)-1), err)}
	case errors.Is(err, io.EOF):
		return &Error{Msg: "the file is empty; expected a JSON array of tags"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Msg: "the JSON ends too early"}
	}
	return &Error{Msg: "not valid JSON: " + err.Error()}
}

// where turns a byte offset into "line L, character C" (1-based).
func where(data []byte, off int) string {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := off - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return fmt.Sprintf("line %d, character %d", line, col)
}

// WriteJSON exports every tag, archived ones included, as the nested array ParseJSON
// reads, siblings in name order, indented for diffs.
func WriteJSON(w io.Writer, t *Tree) error {
	var build func(ids []string) []jsonTag
	build = func(ids []string) []jsonTag {
		out := make([]jsonTag, 0, len(ids))
		for _, id := range ids {
			n := t.nodes[id]
			out = append(out, jsonTag{Name: n.tag.Name, Description: n.tag.Description, Archived: n.tag.Archived, Children: build(n.children)})
		}
		return out
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // descriptions with "<" or "&" stay readable
	enc.SetIndent("", "  ")
	return enc.Encode(build(t.roots))
}
