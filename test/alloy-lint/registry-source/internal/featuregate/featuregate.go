package featuregate

const (
	StabilityGenerallyAvailable = 1
	StabilityPublicPreview      = 2
	StabilityExperimental       = 3
)
