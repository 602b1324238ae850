package signals

// RunBare runs the case without its faults, invariant checks or trace.
// The model's processes, stop loops and timeouts live in virtual time, so
// the scheduler stays: it is part of the model here, not of the harness.
// It is the baseline harness overhead is measured against (models.Barer).
func (c *Case) RunBare() error {
	_, err := run(c, nil, false, true)
	return err
}
