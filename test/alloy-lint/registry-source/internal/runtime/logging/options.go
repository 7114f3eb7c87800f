package logging

type Options struct {
	Level  string `alloy:"level,attr,optional"`
	Format string `alloy:"format,attr,optional"`
}
