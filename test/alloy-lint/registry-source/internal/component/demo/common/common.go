package common

type Handler interface{ Handle() }

type ClientArguments struct {
	ProxyURL string    `alloy:"proxy_url,attr,optional"`
	TLS      TLSConfig `alloy:"tls,block,optional"`
}

type TLSConfig struct {
	CAFile string `alloy:"ca_file,attr,optional"`
}

type Output struct {
	Metrics []Handler `alloy:"metrics,attr,optional"`
}
