package component

type Registration struct {
	Name      string
	Stability int
	Community bool
	Args      any
	Exports   any
}

func Register(r Registration) {}
