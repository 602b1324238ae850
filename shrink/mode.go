package shrink

// Mode says how a campaign minimises a failing case.
type Mode string

// The shrink modes. ModeChoices shrinks the generator's choices for the
// campaign's case (deleting and lowering them, as rapid shrinks its
// draws); ModeBest runs it, then the greedy shrinker
// (models.Case.Simplify) on its result, and also the greedy shrinker
// alone, and keeps the smaller case (the choices' on a tie): each finds
// minima the other misses. ModeRapid is the choice shrinker's former
// name (it once ran rapid itself), kept so that states saved with it
// resume.
const (
	ModeBest    Mode = "best"
	ModeChoices Mode = "choices"
	ModeRapid   Mode = "rapid"
	ModeGreedy  Mode = "greedy"
	ModeNone    Mode = "none"
)
