package node

// ForgetVersions empties the memo of parsed version strings
// (parseVersionShared), so that a process done with nodes (a campaign at
// its end) keeps none of them. Its owner, models.Release, calls it when no
// node is being built; nodes built afterwards fill it again.
func ForgetVersions() {
	parsedVersions.Clear()
	parsedCount.Store(0)
}

// rememberedVersions counts the version strings the memo holds.
func rememberedVersions() int {
	n := 0
	parsedVersions.Range(func(any, any) bool { n++; return true })
	return n
}
