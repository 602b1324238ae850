package annotations

// idle is the model's Idle: it empties the memos of decoded specs
// (sharedSpecs), of their parts (sharedRests, sharedMembers) and of the
// texts the generator rendered (sharedStepTexts), so that a finished
// campaign holds none of them. Runs afterwards fill them again.
func idle() error {
	sharedSpecs.forget()
	sharedRests.forget()
	sharedMembers.forget()
	sharedStepTexts.forget()
	return nil
}
