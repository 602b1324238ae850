package node

// ForgetVersions empties the memo of parsed version strings
// (parseVersionShared), so that a process done with nodes (a campaign at
// its end) keeps none of them. Its owner, models.Release, calls it when no
// node is being built; nodes built afterwards fill it again.
func ForgetVersions() {
	parsedVersions.Forget()
}

// rememberedVersions counts the version strings the memo holds.
func rememberedVersions() int { return parsedVersions.Len() }
