package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"go.yaml.in/yaml/v3"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

// openAPIDoc is docs/openapi.yaml as plain maps and lists, which is all
// these checks need: they compare the document with the router and the
// handlers' answers, rather than validate OpenAPI itself.
type openAPIDoc struct {
	root map[string]any
}

func loadOpenAPI(t testing.TB) *openAPIDoc {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	return &openAPIDoc{root: root}
}

// isOperationKey reports whether a key of a path item is an HTTP method;
// the others are "parameters", "summary" and the like.
func isOperationKey(key string) bool {
	switch key {
	case "get", "put", "post", "delete", "options", "head", "patch", "trace":
		return true
	}
	return false
}

// operations returns every operation by "METHOD /path/{param}".
func (d *openAPIDoc) operations() map[string]map[string]any {
	out := map[string]map[string]any{}
	paths, _ := d.root["paths"].(map[string]any)
	for path, item := range paths {
		ops, _ := item.(map[string]any)
		for method, op := range ops {
			if isOperationKey(method) {
				opMap, _ := op.(map[string]any)
				out[strings.ToUpper(method)+" "+path] = opMap
			}
		}
	}
	return out
}

// resolve follows a "$ref" to the components; other nodes come back as
// they are. An unresolvable reference gives nil.
func (d *openAPIDoc) resolve(node any) any {
	for range 20 {
		m, ok := node.(map[string]any)
		if !ok {
			return node
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return node
		}
		node = d.pointer(ref)
	}
	return nil
}

// pointer returns the node of a local JSON pointer such as
// "#/components/schemas/Error", or nil.
func (d *openAPIDoc) pointer(ref string) any {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var node any = d.root
	for part := range strings.SplitSeq(rest, "/") {
		m, ok := node.(map[string]any)
		if !ok {
			return nil
		}
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		if node, ok = m[part]; !ok {
			return nil
		}
	}
	return node
}

// echoToOpenAPIPath turns echo's ":id" into OpenAPI's "{id}".
func echoToOpenAPIPath(path string) string {
	return regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`).ReplaceAllString(path, "{$1}")
}

// registeredAPIRoutes lists the API routes of the router as "METHOD
// /path/{param}", without echo's own catch-all routes for unknown paths.
func registeredAPIRoutes(s *Server) []string {
	var out []string
	for _, r := range s.echo.Routes() {
		if r.Method == echo.RouteNotFound || !strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		out = append(out, r.Method+" "+echoToOpenAPIPath(r.Path))
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// newDocServer is a server for tests that look at its routes only.
func newDocServer(t *testing.T) *Server {
	t.Helper()
	st := storetest.Open(t, store.DialectSQLite)
	s, err := New(Config{BaseURL: "http://uk.test"}, Deps{Store: st, Files: uitvoeringskracht.Templates})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The document and the router must list the same API routes, whoever adds
// them: a route without documentation, or documentation of a route that
// does not exist, fails here.
func TestOpenAPIDescribesEveryAPIRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	routes := registeredAPIRoutes(newDocServer(t))
	if len(routes) == 0 {
		t.Fatal("no API routes registered")
	}
	ops := doc.operations()
	for _, r := range routes {
		if _, ok := ops[r]; !ok {
			t.Errorf("route %s is not in docs/openapi.yaml", r)
		}
	}
	for op := range ops {
		if !slices.Contains(routes, op) {
			t.Errorf("docs/openapi.yaml describes %s, which the router does not have", op)
		}
	}
}

// The document must hold together: every reference resolves, every path
// parameter is declared, and every operation names the errors every API
// route can give.
func TestOpenAPIDocumentIsConsistent(t *testing.T) {
	doc := loadOpenAPI(t)
	if v, _ := doc.root["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi: %q, want 3.1.x", v)
	}
	info, _ := doc.root["info"].(map[string]any)
	if info["title"] == nil || info["version"] == nil {
		t.Error("info needs a title and a version")
	}
	if servers, _ := doc.root["servers"].([]any); len(servers) == 0 {
		t.Error("no servers")
	}
	schemes, _ := doc.pointer("#/components/securitySchemes").(map[string]any)
	bearer := false
	for _, sc := range schemes {
		m, _ := sc.(map[string]any)
		bearer = bearer || (m["type"] == "http" && strings.EqualFold(fmt.Sprint(m["scheme"]), "bearer"))
	}
	if !bearer {
		t.Error("no http bearer security scheme")
	}
	doc.checkRefs(t, doc.root, "")

	globalSecurity, _ := doc.root["security"].([]any)
	ids := map[string]string{}
	paramRe := regexp.MustCompile(`\{([^}]+)\}`)
	for key, op := range doc.operations() {
		method, path, _ := strings.Cut(key, " ")
		id, _ := op["operationId"].(string)
		if id == "" {
			t.Errorf("%s: no operationId", key)
		} else if other, dup := ids[id]; dup {
			t.Errorf("%s and %s share operationId %q", key, other, id)
		}
		ids[id] = key
		responses, _ := op["responses"].(map[string]any)
		if len(responses) == 0 {
			t.Errorf("%s: no responses", key)
			continue
		}
		security := globalSecurity
		if own, ok := op["security"].([]any); ok {
			security = own
		}
		needs := map[string]bool{}
		if len(security) > 0 {
			needs["401"] = true
		}
		params := doc.pathParameters(path, op)
		for _, m := range paramRe.FindAllStringSubmatch(path, -1) {
			needs["404"] = true
			if !params[m[1]] {
				t.Errorf("%s: path parameter %q is not declared as a required path parameter", key, m[1])
			}
		}
		if op["requestBody"] != nil {
			needs["400"] = true
			body, _ := doc.resolve(op["requestBody"]).(map[string]any)
			content, _ := body["content"].(map[string]any)
			if content["application/json"] == nil {
				t.Errorf("%s: the request body is not application/json", key)
			}
		}
		for status := range needs {
			if responses[status] == nil {
				t.Errorf("%s: no %s response", key, status)
			}
		}
		for status, resp := range responses {
			code, err := strconv.Atoi(status)
			if err != nil || code < 400 {
				continue
			}
			r, _ := doc.resolve(resp).(map[string]any)
			content, _ := r["content"].(map[string]any)
			media, _ := content["application/json"].(map[string]any)
			schema, _ := doc.resolve(media["schema"]).(map[string]any)
			required, _ := schema["required"].([]any)
			if !slices.Contains(required, any("code")) || !slices.Contains(required, any("message")) {
				t.Errorf("%s: the %s response is not the JSON error (code and message)", key, status)
			}
		}
		if method == "POST" && responses["200"] == nil && responses["201"] == nil && responses["204"] == nil {
			t.Errorf("%s: no success response", key)
		}
	}
}

// checkRefs reports every "$ref" below node that does not resolve.
func (d *openAPIDoc) checkRefs(t *testing.T, node any, at string) {
	t.Helper()
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			if ref, ok := v.(string); ok && k == "$ref" && d.pointer(ref) == nil {
				t.Errorf("%s: $ref %q does not resolve", at, ref)
			}
			d.checkRefs(t, v, at+"/"+k)
		}
	case []any:
		for i, v := range n {
			d.checkRefs(t, v, at+"/"+strconv.Itoa(i))
		}
	}
}

// pathParameters returns the names of the required path parameters
// declared on the path or on the operation.
func (d *openAPIDoc) pathParameters(path string, op map[string]any) map[string]bool {
	out := map[string]bool{}
	item, _ := d.root["paths"].(map[string]any)[path].(map[string]any)
	lists := []any{item["parameters"], op["parameters"]}
	for _, list := range lists {
		params, _ := list.([]any)
		for _, p := range params {
			m, _ := d.resolve(p).(map[string]any)
			if m["in"] == "path" && m["required"] == true {
				out[fmt.Sprint(m["name"])] = true
			}
		}
	}
	return out
}

// The document states the handler's limit on codes per request.
func TestOpenAPICodesLimitMatchesHandler(t *testing.T) {
	doc := loadOpenAPI(t)
	limit, _ := doc.pointer("#/components/schemas/CodesInput/properties/count/maximum").(int)
	if limit != maxCodesPerRequest {
		t.Errorf("CodesInput.count.maximum is %d, the handler allows %d", limit, maxCodesPerRequest)
	}
}

// operationFor returns the operation whose path template matches the
// concrete path, or nil.
func (d *openAPIDoc) operationFor(method, path string) (string, map[string]any) {
	segments := strings.Split(path, "/")
	best, bestParams := "", -1
	var bestOp map[string]any
	for key, op := range d.operations() {
		m, tmpl, _ := strings.Cut(key, " ")
		if m != method {
			continue
		}
		parts := strings.Split(tmpl, "/")
		if len(parts) != len(segments) {
			continue
		}
		params, match := 0, true
		for i, p := range parts {
			if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") && segments[i] != "" {
				params++
			} else if p != segments[i] {
				match = false
				break
			}
		}
		// A literal segment wins over a parameter, as in the router.
		if match && (bestParams < 0 || params < bestParams) {
			best, bestParams, bestOp = key, params, op
		}
	}
	return best, bestOp
}

// checkAgainstOpenAPI checks one answer of the API against the document:
// its status must be listed for the operation and its JSON body must fit
// the schema. Answers for paths the document does not describe are left
// alone; the route test covers those.
func checkAgainstOpenAPI(t *testing.T, doc *openAPIDoc, method, path string, status int, body []byte) {
	t.Helper()
	key, op := doc.operationFor(method, path)
	if op == nil {
		return
	}
	responses, _ := op["responses"].(map[string]any)
	resp, ok := responses[strconv.Itoa(status)]
	if !ok {
		resp, ok = responses["default"]
	}
	if !ok {
		t.Errorf("%s answered %d, which docs/openapi.yaml does not list", key, status)
		return
	}
	r, _ := doc.resolve(resp).(map[string]any)
	content, _ := r["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	if media == nil {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var value any
	if err := dec.Decode(&value); err != nil {
		t.Errorf("%s %d: the body is not JSON: %v", key, status, err)
		return
	}
	for _, problem := range doc.validate(media["schema"], value, "body") {
		t.Errorf("%s %d: %s", key, status, problem)
	}
}

// validate checks value against the subset of JSON Schema the document
// uses: $ref, type, properties, required, additionalProperties, items,
// enum and pattern.
func (d *openAPIDoc) validate(schemaNode, value any, at string) []string {
	schema, ok := d.resolve(schemaNode).(map[string]any)
	if !ok {
		return []string{at + ": the schema does not resolve"}
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(value) }) {
		return []string{fmt.Sprintf("%s: %v is not one of %v", at, value, enum)}
	}
	var problems []string
	switch want := schema["type"]; want {
	case "object":
		obj, ok := value.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, got %T", at, value)}
		}
		props, _ := schema["properties"].(map[string]any)
		required, _ := schema["required"].([]any)
		for _, r := range required {
			if _, ok := obj[fmt.Sprint(r)]; !ok {
				problems = append(problems, fmt.Sprintf("%s: required %q is missing", at, r))
			}
		}
		for k, v := range obj {
			if p, ok := props[k]; ok {
				problems = append(problems, d.validate(p, v, at+"."+k)...)
				continue
			}
			switch extra := schema["additionalProperties"].(type) {
			case bool:
				if !extra {
					problems = append(problems, fmt.Sprintf("%s: %q is not in the schema", at, k))
				}
			case map[string]any:
				problems = append(problems, d.validate(extra, v, at+"."+k)...)
			}
		}
	case "array":
		list, ok := value.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an array, got %T", at, value)}
		}
		for i, v := range list {
			problems = append(problems, d.validate(schema["items"], v, fmt.Sprintf("%s[%d]", at, i))...)
		}
	case "string":
		s, ok := value.(string)
		if !ok {
			return []string{fmt.Sprintf("%s: want a string, got %T", at, value)}
		}
		if pattern, ok := schema["pattern"].(string); ok && !regexp.MustCompile(pattern).MatchString(s) {
			problems = append(problems, fmt.Sprintf("%s: %q does not match %s", at, s, pattern))
		}
	case "integer", "number":
		n, ok := value.(json.Number)
		if !ok {
			return []string{fmt.Sprintf("%s: want a %s, got %T", at, want, value)}
		}
		if _, err := n.Int64(); err != nil && want == "integer" {
			problems = append(problems, fmt.Sprintf("%s: %s is not an integer", at, n))
		}
	case "boolean":
		if _, ok := value.(bool); !ok {
			return []string{fmt.Sprintf("%s: want a boolean, got %T", at, value)}
		}
	case nil:
	default:
		problems = append(problems, fmt.Sprintf("%s: the checks do not know type %v", at, want))
	}
	return problems
}
