package widget

import (
	"time"

	"github.com/grafana/alloy/internal/component"
	shared "github.com/grafana/alloy/internal/component/demo/common"
	"github.com/grafana/alloy/internal/featuregate"
	"github.com/grafana/alloy/syntax/alloytypes"
)

const name = "demo." + "widget"

func init() {
	component.Register(component.Registration{
		Name:      name,
		Stability: featuregate.StabilityPublicPreview,
		Args:      Arguments{},
		Exports:   Exports{},
	})
	component.Register(component.Registration{
		Name:      "demo.community",
		Community: true,
		Args:      Arguments{},
		Exports:   nil,
	})
}

type Arguments struct {
	Endpoint string                 `alloy:"endpoint,attr"`
	Timeout  time.Duration          `alloy:"timeout,attr,optional"`
	Password alloytypes.Secret      `alloy:"password,attr,optional"`
	Level    Level                  `alloy:"level,attr,optional"`
	Labels   map[string]string      `alloy:"labels,attr,optional"`
	Client   shared.ClientArguments `alloy:",squash"`
	Rules    Rules                  `alloy:"rule,block,optional"`
	Output   *shared.Output         `alloy:"output,block"`
	Stages   []Stage                `alloy:"stage,enum,optional"`
	Handler  shared.Handler         `alloy:"handler,attr,optional"`
	Ignored  string
}

// Level is a number in Go and a string in Alloy (it implements encoding.TextMarshaler).
type Level int

func (l Level) MarshalText() ([]byte, error) { return nil, nil }

type Rules []Rule

type Rule struct {
	Name  string `alloy:",label"`
	Match string `alloy:"match,attr"`
}

type Stage struct {
	Drop  *DropStage  `alloy:"drop,block,optional"`
	Match *MatchStage `alloy:"match,block,optional"`
}

type DropStage struct {
	Source string `alloy:"source,attr,optional"`
}

type MatchStage struct {
	Selector string  `alloy:"selector,attr"`
	Stages   []Stage `alloy:"stage,enum,optional"`
}

type Exports struct {
	Receiver shared.Handler `alloy:"receiver,attr"`
}
