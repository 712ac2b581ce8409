package api

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

// OpenAPI returns the OpenAPI 3.1 document of the routing table.
func OpenAPI() []byte {
	paths := map[string]map[string]any{}
	for _, rt := range routes {
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": operationID(rt),
			"responses":   responses(rt),
		}
		if !rt.Public {
			op["security"] = []map[string][]string{{"bearer": {}}}
		}
		var params []map[string]any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]string{"type": "string"}})
		}
		for _, q := range rt.Query {
			params = append(params, map[string]any{"name": q, "in": "query", "required": true, "schema": map[string]string{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.Upload {
			binary := map[string]any{"schema": map[string]string{"type": "string", "format": "binary"}}
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/octet-stream": binary, "application/x-tar": binary,
			}}
		}
		if rt.Request != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.Request))},
			}}
		}
		if paths[rt.Path] == nil {
			paths[rt.Path] = map[string]any{}
		}
		paths[rt.Path][strings.ToLower(rt.Method)] = op
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]string{"title": "Reckon", "version": "1"},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]string{"type": "http", "scheme": "bearer"}},
			"schemas": map[string]any{"Error": map[string]any{"type": "object", "properties": map[string]any{
				"error": map[string]any{"type": "object", "properties": map[string]any{
					"code": map[string]string{"type": "string"}, "message": map[string]string{"type": "string"},
				}},
			}}},
		},
	}
	out, err := json.MarshalIndent(doc, "", "  ") // map keys sort, so the document is stable
	if err != nil {
		panic(err) // only literal maps and strings
	}
	return append(out, '\n')
}

func operationID(rt route) string {
	id := strings.ToLower(rt.Method)
	for _, part := range strings.Split(strings.TrimPrefix(rt.Path, "/api/v1"), "/") {
		part = strings.Trim(part, "{}")
		part = strings.TrimSuffix(part, ".json")
		if part != "" {
			id += strings.ToUpper(part[:1]) + part[1:]
		}
	}
	return id
}

func responses(rt route) map[string]any {
	status := rt.Status
	if status == 0 {
		status = 200
	}
	errRef := map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]string{"$ref": "#/components/schemas/Error"}}}}
	out := map[string]any{strconv.Itoa(status): map[string]string{"description": "success"}}
	if !rt.Public {
		out["401"], out["403"], out["429"] = errRef, errRef, errRef
	}
	if rt.Request != nil || rt.Query != nil || strings.Contains(rt.Path, "{") {
		out["400"], out["404"], out["409"] = errRef, errRef, errRef
	}
	if rt.Request != nil {
		out["408"] = errRef
	}
	return out
}

// schemaOf describes a request struct from its JSON tags.
func schemaOf(t reflect.Type) map[string]any {
	props := map[string]any{}
	required := []string{}
	addFields(t, props, &required)
	return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

func addFields(t reflect.Type, props map[string]any, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			addFields(f.Type, props, required)
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		prop := typeOf(f.Type)
		prop["description"] = f.Tag.Get("doc")
		props[name] = prop
		if opts != "omitempty" {
			*required = append(*required, name)
		}
	}
}

// typeOf is the JSON schema of a request field's Go type.
func typeOf(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice:
		return map[string]any{"type": "array", "items": typeOf(t.Elem())}
	case reflect.Struct:
		return schemaOf(t)
	case reflect.Map:
		return map[string]any{"type": "object"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	}
	return map[string]any{"type": "string"}
}
