package http

import "github.com/grafana/alloy/internal/service"

const ServiceName = "http"

func definition() service.Definition {
	return service.Definition{Name: ServiceName, ConfigType: Arguments{}}
}

type Arguments struct {
	TLS *TLSArguments `alloy:"tls,block,optional"`
}

type TLSArguments struct {
	CertFile string `alloy:"cert_file,attr,optional"`
}
