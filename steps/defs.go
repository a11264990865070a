package steps

// stepDefs is every step sentence of the suite. The sentences are disjoint:
// no text matches two of them, so godog never finds a step ambiguous and the
// ledger's observed sentences dispatch to exactly one step.
func stepDefs() []stepDef {
	var defs []stepDef
	defs = append(defs, requestSteps()...)
	defs = append(defs, responseSteps()...)
	defs = append(defs, valueSteps()...)
	defs = append(defs, clientSteps()...)
	defs = append(defs, sessionSteps()...)
	defs = append(defs, knownValueSteps()...)
	return defs
}
