package control

import (
	"context"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// TODO(control): replace with spec.Load and spec.NewRouter once package spec has them.
const standInSessions = `
openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: /v1}]
paths:
  /sessions:
    get: {operationId: listSessions, responses: {"200": {description: ok}}}
  /sessions/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: getSession, responses: {"200": {description: ok}}}
    patch: {operationId: updateSession, responses: {"200": {description: ok}}}
    delete: {operationId: deleteSession, responses: {"200": {description: ok}}}
  /sessions/{id}/restart:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    post: {operationId: restartSession, responses: {"200": {description: ok}}}
  /maxscale:
    get: {operationId: getMaxScale, responses: {"200": {description: ok}}}
`

func sessionOperations() (*routerOperations, error) {
	doc, err := openapi3.NewLoader().LoadFromData([]byte(standInSessions))
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return newRouterOperations(doc, r), nil
}
