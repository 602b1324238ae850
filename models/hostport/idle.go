package hostport

// idle is the model's Idle: it forgets the sandbox hashes SandboxHash
// remembered, so that a finished campaign holds none of them. Runs
// afterwards remember them again.
func idle() error {
	sandboxHashes.Clear()
	sandboxHashCount.Store(0)
	return nil
}

// rememberedHashes counts the sandbox hashes remembered.
func rememberedHashes() int {
	n := 0
	sandboxHashes.Range(func(any, any) bool { n++; return true })
	return n
}
