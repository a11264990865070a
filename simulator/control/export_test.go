package control

// ValidateResponse lets the external tests (package control_test) check
// control API answers against spec/control.yaml like the internal ones.
var ValidateResponse = validateResponse
