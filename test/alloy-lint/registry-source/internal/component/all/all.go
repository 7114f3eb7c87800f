package all

import (
	_ "github.com/grafana/alloy/internal/component/demo/widget"
)
