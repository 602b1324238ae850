package models

// BadInput is a malformed scenario file of a model, with the error it must
// give. A model lists its own (Model.BadInputs); the scenario file's tests
// and faultsim's parse each one through the registry.
type BadInput struct {
	// Name says what is wrong with the file.
	Name string
	// Text is the file's content.
	Text string
	// Want is part of the error it must give, after the file's name:
	// ":LINE: field: ..." where a line applies, "file ..." where the whole
	// file is wrong.
	Want string
}

// Bad is the malformed file named name, with text, and the error it must
// give.
func Bad(name, text, want string) BadInput { return BadInput{Name: name, Text: text, Want: want} }

// HostileSource draws the hostile strings a model's Hostile writes into a
// case: names and texts from the characters and words YAML gives a meaning
// to. The test that drives Hostile supplies it (from rapid's draws).
type HostileSource interface {
	// String draws a non-empty hostile string.
	String(label string) string
	// Bool draws a choice.
	Bool(label string) bool
}
