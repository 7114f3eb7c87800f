//go:build linux

package widget

import (
	"github.com/grafana/alloy/internal/component"
	"github.com/grafana/alloy/internal/featuregate"
)

func init() {
	component.Register(component.Registration{
		Name:      "demo.platform",
		Stability: featuregate.StabilityExperimental,
		Args:      PlatformArguments{},
	})
}

type PlatformArguments struct {
	Path string `alloy:"path,attr"`
}
