//go:build !linux

package widget

import (
	"github.com/grafana/alloy/internal/component"
	"github.com/grafana/alloy/internal/featuregate"
)

// A stub for other platforms, as upstream registers them: same name, no arguments.
func init() {
	component.Register(component.Registration{
		Name:      "demo.platform",
		Stability: featuregate.StabilityExperimental,
		Args:      StubArguments{},
	})
}

type StubArguments struct{}
