package service

type Definition struct {
	Name       string
	ConfigType any
}
